// Plans a scan of profiles over disjoint ranges of `updated`, hands them to concurrent workers, splits the
// busiest range when a worker is idle, and computes the checkpoint. Pure bookkeeping, no I/O: the reader
// tells it what was fetched and what was emitted, so it can be tested on its own.
//
// Ranges are in whole epoch seconds, [lo, hi): Klaviyo's `updated` is whole-second and its filters are strict,
// so [lo, hi) is `greater-than(updated, lo-1),less-than(updated, hi)` and adjacent ranges neither overlap
// nor leave a second between them.

export interface UpdatedRange {
  readonly id: number;
  /** Inclusive lower bound, epoch seconds; undefined = from the oldest profile. */
  lo: number | undefined;
  /** Exclusive upper bound, epoch seconds; undefined = open, so profiles changed during the run are read too. */
  hi: number | undefined;
  /** `updated` (seconds) of the last record fetched, and how many were fetched: the worker's progress. */
  fetchedUpTo: number | undefined;
  fetched: number;
  /** Records per second of `updated` in the last page fetched: the best guess of what lies just ahead. */
  localDensity: number | undefined;
  /** `updated` (seconds) of the last record handed to the output: what a checkpoint may rely on. */
  emittedUpTo: number | undefined;
  /** Set when the worker has fetched the range's last page; finished once those records are emitted too. */
  exhausted: boolean;
  finished: boolean;
  assigned: boolean;
}


export class RangeScheduler {
  private readonly ranges: UpdatedRange[] = [];
  private nextId = 0;

  /**
   * @param lowerSec inclusive lower bound of the scan (state or start_date), undefined for all history
   * @param upperEstimateSec where the data is expected to end (just past the newest profile, or the run's
   *   start), for planning only: the last range stays open
   * @param oldestSec the oldest `updated` in range, when known, so the first slice is not mostly empty
   * @param minSplitRecords fewer estimated records than this left in a range are not worth the extra
   *   request a split costs (half a page)
   */
  constructor(
    lowerSec: number | undefined,
    private readonly upperEstimateSec: number,
    slices: number,
    oldestSec?: number,
    private readonly minSplitRecords = 50,
  ) {
    const start = oldestSec ?? lowerSec;
    if (start === undefined || slices <= 1 || start >= upperEstimateSec) {
      this.ranges.push(this.make(lowerSec, undefined));
      return;
    }
    const step = Math.max(1, Math.ceil((upperEstimateSec - start) / slices));
    let lo: number | undefined = lowerSec;
    for (let i = 1; i < slices && start + i * step < upperEstimateSec; i += 1) {
      const hi = start + i * step;
      this.ranges.push(this.make(lo, hi));
      lo = hi;
    }
    this.ranges.push(this.make(lo, undefined));
  }

  private make(lo: number | undefined, hi: number | undefined): UpdatedRange {
    const range: UpdatedRange = { id: this.nextId++, lo, hi, fetchedUpTo: undefined, fetched: 0, localDensity: undefined, emittedUpTo: undefined, exhausted: false, finished: false, assigned: false };
    return range;
  }

  get all(): readonly UpdatedRange[] {
    return this.ranges;
  }

  /** Ranges a worker is reading now. */
  get active(): number {
    let count = 0;
    for (const r of this.ranges) if (r.assigned && !r.exhausted && !r.finished) count += 1;
    return count;
  }

  get done(): boolean {
    return this.ranges.every((r) => r.finished);
  }

  /**
   * A range for an idle worker: an unassigned one, else (if `maySplit`) the upper part of the busiest one;
   * or none for now.
   */
  take(maySplit = true): UpdatedRange | undefined {
    const free = this.ranges.find((r) => !r.assigned && !r.finished);
    if (free) {
      free.assigned = true;
      return free;
    }
    return maySplit ? this.split() : undefined;
  }

  private density(): number {
    let records = 0;
    let seconds = 0;
    for (const r of this.ranges) {
      if (r.fetchedUpTo === undefined || r.lo === undefined) continue;
      records += r.fetched;
      seconds += r.fetchedUpTo - r.lo + 1;
    }
    return seconds > 0 ? records / seconds : 0;
  }

  /** Estimated records left in a range, from its own progress or, before it has any, the scan's average. */
  remaining(range: UpdatedRange, average = this.density()): number {
    if (range.finished || range.exhausted) return 0;
    const from = range.fetchedUpTo ?? range.lo;
    const to = range.hi ?? this.upperEstimateSec + 1;
    if (from === undefined) return Number.POSITIVE_INFINITY;
    // Before any density is known, a second of `updated` counts as a record: only the order matters then.
    return Math.max(0, to - from) * (range.localDensity ?? (average || 1));
  }

  private split(): UpdatedRange | undefined {
    const average = this.density();
    let best: UpdatedRange | undefined;
    let bestLeft = 0;
    for (const r of this.ranges) {
      // A range whose first page is still in flight can be split too (from its lower bound): waiting for it
      // would cost a round trip per level of splitting while workers sit idle.
      if (!r.assigned || r.finished || r.exhausted || (r.fetchedUpTo ?? r.lo) === undefined) continue;
      const left = this.remaining(r, average);
      if (left > bestLeft) {
        best = r;
        bestLeft = left;
      }
    }
    if (!best || bestLeft < this.minSplitRecords) return undefined;
    const from = (best.fetchedUpTo ?? best.lo) as number;
    const to = best.hi ?? this.upperEstimateSec + 1;
    // The split point lies strictly after every second the worker has fetched (or the range's first second),
    // so nothing it already read moves to the new range; records of a page in flight at or past the point
    // are dropped by it.
    const at = from + 1 + Math.floor((to - from - 1) / 2);
    if (at <= from || at >= to) return undefined;
    const upper = this.make(at, best.hi);
    best.hi = at;
    upper.assigned = true;
    this.ranges.splice(this.ranges.indexOf(best) + 1, 0, upper);
    return upper;
  }

  /** The worker fetched a page of `count` records of `range`, spanning `firstUpdatedSec`..`lastUpdatedSec`. */
  fetched(range: UpdatedRange, count: number, lastUpdatedSec: number | undefined, firstUpdatedSec?: number): void {
    range.fetched += count;
    if (count > 0 && lastUpdatedSec !== undefined && firstUpdatedSec !== undefined) {
      range.localDensity = count / (lastUpdatedSec - firstUpdatedSec + 1);
    }
    if (lastUpdatedSec !== undefined) range.fetchedUpTo = Math.max(range.fetchedUpTo ?? lastUpdatedSec, lastUpdatedSec);
  }

  exhaust(range: UpdatedRange): void {
    range.exhausted = true;
  }

  /** The output has taken records of `range` up to `updatedSec`; `last` when they were its final page. */
  emitted(range: UpdatedRange, lastUpdatedSec: number | undefined, last: boolean): void {
    if (lastUpdatedSec !== undefined) range.emittedUpTo = Math.max(range.emittedUpTo ?? lastUpdatedSec, lastUpdatedSec);
    if (last) range.finished = true;
  }

  /**
   * The low watermark, in seconds: every profile updated before it has been emitted. It stops at the first
   * unfinished range, at that range's emitted progress (ties at that second may be incomplete, which the
   * one-second overlap on resume covers) or at its lower bound if it has emitted nothing. Undefined while
   * nothing can be promised. When every range is finished, it is the newest `updated` emitted.
   */
  watermark(): number | undefined {
    let newest: number | undefined;
    for (const r of this.ranges) {
      if (!r.finished) return r.emittedUpTo ?? r.lo;
      if (r.emittedUpTo !== undefined) newest = Math.max(newest ?? r.emittedUpTo, r.emittedUpTo);
    }
    return newest;
  }

  /** Records expected in the ranges not yet read, for an estimate of the time left. */
  estimatedRemaining(): number {
    const average = this.density();
    let left = 0;
    for (const r of this.ranges) left += this.remaining(r, average);
    return left;
  }
}

/** Klaviyo's filter for a range; undefined when the range is unbounded on both sides. */
export function rangeFilter(range: Pick<UpdatedRange, 'lo' | 'hi'>, toDateTime: (ms: number) => string): string | undefined {
  const parts: string[] = [];
  if (range.lo !== undefined) parts.push(`greater-than(updated,${toDateTime((range.lo - 1) * 1000)})`);
  if (range.hi !== undefined) parts.push(`less-than(updated,${toDateTime(range.hi * 1000)})`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

import { setMaxListeners } from 'node:events';
import { compareNormalized, toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { ProfileConsentRecord } from '../generated/profile-consent-record.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { isExpiredCursor } from '../klaviyo/errors.js';
import { MAX_CURSOR_RESTARTS } from '../klaviyo/pages.js';
import { profilePages, profilesUrl } from '../klaviyo/profiles.js';
import type { ProfileResource, ProfilesPage } from '../klaviyo/types.js';
import { toProfileConsentRecord } from '../streams/profile-consent/map-record.js';
import type { ReadProgress } from './events.js';
import { PageChannel } from '../common/page-channel.js';
import { RATE_LIMIT_NOTICE_MS, type RateLimitedNotice } from './rate-limit-notices.js';
import { rangeFilter, RangeScheduler, type UpdatedRange } from './range-scheduler.js';

/** What a detector yields to the sync that runs it. */
export type DetectorOutput =
  | { type: 'records'; records: ProfileConsentRecord[] }
  | RateLimitedNotice
  | { type: 'progress'; progress: ReadProgress };

/** The updated scan also reports its low watermark, and whether the scan is complete, after every page. */
export type ScanOutput = DetectorOutput | { type: 'cursor'; updated: string | undefined; complete: boolean };

/** What workers hand to the consumer. */
type Delivery =
  | { kind: 'page'; range: UpdatedRange; records: ProfileConsentRecord[]; lastUpdatedSec: number | undefined; last: boolean }
  | { kind: 'rate_limited'; waitMs: number; untilMs: number }
  | { kind: 'heartbeat' }
  | { kind: 'planned'; extent: Extent }
  | { kind: 'failed'; error: unknown };

/** The oldest and newest `updated` (seconds) at or after the scan's lower bound. */
interface Extent {
  oldest?: number;
  newest?: number;
}

const PROGRESS_EVERY_MS = 5000;
/** While no page arrives (the rate limit holds every request), a progress line this often (a tick late at most: under 10 s). */
export const HEARTBEAT_MS = 9_000;
/** How the scan's requests are named in errors and logs, and told apart in the client's latency averages. */
const PAGE_REQUEST = 'Get Profiles';
const PROBE_REQUEST = 'Get Profiles (range planning)';

function updatedSeconds(record: ProfileConsentRecord): number | undefined {
  // record.updated is already normalized RFC 3339 UTC, which Date.parse reads natively.
  return record.updated === null ? undefined : Math.floor(Date.parse(record.updated) / 1000);
}

/**
 * Maps a page's profiles to records, stopping at the first one at or past `hi`: the range may have been
 * split while the page was in flight, and from there on the records belong to the new upper range, which
 * reads them itself (its filter is `greater-than(updated, hi-1)`). Pages are sorted by `updated`.
 */
export function mapWithinRange(profiles: ProfileResource[], hi: number | undefined) {
  const records: ProfileConsentRecord[] = [];
  let firstUpdatedSec: number | undefined;
  let lastUpdatedSec: number | undefined;
  let skipped = 0;
  for (const profile of profiles) {
    // Without an id a record cannot be deduplicated or joined; it is counted and reported, never emitted.
    if (typeof profile?.id !== 'string' || profile.id === '') {
      skipped += 1;
      continue;
    }
    const record = toProfileConsentRecord(profile);
    const sec = updatedSeconds(record);
    if (sec !== undefined && hi !== undefined && sec >= hi) return { records, firstUpdatedSec, lastUpdatedSec, passedEnd: true, skipped };
    records.push(record);
    if (sec !== undefined) {
      firstUpdatedSec ??= sec;
      lastUpdatedSec = sec;
    }
  }
  return { records, firstUpdatedSec, lastUpdatedSec, passedEnd: false, skipped };
}

/**
 * The oldest and newest `updated` at or after the lower bound, one request each (in parallel), so ranges are
 * planned where the data is rather than over empty years or the weeks since the last change.
 */
async function findExtent(client: KlaviyoClient, filter: string | undefined, signal: AbortSignal): Promise<Extent> {
  const edge = async (sort: string) => {
    const page = await client.getJson<ProfilesPage>(profilesUrl(client, { filter, sort, pageSize: 1 }), PROBE_REQUEST, signal);
    const first = page?.data?.[0];
    return first ? updatedSeconds(toProfileConsentRecord(first)) : undefined;
  };
  const [oldest, newest] = await Promise.all([edge('updated'), edge('-updated')]);
  return { oldest, newest };
}

/**
 * Detector 1: reads profiles updated at or after `lowerMs` over disjoint `updated` ranges with up to
 * `concurrency` requests in flight, each range scanned sorted by `updated`. An idle worker takes the upper
 * half of the range with the most left, so a skewed account (most profiles changed last week) keeps every
 * worker busy. After every page it reports the low watermark: never past a range that is not finished,
 * never past the run's start, so a crash at any point resumes without loss. Profiles in `skipIds` were
 * already emitted by another detector in this run and are not emitted again.
 */
export async function* scanUpdatedRanges(options: {
  client: KlaviyoClient;
  /** Inclusive lower bound on `updated` (whole seconds), undefined for all history. */
  lowerMs: number | undefined;
  /** The cursor to report until the scan passes it. */
  initialCursor: string | undefined;
  skipIds: ReadonlySet<string>;
  pageSize: number;
  concurrency: number;
  runStartedMs: number;
  logger: Logger;
  /** Tests: how often to report while no page arrives (default HEARTBEAT_MS). */
  heartbeatMs?: number;
}): AsyncGenerator<ScanOutput> {
  const { client, logger, concurrency } = options;
  const filter = options.lowerMs === undefined ? undefined : `greater-than(updated,${toFilterDateTime(options.lowerMs - 1000)})`;
  const runStartSec = Math.floor(options.runStartedMs / 1000);
  const ceiling = toFilterDateTime(options.runStartedMs);
  const started = Date.now();
  const requestsBefore = client.requestCount;
  const channel = new PageChannel<Delivery>(concurrency);
  // Stops requests the moment the scan ends (a failure, or a consumer that stopped reading): one waiting at the
  // limiter would otherwise still be sent, on top of whatever the next run sends within the same second.
  const abort = new AbortController();
  // Each request in flight listens on the signal; Node warns past 10 listeners, and up to `concurrency`
  // requests (plus the two probes) may be in flight at once.
  setMaxListeners(concurrency + 4, abort.signal);
  const stopNotices = client.limiter.onWait((waitMs, untilMs) => {
    if (waitMs >= RATE_LIMIT_NOTICE_MS) void channel.put({ kind: 'rate_limited', waitMs, untilMs }, true);
  });
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  // Ticks well inside the heartbeat, so that a line is never more than a tick late.
  const heartbeat = setInterval(() => void channel.put({ kind: 'heartbeat' }, true), Math.min(1000, heartbeatMs / 4));
  heartbeat.unref();
  const waitingSeconds = () => Math.max(0, client.limiter.waitingUntilMs - Date.now()) / 1000;
  let lastProgress = Date.now();

  // The probes may themselves wait on the limit (a long one, when the minute is used up): their notices and
  // progress go out meanwhile, not after.
  let extent: Extent = {};
  if (concurrency > 1) {
    void findExtent(client, filter, abort.signal).then(
      (found) => channel.put({ kind: 'planned', extent: found }, true),
      (error: unknown) => channel.put({ kind: 'failed', error }, true),
    );
    let planned = false;
    try {
      for (;;) {
        const delivery = await channel.take();
        if (delivery === undefined) return;
        if (delivery.kind === 'failed') throw delivery.error;
        if (delivery.kind === 'planned') {
          extent = delivery.extent;
          planned = true;
          break;
        }
        if (delivery.kind === 'rate_limited') yield { type: 'rate_limited', waitMs: delivery.waitMs, untilMs: delivery.untilMs };
        if (delivery.kind === 'heartbeat' && Date.now() - lastProgress >= heartbeatMs) {
          lastProgress = Date.now();
          const seconds = (Date.now() - started) / 1000;
          const progress = { records: 0, pages: 0, requests: client.requestCount - requestsBefore, seconds, recordsPerSecond: 0 };
          yield { type: 'progress', progress: { ...progress, rateLimitWaitSeconds: client.waitedMs / 1000, estimatedRecordsLeft: Infinity, estimatedSecondsLeft: Infinity, waitingSeconds: waitingSeconds() } };
        }
      }
    } finally {
      if (!planned) {
        abort.abort(new Error('the updated scan stopped'));
        stopNotices();
        clearInterval(heartbeat);
        channel.close();
      }
    }
  }
  const lowerSec = options.lowerMs === undefined ? undefined : Math.floor(options.lowerMs / 1000);
  const upperEstimateSec = extent.newest === undefined ? runStartSec : Math.min(runStartSec, extent.newest + 1);
  // Each range ends on a partial page, an extra request: read no more of them at once than the rate limit can
  // keep busy (a request per latency per slot, with a quarter to spare), however high `concurrency` is.
  const usefulRanges = () => {
    // A page of 100 profiles once one has come back; until then the one-profile probes, a low estimate that
    // the first pages correct.
    const latencyMs = client.typicalLatencyMs(PAGE_REQUEST) ?? client.typicalLatencyMs(PROBE_REQUEST);
    if (latencyMs === undefined) return concurrency;
    return Math.min(concurrency, Math.max(1, Math.ceil(((client.limiter.burstPerSecond * latencyMs) / 1000) * 1.25)));
  };
  const scheduler = new RangeScheduler(lowerSec, upperEstimateSec, usefulRanges(), extent.oldest, options.pageSize);
  logger.info(
    `profile_consent: updated scan of ${filter ? `profiles with ${filter}` : 'all profiles'}, ${scheduler.all.length} range(s) (as many as the rate limit can keep busy, up to concurrency ${concurrency}), ${options.pageSize} per page`,
  );

  let stopped = false;
  // Workers with nothing to take wait here; every emitted page wakes them, since only progress can make a
  // split possible (and a range finished, which may end the scan).
  const idle: Array<() => void> = [];
  const wake = () => {
    for (const resolve of idle.splice(0)) resolve();
  };

  async function work(): Promise<void> {
    while (!stopped) {
      // A split costs a request (the new range's partial last page). It is worth it only when fewer ranges
      // than the limit can use are being read and no request is queued at the limiter: while one is, the
      // limit sets the pace and another range would only queue too.
      const range = scheduler.take(scheduler.active < usefulRanges() && client.limiter.waiting === 0);
      if (!range) {
        if (scheduler.done) return;
        await new Promise<void>((resolve) => idle.push(resolve));
        continue;
      }
      for (let restarts = 0; ; restarts += 1) {
        try {
          await scanRange(range);
          break;
        } catch (error) {
          // An expired or invalid page cursor: start the range again from the second it had reached (that
          // second is read again; the destination dedups on id). Bounded, so a server that rejects every
          // cursor still ends the run.
          if (!isExpiredCursor(error) || restarts >= MAX_CURSOR_RESTARTS) throw error;
          logger.warn(`profile_consent: Klaviyo refused an expired page cursor; restarting that range from ${range.fetchedUpTo === undefined ? 'its start' : toFilterDateTime(range.fetchedUpTo * 1000)}`);
        }
      }
    }
  }

  /** Reads one range from where it stands (its first second, or the last second fetched) to its end. */
  async function scanRange(range: UpdatedRange): Promise<void> {
    const filter = rangeFilter({ lo: range.fetchedUpTo ?? range.lo, hi: range.hi }, toFilterDateTime);
    for await (const page of profilePages(client, { filter, sort: 'updated', pageSize: options.pageSize }, PAGE_REQUEST, abort.signal)) {
      if (stopped) return;
      const { records, firstUpdatedSec, lastUpdatedSec, passedEnd, skipped } = mapWithinRange(page.data, range.hi);
      if (skipped > 0) logger.warn(`profile_consent: skipped ${skipped} profile(s) that Klaviyo returned without an id`);
      const last = passedEnd || !page.links?.next;
      scheduler.fetched(range, records.length, lastUpdatedSec, firstUpdatedSec);
      if (last) scheduler.exhaust(range);
      await channel.put({ kind: 'page', range, records, lastUpdatedSec, last });
      if (last) return;
    }
  }

  let running = concurrency;
  for (let i = 0; i < concurrency; i += 1) {
    void work()
      .catch((error: unknown) => (stopped ? undefined : channel.put({ kind: 'failed', error }, true)))
      .finally(() => {
        running -= 1;
        if (running === 0) channel.close();
        else wake();
      });
  }

  let cursor = options.initialCursor;
  let records = 0;
  let pages = 0;
  const progressNow = (): ReadProgress => {
    const seconds = (Date.now() - started) / 1000;
    const recordsPerSecond = seconds > 0 ? records / seconds : 0;
    const recordsLeft = scheduler.estimatedRemaining();
    // Each range still open ends on a partial page of its own.
    const pagesLeft = Math.ceil(recordsLeft / options.pageSize) + scheduler.active;
    const bySpeed = recordsPerSecond > 0 ? recordsLeft / recordsPerSecond : Number.POSITIVE_INFINITY;
    const byLimit = Number.isFinite(pagesLeft) ? client.limiter.secondsFor(pagesLeft) : Number.POSITIVE_INFINITY;
    return {
      records,
      pages,
      requests: client.requestCount - requestsBefore,
      seconds,
      recordsPerSecond,
      rateLimitWaitSeconds: client.waitedMs / 1000,
      estimatedRecordsLeft: recordsLeft,
      estimatedSecondsLeft: Number.isFinite(bySpeed) ? Math.max(bySpeed, byLimit) : byLimit,
      waitingSeconds: waitingSeconds(),
    };
  };
  try {
    for (;;) {
      const delivery = await channel.take();
      if (delivery === undefined) break;
      if (delivery.kind === 'failed') throw delivery.error;
      if (delivery.kind === 'rate_limited') {
        yield { type: 'rate_limited', waitMs: delivery.waitMs, untilMs: delivery.untilMs };
        continue;
      }
      // Only the planning phase above waits for it; here it can only be a late duplicate.
      if (delivery.kind === 'planned') continue;
      if (delivery.kind === 'heartbeat') {
        // No page for a while (the rate limit holds every request): say so, rather than fall silent.
        if (Date.now() - lastProgress >= heartbeatMs) {
          lastProgress = Date.now();
          yield { type: 'progress', progress: progressNow() };
        }
        continue;
      }
      pages += 1;
      const fresh = options.skipIds.size > 0 ? delivery.records.filter((r) => !options.skipIds.has(r.id)) : delivery.records;
      records += fresh.length;
      if (fresh.length > 0) yield { type: 'records', records: fresh };
      scheduler.emitted(delivery.range, delivery.lastUpdatedSec, delivery.last);
      wake();

      const watermark = scheduler.watermark();
      if (watermark !== undefined) {
        const candidate = toFilterDateTime(watermark * 1000);
        const capped = compareNormalized(candidate, ceiling) > 0 ? ceiling : candidate;
        if (cursor === undefined || compareNormalized(capped, cursor) > 0) cursor = capped;
      }
      yield { type: 'cursor', updated: cursor, complete: scheduler.done };
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        yield { type: 'progress', progress: progressNow() };
      }
    }
    // Every range delivers at least one (possibly empty) page, so this only guards the protocol's due state.
    if (pages === 0) yield { type: 'cursor', updated: cursor, complete: true };
  } finally {
    // Not awaited: a worker may be sleeping out a long Retry-After, and a failed or abandoned read must not
    // wait for it. Stopped workers drop whatever their last request returns.
    stopped = true;
    clearInterval(heartbeat);
    abort.abort(new Error('the updated scan stopped'));
    stopNotices();
    channel.close();
    wake();
  }
  const seconds = (Date.now() - started) / 1000;
  logger.info(
    `profile_consent: updated scan: ${records} records from ${pages} pages in ${seconds.toFixed(1)} s (${client.requestCount - requestsBefore} requests, ${scheduler.all.length} ranges, rate-limit waits ${(client.waitedMs / 1000).toFixed(1)} s); cursor ${cursor ?? 'none'}`,
  );
}

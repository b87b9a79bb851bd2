import { describe, expect, it } from 'vitest';
import { toFilterDateTime } from '../../src/common/datetime.js';
import { rangeFilter, RangeScheduler } from '../../src/engine/range-scheduler.js';
import { mapWithinRange } from '../../src/engine/scan-updated-ranges.js';
import type { ProfileResource } from '../../src/klaviyo/types.js';

describe('RangeScheduler', () => {
  it('slices [oldest, upper) into adjacent ranges, the last one open', () => {
    const s = new RangeScheduler(undefined, 1000, 4, 0);
    expect(s.all.map((r) => [r.lo, r.hi])).toEqual([
      [undefined, 250],
      [250, 500],
      [500, 750],
      [750, undefined],
    ]);
  });

  it('one worker gets one range covering everything', () => {
    const s = new RangeScheduler(100, 1000, 1);
    expect(s.all.map((r) => [r.lo, r.hi])).toEqual([[100, undefined]]);
  });

  it('splits the range with the most left at a point past what its worker fetched', () => {
    const s = new RangeScheduler(0, 10_000, 2, 0);
    const a = s.take()!;
    const b = s.take()!;
    s.fetched(a, 1000, 100); // dense: 1000 records in 101 s
    s.fetched(b, 10, 6000); // sparse
    const upper = s.take()!;
    expect(upper.lo).toBeGreaterThan(100);
    expect(a.hi).toBe(upper.lo);
    expect(upper.hi).toBe(5000);
    expect(s.all.indexOf(upper)).toBe(s.all.indexOf(a) + 1);
  });

  it('does not split a range with little left', () => {
    const s = new RangeScheduler(0, 100, 1, 0);
    const a = s.take()!;
    s.fetched(a, 10, 50);
    expect(s.take()).toBeUndefined();
  });

  it('the watermark stops at the first unfinished range and never counts fetched-but-unemitted records', () => {
    const s = new RangeScheduler(0, 300, 3, 0);
    const [a, b, c] = [s.take()!, s.take()!, s.take()!];
    expect(s.watermark()).toBe(0);
    s.fetched(b, 100, 150);
    s.exhaust(b);
    s.emitted(b, 150, true); // b finished, a not started: nothing past a's start
    expect(s.watermark()).toBe(0);
    s.fetched(a, 50, 40);
    expect(s.watermark()).toBe(0); // fetched, not emitted
    s.emitted(a, 40, false);
    expect(s.watermark()).toBe(40);
    s.emitted(a, 90, true);
    expect(s.watermark()).toBe(c.lo); // a and b finished, c not started
    s.emitted(c, 250, true);
    expect(s.done).toBe(true);
    expect(s.watermark()).toBe(250);
  });

  it('builds strict whole-second filters that leave no second between adjacent ranges', () => {
    expect(rangeFilter({ lo: 10, hi: 20 }, toFilterDateTime)).toBe('greater-than(updated,1970-01-01T00:00:09Z),less-than(updated,1970-01-01T00:00:20Z)');
    expect(rangeFilter({ lo: 20, hi: undefined }, toFilterDateTime)).toBe('greater-than(updated,1970-01-01T00:00:19Z)');
    expect(rangeFilter({ lo: undefined, hi: undefined }, toFilterDateTime)).toBeUndefined();
  });
});

describe('mapWithinRange', () => {
  const profile = (id: string, updated: string): ProfileResource => ({ type: 'profile', id, attributes: { updated } });
  it('keeps records before the upper bound and stops at the first one at or past it', () => {
    const hi = Date.parse('2024-01-01T00:00:10Z') / 1000;
    const page = [profile('a', '2024-01-01T00:00:08+00:00'), profile('b', '2024-01-01T00:00:09+00:00'), profile('c', '2024-01-01T00:00:10+00:00'), profile('d', '2024-01-01T00:00:11+00:00')];
    const result = mapWithinRange(page, hi);
    expect(result.records.map((r) => r.id)).toEqual(['a', 'b']);
    expect(result.lastUpdatedSec).toBe(hi - 1);
    expect(result.passedEnd).toBe(true);
    expect(mapWithinRange(page, undefined).records).toHaveLength(4);
    expect(mapWithinRange(page, undefined).passedEnd).toBe(false);
  });
});

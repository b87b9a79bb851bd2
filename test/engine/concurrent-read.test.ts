import type { ProfileConsentState } from '../../src/generated/profile-consent-state.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse-config.js';
import type { SyncEvent } from '../../src/engine/events.js';
import { createClient, runSync } from '../../src/engine/run-sync.js';
import { silentLogger } from '../../src/common/logger.js';
import { KlaviyoSimulator } from '../../src/simulator/index.js';
import { configFor } from '../helpers/simulator-config.js';

// The engine in-process against the simulator over real HTTP: every event is visible, so each checkpoint
// can be checked against the simulator's truth at the moment it is emitted.

const DAY = 86_400_000;
const anchor = Date.parse('2026-10-01T00:00:00Z');
let simulator: KlaviyoSimulator;

/** Skewed: 80% of profiles in the last week, the rest over two years, in tie groups of up to 40 per second. */
function seedSkewed(sim: KlaviyoSimulator, count: number) {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let made = 0;
  while (made < count) {
    const recent = random() < 0.8;
    const at = recent ? anchor - Math.floor(random() * 7 * DAY) : anchor - 7 * DAY - Math.floor(random() * 730 * DAY);
    const ties = 1 + Math.floor(random() * 40);
    for (let i = 0; i < ties && made < count; i += 1, made += 1) sim.addProfile({ email: `p${made}@example.com` }, { at: new Date(Math.floor(at / 1000) * 1000) });
  }
}

// These tests page 3,000 profiles ten at a time, run after run: about the concurrent scan, not pacing, so the
// simulator lifts Klaviyo's rate limits and the connector's own are raised to match (both have tests of their own).
const UNLIMITED = { requests_per_second: 1000, requests_per_minute: 60000 };
beforeAll(async () => {
  simulator = await KlaviyoSimulator.start({ profiles: 0, rateLimits: 'none' });
  seedSkewed(simulator, 3000);
});
afterAll(() => simulator.close());

async function collect(overrides: Record<string, unknown>, state?: { updated: string }, stopAfterCheckpoints?: number) {
  const settings = parseConfig(configFor(simulator, { ...UNLIMITED, ...overrides }));
  const events: SyncEvent[] = [];
  let checkpoints = 0;
  for await (const event of runSync({ settings, streams: [{ stream: 'profile_consent', mode: 'incremental', state }], logger: silentLogger })) {
    events.push(event);
    if (event.type === 'checkpoint' && stopAfterCheckpoints !== undefined && ++checkpoints >= stopAfterCheckpoints) break;
  }
  return events;
}

const recordIds = (events: SyncEvent[]) => events.flatMap((e) => (e.type === 'records' ? e.records.map((r) => r.id) : []));

describe('concurrent read of profile_consent', () => {
  it('reads every profile exactly once with 8 workers, splitting ranges, and every checkpoint is exact', async () => {
    simulator.resetStats();
    const events = await collect({ concurrency: 8, page_size: 10 });
    expect(events.find((e) => e.type === 'stream_failed')).toBeUndefined();
    const ids = recordIds(events);
    const truth = simulator.allProfiles();
    expect(ids).toHaveLength(truth.length);
    expect(new Set(ids).size).toBe(truth.length);

    // the scan really was split beyond the initial slices
    const filters = new Set(simulator.requestLog.map((r) => new URL(r.url, simulator.baseUrl).searchParams.get('filter')));
    expect(filters.size).toBeGreaterThan(8);

    // each checkpoint promises: every profile updated before its cursor was emitted before it
    const updatedById = new Map(truth.map((p) => [p.id, Date.parse(p.attributes.updated!)]));
    const seen = new Set<string>();
    let checked = 0;
    for (const event of events) {
      if (event.type === 'records') for (const record of event.records) seen.add(record.id);
      const state = event.type === 'checkpoint' ? (event.state as ProfileConsentState) : undefined;
      if (state?.updated) {
        const cursor = Date.parse(state.updated);
        for (const [id, updated] of updatedById) if (updated < cursor) expect(seen.has(id), `${id} before checkpoint ${state.updated}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10);
    const last = events.filter((e) => e.type === 'checkpoint').at(-1);
    expect(last?.type === 'checkpoint' && Date.parse((last.state as ProfileConsentState).updated!)).toBe(Math.max(...updatedById.values()));
  });

  it('reads no more ranges at once than the rate limit can keep busy: each one costs a partial page', async () => {
    // 20 requests/s at ~20 ms a page: one request in flight reaches the limit, whatever `concurrency` allows
    simulator.setLatency(20);
    simulator.resetStats();
    try {
      const events = await collect({ concurrency: 16, page_size: 100, requests_per_second: 20 });
      expect(recordIds(events)).toHaveLength(simulator.size);
    } finally {
      simulator.setLatency(0);
    }
    const scanFilters = simulator.requestLog
      .filter((r) => new URL(r.url, simulator.baseUrl).pathname === '/api/profiles')
      .map((r) => new URL(r.url, simulator.baseUrl).searchParams.get('filter') ?? '')
      .filter((f) => !f.includes('suppression'));
    // a range or two, a few more if this machine is slow enough to double the latency; 16 without the rule
    expect(new Set(scanFilters).size).toBeLessThanOrEqual(6);
  });

  it('gives the same records with concurrency 1 and 8', async () => {
    const one = recordIds(await collect({ concurrency: 1, page_size: 50 })).sort();
    const eight = recordIds(await collect({ concurrency: 8, page_size: 50 })).sort();
    expect(eight).toEqual(one);
  });

  it('resumes from any mid-run checkpoint without losing a profile, re-reading only above the watermark', async () => {
    for (const stopAt of [3, 17, 40]) {
      const first = await collect({ concurrency: 8, page_size: 10 }, undefined, stopAt);
      const state = first.filter((e) => e.type === 'checkpoint').at(-1);
      expect(state?.type).toBe('checkpoint');
      const cursor = state?.type === 'checkpoint' ? (state.state as ProfileConsentState) : undefined;
      const second = await collect({ concurrency: 8, page_size: 10 }, cursor?.updated ? { updated: cursor.updated } : undefined);
      const union = new Set([...recordIds(first), ...recordIds(second)]);
      expect(union.size, `stopped after ${stopAt} checkpoints`).toBe(simulator.size);
      if (cursor?.updated) {
        const cut = Date.parse(cursor.updated);
        const expected = simulator.allProfiles().filter((p) => Date.parse(p.attributes.updated!) >= cut).length;
        expect(recordIds(second)).toHaveLength(expected);
      }
    }
  });

  it('restarts a range from where it stood when Klaviyo expires its page cursors, losing nothing', async () => {
    const settings = parseConfig(configFor(simulator, { ...UNLIMITED, concurrency: 4, page_size: 10 }));
    const ids = new Set<string>();
    let pagesSeen = 0;
    for await (const event of runSync({ settings, streams: [{ stream: 'profile_consent', mode: 'full_refresh', state: undefined }], logger: silentLogger })) {
      expect(event.type).not.toBe('stream_failed');
      if (event.type !== 'records') continue;
      for (const record of event.records) ids.add(record.id);
      // every cursor handed out so far dies, twice during the scan
      if (++pagesSeen === 20 || pagesSeen === 120) simulator.expireCursors();
    }
    expect(ids.size).toBe(simulator.size);
    const refused = simulator.requestLog.filter((r) => r.status === 400);
    expect(refused.length, 'cursors really expired').toBeGreaterThan(0);
  });

  it('tells the platform when every request waits on the rate limit', async () => {
    const settings = parseConfig(configFor(simulator, { ...UNLIMITED, concurrency: 2 }));
    const client = createClient(settings, silentLogger);
    // what a 429 with Retry-After: 4 does to the shared limiter
    client.limiter.pauseUntil(Date.now() + 4000);
    const events: SyncEvent[] = [];
    for await (const event of runSync({ settings, streams: [{ stream: 'profile_consent', mode: 'full_refresh', state: undefined }], logger: silentLogger, client })) {
      events.push(event);
    }
    const notice = events.find((e) => e.type === 'rate_limited');
    expect(notice?.type === 'rate_limited' && notice.waitMs).toBeGreaterThan(3000);
    expect(events.indexOf(notice!)).toBeLessThan(events.findIndex((e) => e.type === 'records'));
    expect(recordIds(events)).toHaveLength(simulator.size);
  });

  it('reports progress while every request waits on the limit, and ends with the totals', async () => {
    const settings = parseConfig(configFor(simulator, { ...UNLIMITED, concurrency: 2 }));
    const client = createClient(settings, silentLogger);
    client.limiter.pauseUntil(Date.now() + 3500);
    const events: SyncEvent[] = [];
    for await (const event of runSync({ settings, streams: [{ stream: 'profile_consent', mode: 'full_refresh', state: undefined }], logger: silentLogger, client, heartbeatMs: 1000 })) {
      events.push(event);
    }
    const firstRecords = events.findIndex((e) => e.type === 'records');
    const waiting = events.slice(0, firstRecords).filter((e) => e.type === 'progress' && e.progress.waitingSeconds > 0);
    expect(waiting.length, 'a line at least every heartbeat while nothing arrives').toBeGreaterThanOrEqual(2);
    const last = events.filter((e) => e.type === 'progress').at(-1);
    expect(last?.type === 'progress' && last.progress).toMatchObject({ done: true, records: simulator.size });
    expect(last?.type === 'progress' && last.progress.requests).toBeGreaterThan(0);
    expect(last?.type === 'progress' && last.progress.rateLimitWaitSeconds).toBeGreaterThan(3);
  });

  it('tells the platform while the suppression detector waits on the rate limit, before its checkpoint', async () => {
    const settings = parseConfig(configFor(simulator, { ...UNLIMITED, concurrency: 2 }));
    const client = createClient(settings, silentLogger);
    client.limiter.pauseUntil(Date.now() + 4000);
    const state = { updated: '2026-09-30T00:00:00Z', suppressions_since: '2026-09-30T00:00:00Z', events_since: '2026-09-30T00:00:00Z' };
    const events: SyncEvent[] = [];
    for await (const event of runSync({ settings, streams: [{ stream: 'profile_consent', mode: 'incremental', state }], logger: silentLogger, client })) {
      events.push(event);
    }
    expect(events.find((e) => e.type === 'stream_failed')).toBeUndefined();
    const notice = events.findIndex((e) => e.type === 'rate_limited');
    // the first checkpoint follows detector 2; without notices from it, the first would come from the scan
    expect(notice).toBeGreaterThanOrEqual(0);
    expect(notice).toBeLessThan(events.findIndex((e) => e.type === 'checkpoint'));
  });
});

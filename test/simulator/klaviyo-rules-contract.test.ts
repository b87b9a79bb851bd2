import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_API_KEY, klaviyoLimit, type LimitedEndpoint } from '../../src/simulator/index.js';
import { EndpointRateLimits } from '../../src/simulator/rules/rate-limits.js';
import { apiUrl, walkList } from './consent-client.js';
import { errorOf, get, profilesUrl, startSimulator, type RawResponse } from './simulator-client.js';

// One test per rule of ../shared/reference/klaviyo-rules.md that concerns a request this connector sends: the
// simulator refuses the offending request as the rule says, and accepts its lawful twin. The rules are restated
// here, not read from the file, so that the tests run on a clone without ../shared.

const LIST_TS = 'subscriptions.email.marketing.list_suppressions.timestamp';
const LIST_ID = 'subscriptions.email.marketing.list_suppressions.list_id';
const LIST_REASON = 'subscriptions.email.marketing.list_suppressions.reason';
const GLOBAL_TS = 'subscriptions.email.marketing.suppression.timestamp';
const GLOBAL_REASON = 'subscriptions.email.marketing.suppression.reason';
const T = '2024-01-01T00:00:00Z';

let simulator: KlaviyoSimulator;
let list = '';
beforeAll(async () => {
  simulator = await startSimulator({ profiles: 100, seed: 5 });
  list = simulator.lists()[0]!.id;
});
afterAll(() => simulator.close());

/** Klaviyo's JSON:API error document: one error with id, status, code, title, detail and a source. */
function expectRefused(response: RawResponse, status: number, code: string, source?: Record<string, string>): string {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/vnd.api+json');
  const error = errorOf(response);
  expect(Object.keys(error).sort()).toEqual(['code', 'detail', 'id', 'source', 'status', 'title'].sort());
  expect(error.status).toBe(status);
  expect(error.code).toBe(code);
  if (source) expect(error.source).toEqual(source);
  return error.detail;
}

const profiles = (query: Record<string, string>) => get(profilesUrl(simulator, query));

describe("Klaviyo's rules for suppression filters on Get Profiles (SDK changelogs, revision 2023-10-15)", () => {
  it('refuses list and global suppression conditions mixed in one filter', async () => {
    const detail = expectRefused(await profiles({ filter: `greater-than(${GLOBAL_TS},${T}),equals(${LIST_ID},"${list}")` }), 400, 'invalid', { parameter: 'filter' });
    expect(detail).toMatch(/cannot be combined/);
    expect((await profiles({ filter: `greater-than(${GLOBAL_TS},${T})` })).status).toBe(200);
  });

  it('refuses more than one date condition', async () => {
    const detail = expectRefused(await profiles({ filter: `greater-than(${GLOBAL_TS},${T}),less-than(${GLOBAL_TS},2025-01-01T00:00:00Z)` }), 400, 'invalid', { parameter: 'filter' });
    expect(detail).toMatch(/only one date filter/);
    expectRefused(await profiles({ filter: `greater-than(${LIST_TS},${T}),equals(${LIST_ID},"${list}"),less-than(updated,2025-01-01T00:00:00Z)` }), 400, 'invalid', { parameter: 'filter' });
  });

  it('takes a reason or none', async () => {
    expect((await profiles({ filter: `greater-than(${GLOBAL_TS},${T}),equals(${GLOBAL_REASON},"HARD_BOUNCE")` })).status).toBe(200);
    expect((await profiles({ filter: `greater-than(${LIST_TS},${T}),equals(${LIST_ID},"${list}"),equals(${LIST_REASON},"USER_SUPPRESSED")` })).status).toBe(200);
    expect((await profiles({ filter: `greater-than(${LIST_TS},${T}),equals(${LIST_ID},"${list}")` })).status).toBe(200);
  });

  it('refuses any list-suppression condition without equals(list_suppressions.list_id, ...) beside it', async () => {
    for (const filter of [`greater-than(${LIST_TS},${T})`, `equals(${LIST_REASON},"USER_SUPPRESSED")`, `greater-or-equal(${LIST_TS},${T})`]) {
      const detail = expectRefused(await profiles({ filter }), 400, 'invalid', { parameter: 'filter' });
      expect(detail).toContain(`equals(${LIST_ID},"LIST_ID")`);
    }
    // Klaviyo's own example, in both spellings of "and".
    expect((await profiles({ filter: `greater-than(${LIST_TS},${T}),equals(${LIST_ID},"${list}")` })).status).toBe(200);
    expect((await profiles({ filter: `and(equals(${LIST_ID},"${list}"),greater-than(${LIST_TS},${T}))` })).status).toBe(200);
  });

  it('refuses a sort on list_suppressions.timestamp without a list id (assumed, as klaviyo-rules.md says)', async () => {
    expectRefused(await profiles({ sort: LIST_TS }), 400, 'invalid', { parameter: 'sort' });
    expectRefused(await profiles({ sort: `-${LIST_TS}` }), 400, 'invalid', { parameter: 'sort' });
    expect((await profiles({ sort: LIST_TS, filter: `equals(${LIST_ID},"${list}")` })).status).toBe(200);
  });

  it('matches a list id and a timestamp on the same suppression entry', async () => {
    const [first, second] = simulator.lists();
    const profile = simulator.allProfiles().find((p) => p.attributes.email)!;
    simulator.updateProfile(profile.id, (attributes) => {
      attributes.subscriptions!.email!.marketing!.list_suppressions = [
        { list_id: first!.id, reason: 'USER_SUPPRESSED', timestamp: '2020-01-01T00:00:00+00:00' },
        { list_id: second!.id, reason: 'USER_SUPPRESSED', timestamp: '2026-01-01T00:00:00+00:00' },
      ];
    });
    const ids = async (listId: string) =>
      ((await profiles({ filter: `equals(${LIST_ID},"${listId}"),greater-than(${LIST_TS},2025-01-01T00:00:00Z)`, 'page[size]': '100' })).body as { data: Array<{ id: string }> }).data.map((p) => p.id);
    expect(await ids(second!.id)).toContain(profile.id);
    // Suppressed from the first list, and from some list after 2025, but not from the first list after 2025.
    expect(await ids(first!.id)).not.toContain(profile.id);
  });
});

describe('Get Profiles: updated, datetimes, page size', () => {
  it('takes only greater-than and less-than on updated and created (API changelog 2023-05-30)', async () => {
    for (const field of ['updated', 'created']) {
      for (const operator of ['greater-or-equal', 'less-or-equal', 'equals']) {
        expectRefused(await profiles({ filter: `${operator}(${field},${T})` }), 400, 'invalid', { parameter: 'filter' });
      }
      expect((await profiles({ filter: `greater-than(${field},${T}),less-than(${field},2030-01-01T00:00:00Z)` })).status).toBe(200);
    }
  });

  it('refuses a quoted datetime, and takes one with an offset', async () => {
    expectRefused(await profiles({ filter: `greater-than(updated,"${T}")` }), 400, 'invalid', { parameter: 'filter' });
    expect((await profiles({ filter: 'greater-than(updated,2024-01-01T00:00:00+02:00)' })).status).toBe(200);
  });

  it('takes page[size] from 1 to 100', async () => {
    for (const size of ['0', '101']) expectRefused(await profiles({ 'page[size]': size }), 400, 'invalid', { parameter: 'page[size]' });
    expect((await profiles({ 'page[size]': '100' })).status).toBe(200);
  });
});

describe('cursors (community thread 6355, klaviyo-api-python issue 9)', () => {
  it('refuses an expired cursor with code invalid, "Invalid cursor provided." and source.pointer /data/', async () => {
    const next = ((await profiles({ 'page[size]': '5' })).body as { links: { next: string } }).links.next;
    simulator.expireCursors();
    expectRefused(await get(next), 400, 'invalid', { pointer: '/data/' });
    expect(errorOf(await get(next)).detail).toBe('Invalid cursor provided.');
  });
});

describe('metrics and events', () => {
  it('names the SMS consent metrics "Text Messaging" (2026), "SMS" (older accounts), or both (tap-klaviyo PR 87)', async () => {
    const names = async (sim: KlaviyoSimulator) => (await walkList<{ attributes: { name: string } }>(apiUrl(sim, '/api/metrics'), 5)).flatMap((page) => page.data.map((m) => m.attributes.name));
    const text = await names(simulator);
    expect(text).toEqual(expect.arrayContaining(['Subscribed to Text Messaging Marketing', 'Unsubscribed from Text Messaging Marketing']));
    expect(text.filter((name) => /SMS/.test(name))).toEqual([]);
    for (const naming of ['sms', 'both'] as const) {
      const other = await startSimulator({ profiles: 5, smsMetricNaming: naming });
      try {
        const found = await names(other);
        expect(found).toEqual(expect.arrayContaining(['Subscribed to SMS Marketing', 'Unsubscribed from SMS Marketing']));
        expect(found.includes('Subscribed to Text Messaging Marketing')).toBe(naming === 'both');
      } finally {
        await other.close();
      }
    }
  });

  it('takes Get Events page[size] (default 200, at most 1000) only from revision 2026-01-15', async () => {
    const events = (query: Record<string, string>, revision: string) =>
      get(apiUrl(simulator, '/api/events', query), { Authorization: `Klaviyo-API-Key ${SIMULATOR_API_KEY}`, revision });
    expect((await events({ 'page[size]': '1000' }, '2026-01-15')).status).toBe(200);
    expectRefused(await events({ 'page[size]': '1001' }, '2026-07-15'), 400, 'invalid', { parameter: 'page[size]' });
    const detail = expectRefused(await events({ 'page[size]': '1000' }, '2025-10-15'), 400, 'invalid', { parameter: 'page[size]' });
    expect(detail).toContain('2026-01-15');
    const old = await events({ sort: 'datetime' }, '2025-10-15');
    expect(old.status).toBe(200);
    expect((old.body as { data: unknown[] }).data).toHaveLength(200);
  });

  it('takes equals(metric_id), a datetime range and sort=datetime on Get Events', async () => {
    const metric = simulator.metrics().find((m) => m.name === 'Placed Order')!;
    const filter = `equals(metric_id,"${metric.id}"),greater-than(datetime,${T}),less-than(datetime,2030-01-01T00:00:00Z)`;
    expect((await get(apiUrl(simulator, '/api/events', { filter, sort: 'datetime' }))).status).toBe(200);
    expect((await get(apiUrl(simulator, '/api/events', { filter: `greater-or-equal(datetime,${T})` }))).status).toBe(200);
  });

  it('refuses page[size] on Get Metrics, whose pages hold 200', async () => {
    expectRefused(await get(apiUrl(simulator, '/api/metrics', { 'page[size]': '10' })), 400, 'invalid', { parameter: 'page[size]' });
    expect(((await get(apiUrl(simulator, '/api/metrics'))).body as { data: unknown[] }).data).toHaveLength(200);
  });
});

describe('Get Lists', () => {
  it('pages 10 lists at most (page[size] 1 to 10), by id, each list once', async () => {
    const many = await startSimulator({ profiles: 5, lists: 23 });
    try {
      expectRefused(await get(apiUrl(many, '/api/lists', { 'page[size]': '11' })), 400, 'invalid', { parameter: 'page[size]' });
      const pages = await walkList<{ id: string }>(apiUrl(many, '/api/lists'), 10);
      expect(pages.map((page) => page.data.length)).toEqual([10, 10, 3]);
      expect(pages.flatMap((page) => page.data.map((l) => l.id))).toEqual(many.lists().map((l) => l.id).sort());
    } finally {
      await many.close();
    }
  });

  it('needs lists:read', async () => {
    const keyed = await startSimulator({ profiles: 5, apiKeys: { pk_nolists_0000000000000000000000000000: ['profiles:read'] } });
    try {
      const detail = expectRefused(await get(apiUrl(keyed, '/api/lists'), { Authorization: 'Klaviyo-API-Key pk_nolists_0000000000000000000000000000', revision: '2026-07-15' }), 403, 'permission_denied');
      expect(detail).toContain('lists:read');
    } finally {
      await keyed.close();
    }
  });
});

describe('rate limits per endpoint, each counted apart ("Rate limits, status codes, and errors"; OpenAPI)', () => {
  it("holds Klaviyo's published limits, Get Profiles' steady limit 750/m from revision 2026-01-15 and 700/m before", () => {
    expect(klaviyoLimit('profiles', '2026-07-15')).toEqual({ perSecond: 75, perMinute: 750 });
    expect(klaviyoLimit('profiles', '2025-10-15')).toEqual({ perSecond: 75, perMinute: 700 });
    expect(klaviyoLimit('metrics', '2026-07-15')).toEqual({ perSecond: 10, perMinute: 150 });
    expect(klaviyoLimit('events', '2026-07-15')).toEqual({ perSecond: 350, perMinute: 3500 });
    expect(klaviyoLimit('lists', '2026-07-15')).toEqual({ perSecond: 75, perMinute: 750 });
  });

  it.each([
    ['profiles', 75, 750],
    ['metrics', 10, 150],
    ['events', 350, 3500],
    ['lists', 75, 750],
  ] as const)('enforces %s at %i/s and %i/m by default', (endpoint: LimitedEndpoint, perSecond, perMinute) => {
    const limits = new EndpointRateLimits();
    const at = (ms: number) => limits.tryAcquire(endpoint, '2026-07-15', ms);
    for (let i = 0; i < perSecond; i += 1) expect(at(i).allowed).toBe(true);
    expect(at(perSecond)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // The other endpoints have windows of their own.
    for (const other of ['profiles', 'metrics', 'events', 'lists'] as const) {
      if (other !== endpoint) expect(limits.tryAcquire(other, '2026-07-15', perSecond).allowed).toBe(true);
    }
    // Burst after burst, the minute fills up at perMinute.
    let accepted = perSecond;
    for (let second = 1; accepted < perMinute; second += 1) {
      for (let i = 0; i < perSecond && accepted < perMinute; i += 1, accepted += 1) expect(at(second * 1000 + i).allowed).toBe(true);
    }
    const refused = at(59_000);
    expect(refused.allowed).toBe(false);
  });

  it("replaces only the windows an override gives, keeping Klaviyo's other one for the request's revision", () => {
    const limits = new EndpointRateLimits({ profiles: { perSecond: 2 }, metrics: null });
    expect(limits.limitFor('profiles', '2025-10-15')).toEqual({ perSecond: 2, perMinute: 700 });
    expect(limits.limitFor('profiles', '2026-07-15')).toEqual({ perSecond: 2, perMinute: 750 });
    expect(limits.limitFor('metrics', '2026-07-15')).toBeUndefined();
    expect(limits.limitFor('events', '2026-07-15')).toEqual({ perSecond: 350, perMinute: 3500 });
  });

  it('answers 429 with Retry-After and no RateLimit headers over the burst, on one endpoint only', async () => {
    const strict = await KlaviyoSimulator.start({ profiles: 5 });
    try {
      const metrics = await Promise.all(Array.from({ length: 12 }, () => get(apiUrl(strict, '/api/metrics'))));
      const throttled = metrics.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(1);
      expect(throttled[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(throttled[0]!.headers.get('ratelimit-remaining')).toBeNull();
      expect(metrics.find((r) => r.status === 200)!.headers.get('ratelimit-limit')).toBe('150');
      // Get Profiles is counted apart, so it still answers.
      expect((await get(apiUrl(strict, '/api/profiles'))).status).toBe(200);
      expect(strict.stats.refusedBy['429 throttled']).toBe(throttled.length);
    } finally {
      await strict.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { apiUrl, getList, walkList, type EventWire } from './consent-client.js';
import { errorOf, get, startSimulator } from './simulator-client.js';

const ACTIVITY_EVENTS = 2500;
let simulator: KlaviyoSimulator;
let metricIds: Map<string, string>;
beforeAll(async () => {
  simulator = await startSimulator({ profiles: 300, seed: 8, activityEvents: ACTIVITY_EVENTS, consentHistoryProfiles: 0 });
  metricIds = new Map(simulator.metrics().map((metric) => [metric.name, metric.id]));
});
afterAll(async () => {
  await simulator.close();
});

const eventsUrl = (query: Record<string, string> = {}) => apiUrl(simulator, '/api/events', query);
const metricId = (name: string): string => {
  const id = metricIds.get(name);
  if (!id) throw new Error(`no metric ${name}`);
  return id;
};
const rowsOf = (pages: Array<{ data: EventWire[] }>) => pages.flatMap((page) => page.data);

/** -1 when a comes first in the order `sort` names: by time, ties by id ascending. */
function compareFor(sort: string): (a: EventWire, b: EventWire) => number {
  const direction = sort.startsWith('-') ? -1 : 1;
  return (a, b) => (a.attributes.timestamp - b.attributes.timestamp) * direction || (a.id < b.id ? -1 : 1);
}

describe('GET /api/events: paging and sorting', () => {
  it('pages every event exactly once across 1000-size pages, in datetime order', async () => {
    const pages = await walkList<EventWire>(eventsUrl({ sort: 'datetime', 'page[size]': '1000' }), 5);
    expect(pages.map((page) => page.data.length)).toEqual([1000, 1000, 500]);
    const rows = rowsOf(pages);
    expect(new Set(rows.map((row) => row.id)).size).toBe(ACTIVITY_EVENTS);
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(simulator.events().map((event) => event.id)));
    const compare = compareFor('datetime');
    for (let i = 1; i < rows.length; i++) expect(compare(rows[i - 1]!, rows[i]!), `row ${i}`).toBeLessThan(0);
    const next = new URL(pages[0]!.links.next ?? '');
    expect(`${next.origin}${next.pathname}`).toBe(`${simulator.baseUrl}/api/events`);
    expect(next.searchParams.get('sort')).toBe('datetime');
    expect(next.searchParams.get('page[size]')).toBe('1000');
  });

  it('orders by every sort of the spec, ties by id, and defaults to newest first with 200 a page', async () => {
    const tied = simulator.allProfiles()[0]!.id;
    const at = new Date('2026-11-05T00:00:00Z');
    for (let i = 0; i < 5; i++) simulator.recordEvent(tied, 'Placed Order', { at });
    for (const sort of ['datetime', '-datetime', 'timestamp', '-timestamp']) {
      const rows = rowsOf(await walkList<EventWire>(eventsUrl({ sort, 'page[size]': '700' }), 6));
      expect(rows, sort).toHaveLength(simulator.events().length);
      const compare = compareFor(sort);
      for (let i = 1; i < rows.length; i++) expect(compare(rows[i - 1]!, rows[i]!), `${sort} row ${i}`).toBeLessThan(0);
    }
    const first = await getList<EventWire>(eventsUrl());
    expect(first.data).toHaveLength(200);
    const newest = (await getList<EventWire>(eventsUrl({ sort: '-datetime', 'page[size]': '200' }))).data;
    expect(first.data.map((row) => row.id)).toEqual(newest.map((row) => row.id));
  });

  it('serves events as the spec shapes them', async () => {
    const [event] = (await getList<EventWire>(eventsUrl({ 'page[size]': '1' }))).data;
    const truth = simulator.events().find((candidate) => candidate.id === event!.id)!;
    expect(event).toEqual({
      type: 'event',
      id: truth.id,
      attributes: {
        timestamp: Date.parse(truth.datetime) / 1000,
        event_properties: expect.any(Object),
        datetime: truth.datetime,
        uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      },
      relationships: {
        profile: { data: { type: 'profile', id: truth.profileId }, links: expect.any(Object) },
        metric: { data: { type: 'metric', id: truth.metricId }, links: expect.any(Object) },
      },
      links: { self: `${simulator.baseUrl}/api/events/${truth.id}/` },
    });
    expect(truth.datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(event!.id).toMatch(/^[A-Za-z0-9]{11}$/);
  });
});

describe('GET /api/events: filters', () => {
  it('filters by metric_id, alone or as a list', async () => {
    const placed = metricId('Placed Order');
    const opened = metricId('Opened Email');
    const rows = rowsOf(await walkList<EventWire>(eventsUrl({ filter: `equals(metric_id,"${placed}")`, 'page[size]': '1000' }), 5));
    const expected = simulator.events().filter((event) => event.metricId === placed);
    expect(expected.length).toBeGreaterThan(100);
    expect(rows.map((row) => row.id).sort()).toEqual(expected.map((event) => event.id).sort());
    for (const row of rows) expect(row.relationships.metric.data.id).toBe(placed);

    const both = rowsOf(await walkList<EventWire>(eventsUrl({ filter: `equals(metric_id,["${placed}","${opened}"])`, 'page[size]': '1000' }), 5));
    expect(both).toHaveLength(simulator.events().filter((event) => event.metricId === placed || event.metricId === opened).length);
    const consent = await getList<EventWire>(eventsUrl({ filter: `equals(metric_id,"${metricId('Subscribed to Email Marketing')}")` }));
    expect(consent.data).toEqual([]);
  });

  it('treats greater-than on datetime as strict and greater-or-equal as inclusive, to the second', async () => {
    const profile = simulator.allProfiles()[1]!.id;
    const mark = new Date('2026-11-10T12:00:00Z');
    const sameSecond = new Date('2026-11-10T12:00:00.900Z');
    const later = new Date('2026-11-10T12:00:01Z');
    const atMark = simulator.recordEvent(profile, 'Bounced Email', { at: mark });
    const inSecond = simulator.recordEvent(profile, 'Bounced Email', { at: sameSecond });
    const after = simulator.recordEvent(profile, 'Bounced Email', { at: later });
    const bounced = `equals(metric_id,"${metricId('Bounced Email')}")`;
    const ids = async (filter: string) => (await getList<EventWire>(eventsUrl({ filter: `${bounced},${filter}`, sort: 'datetime' }))).data.map((row) => row.id);
    expect(await ids('greater-than(datetime,2026-11-10T12:00:00+00:00)')).toEqual([after]);
    expect(await ids('greater-or-equal(datetime,2026-11-10T12:00:00Z)')).toEqual([atMark, inSecond].sort().concat(after));
    expect(await ids('less-than(datetime,2026-11-10T12:00:01Z)')).toEqual([atMark, inSecond].sort());
    expect(await ids('less-or-equal(datetime,2026-11-10T12:00:01Z),greater-than(datetime,2026-11-10T11:00:00Z)')).toHaveLength(3);
    expect(await ids(`and(greater-than(timestamp,${mark.getTime() / 1000}),less-or-equal(timestamp,${later.getTime() / 1000}))`)).toEqual([after]);
    const descending = (await getList<EventWire>(eventsUrl({ filter: `${bounced},greater-or-equal(datetime,2026-11-10T12:00:00Z)`, sort: '-datetime' }))).data;
    expect(descending.map((row) => row.id)).toEqual([after, ...[atMark, inSecond].sort()]);
  });

  it('filters by profile_id and accepts has(profile) and has(metric)', async () => {
    const profile = simulator.events()[0]!.profileId;
    const rows = rowsOf(await walkList<EventWire>(eventsUrl({ filter: `equals(profile_id,'${profile}'),has(profile),has(metric)` }), 5));
    expect(rows.map((row) => row.id).sort()).toEqual(
      simulator.events().filter((event) => event.profileId === profile).map((event) => event.id).sort(),
    );
  });

  it('keeps a scan stable while events arrive: each event once, new ones at the end', async () => {
    const filter = `greater-than(datetime,2026-11-20T00:00:00Z)`;
    const profile = simulator.allProfiles()[2]!.id;
    const first = new Date('2026-11-21T00:00:00Z');
    for (let i = 0; i < 5; i++) simulator.recordEvent(profile, 'Active on Site', { at: new Date(first.getTime() + i * 1000) });
    const page1 = await getList<EventWire>(eventsUrl({ filter, sort: 'datetime', 'page[size]': '3' }));
    const added = simulator.recordEvent(profile, 'Active on Site', { at: new Date(first.getTime() + 10_000) });
    const rest = rowsOf(await walkList<EventWire>(page1.links.next ?? '', 3));
    expect([...page1.data, ...rest].map((row) => row.id)).toHaveLength(6);
    expect(rest.at(-1)?.id).toBe(added);
  });

  it('includes the metrics and profiles of a page when asked', async () => {
    const page = await getList<EventWire>(eventsUrl({ 'page[size]': '20', include: 'metric,profile', 'fields[event]': 'datetime' }));
    const metricIdsOnPage = new Set(page.data.map((row) => row.relationships.metric.data.id));
    const profileIdsOnPage = new Set(page.data.map((row) => row.relationships.profile.data.id));
    const included = page.included ?? [];
    expect(new Set(included.filter((r) => r.type === 'metric').map((r) => r.id))).toEqual(metricIdsOnPage);
    expect(new Set(included.filter((r) => r.type === 'profile').map((r) => r.id))).toEqual(profileIdsOnPage);
    for (const row of page.data) expect(Object.keys(row.attributes)).toEqual(['datetime']);
  });
});

describe('GET /api/events: invalid queries', () => {
  async function badRequest(query: Record<string, string>, parameter: string): Promise<string> {
    const response = await get(eventsUrl(query));
    expect(response.status, JSON.stringify(query)).toBe(400);
    expect(errorOf(response).code).toBe('invalid');
    expect(errorOf(response).source).toEqual({ parameter });
    return errorOf(response).detail;
  }

  it('rejects a quoted datetime, a quoted timestamp and a datetime for timestamp', async () => {
    expect(await badRequest({ filter: "greater-than(datetime,'2026-01-01T00:00:00Z')" }, 'filter')).toContain('quoted');
    expect(await badRequest({ filter: "greater-than(timestamp,'1767225600')" }, 'filter')).toContain('quoted');
    await badRequest({ filter: 'greater-than(timestamp,2026-01-01T00:00:00Z)' }, 'filter');
    expect((await get(eventsUrl({ filter: 'greater-than(datetime,2026-01-01T00:00:00.123456+00:00)' }))).status).toBe(200);
  });

  it('rejects a page size outside 1..1000', async () => {
    for (const size of ['0', '1001', '2.5', 'ten']) await badRequest({ 'page[size]': size }, 'page[size]');
    expect((await get(eventsUrl({ 'page[size]': '1' }))).status).toBe(200);
  });

  it('rejects sorts, fields and operators the spec does not list', async () => {
    await badRequest({ sort: 'id' }, 'sort');
    await badRequest({ filter: "equals(uuid,'x')" }, 'filter');
    await badRequest({ filter: "any(metric_id,['a'])" }, 'filter');
    await badRequest({ filter: "equals(profile_id,['a','b'])" }, 'filter');
    await badRequest({ filter: "has(datetime)" }, 'filter');
    await badRequest({ filter: "contains(metric_id,'a')" }, 'filter');
    await badRequest({ include: 'lists' }, 'include');
    await badRequest({ 'page[offset]': '1' }, 'page[offset]');
  });

  it("refuses a cursor issued for another sort with Klaviyo's invalid-cursor body", async () => {
    const page = await getList<EventWire>(eventsUrl({ sort: 'datetime', 'page[size]': '2' }));
    const cursor = new URL(page.links.next ?? '').searchParams.get('page[cursor]') ?? '';
    const response = await get(eventsUrl({ sort: '-datetime', 'page[cursor]': cursor }));
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'invalid', detail: 'Invalid cursor provided.', source: { pointer: '/data/' } });
  });
});

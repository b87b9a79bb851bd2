import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { apiUrl, getList, walkList, type MetricWire } from './consent-client.js';
import { errorOf, get, startSimulator } from './simulator-client.js';

const CONSENT_NAMES_TEXT = [
  'Subscribed to Email Marketing',
  'Unsubscribed from Email Marketing',
  'Subscribed to Text Messaging Marketing',
  'Unsubscribed from Text Messaging Marketing',
  'Manually Suppressed from Email Marketing',
  'Manually Unsuppressed from Email Marketing',
  'Marked Email as Spam',
  'Bounced Email',
  'Subscribed to List',
  'Unsubscribed from List',
  'Updated Email Preferences',
  'Subscribed to Text Messaging Transactional',
  'Unsubscribed from Text Messaging Transactional',
];
const ACTIVITY_NAMES = ['Placed Order', 'Opened Email', 'Clicked Email', 'Active on Site'];

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await startSimulator({ profiles: 20, seed: 4 });
});
afterAll(async () => {
  await simulator.close();
});

const metricsUrl = (query: Record<string, string> = {}) => apiUrl(simulator, '/api/metrics', query);

describe('GET /api/metrics', () => {
  it('pages every metric exactly once, 200 a page, by cursor', async () => {
    const pages = await walkList<MetricWire>(metricsUrl(), 5);
    expect(pages.map((page) => page.data.length)).toEqual([200, 17 + 220 - 200]);
    const ids = pages.flatMap((page) => page.data.map((metric) => metric.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(simulator.metrics().map((metric) => metric.id));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{6}$/);
    const next = new URL(pages[0]!.links.next ?? '');
    expect(`${next.origin}${next.pathname}`).toBe(`${simulator.baseUrl}/api/metrics`);
    expect(pages[1]!.links.next ?? null).toBeNull();
  });

  it('names the consent metrics with the 2026 "Text Messaging" names by default', async () => {
    const names = (await walkList<MetricWire>(metricsUrl(), 5)).flatMap((page) => page.data.map((metric) => metric.attributes.name));
    for (const name of [...CONSENT_NAMES_TEXT, ...ACTIVITY_NAMES]) expect(names, name).toContain(name);
    expect(names.filter((name) => name.includes('SMS'))).toEqual([]);
  });

  it('uses the old "SMS" names with smsMetricNaming sms, keeping every id', async () => {
    const old = await startSimulator({ profiles: 20, seed: 4, smsMetricNaming: 'sms' });
    try {
      const names = (await walkList<MetricWire>(apiUrl(old, '/api/metrics'), 5)).flatMap((page) => page.data.map((m) => m.attributes.name));
      expect(names).toContain('Subscribed to SMS Marketing');
      expect(names).toContain('Unsubscribed from SMS Marketing');
      expect(names.filter((name) => name.includes('Text Messag'))).toEqual([]);
      expect(old.metrics().map((metric) => metric.id)).toEqual(simulator.metrics().map((metric) => metric.id));
    } finally {
      await old.close();
    }
  });

  it('serves resources with name, created, updated, integration and links', async () => {
    const page = await getList<MetricWire & { links: { self: string } }>(metricsUrl());
    const metric = page.data.find((m) => m.attributes.name === 'Subscribed to Email Marketing') ?? (await findMetric('Subscribed to Email Marketing'));
    expect(metric).toMatchObject({
      type: 'metric',
      attributes: {
        name: 'Subscribed to Email Marketing',
        created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/),
        integration: { object: 'integration', key: 'klaviyo', name: 'Klaviyo', category: 'Internal' },
      },
      links: { self: `${simulator.baseUrl}/api/metrics/${metric.id}/` },
    });
  });

  it('filters on integration.name and integration.category with equals', async () => {
    const klaviyo = (await walkList<MetricWire>(metricsUrl({ filter: "equals(integration.name,'Klaviyo')" }), 3)).flatMap((p) => p.data);
    expect(klaviyo.map((m) => m.attributes.name).sort()).toEqual([...CONSENT_NAMES_TEXT, 'Opened Email', 'Clicked Email'].sort());
    const ecommerce = (await getList<MetricWire>(metricsUrl({ filter: 'equals(integration.category,"eCommerce")' }))).data;
    expect(ecommerce.map((m) => m.attributes.name)).toEqual(['Placed Order']);
    const none = await getList<MetricWire>(metricsUrl({ filter: "equals(integration.name,'Nobody')" }));
    expect(none.data).toEqual([]);
  });

  it('applies fields[metric]', async () => {
    const page = await getList<MetricWire>(metricsUrl({ 'fields[metric]': 'name' }));
    for (const metric of page.data) expect(Object.keys(metric.attributes)).toEqual(['name']);
  });

  it('rejects what the spec does not allow: page[size], other filter fields and operators', async () => {
    for (const [query, parameter] of [
      [{ 'page[size]': '10' }, 'page[size]'],
      [{ filter: "equals(name,'Bounced Email')" }, 'filter'],
      [{ filter: "any(integration.name,['Klaviyo'])" }, 'filter'],
      [{ 'fields[metric]': 'colour' }, 'fields[metric]'],
    ] as const) {
      const response = await get(metricsUrl(query));
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(errorOf(response).source).toEqual({ parameter });
    }
    const badCursor = await get(metricsUrl({ 'page[cursor]': 'nonsense!' }));
    expect(badCursor.status).toBe(400);
    expect(errorOf(badCursor)).toMatchObject({ code: 'invalid', detail: 'Invalid cursor provided.', source: { pointer: '/data/' } });
  });

  it("holds both the old and the 2026 SMS names with smsMetricNaming both, every other id unchanged", async () => {
    const both = await startSimulator({ profiles: 20, seed: 4, smsMetricNaming: 'both' });
    try {
      const names = both.metrics().map((metric) => metric.name);
      for (const name of ['Subscribed to SMS Marketing', 'Unsubscribed from SMS Marketing', 'Subscribed to Text Messaging Marketing', 'Unsubscribed from Text Messaging Marketing']) {
        expect(names, name).toContain(name);
      }
      const ids = new Set(both.metrics().map((metric) => metric.id));
      for (const metric of simulator.metrics()) expect(ids.has(metric.id), metric.name).toBe(true);
    } finally {
      await both.close();
    }
  });

  it('keeps the same ids for the same seed and other ids for another seed', async () => {
    const again = await startSimulator({ profiles: 5, seed: 4 });
    const other = await startSimulator({ profiles: 5, seed: 5 });
    try {
      expect(again.metrics()).toEqual(simulator.metrics());
      expect(other.metrics().map((m) => m.id)).not.toEqual(simulator.metrics().map((m) => m.id));
    } finally {
      await again.close();
      await other.close();
    }
  });

  it('has one page when there are few custom metrics', async () => {
    const small = await startSimulator({ profiles: 5, customMetrics: 0 });
    try {
      const page = await getList<MetricWire>(apiUrl(small, '/api/metrics'));
      expect(page.data).toHaveLength(17);
      expect(page.links.next ?? null).toBeNull();
    } finally {
      await small.close();
    }
  });
});

async function findMetric(name: string): Promise<MetricWire & { links: { self: string } }> {
  const all = (await walkList<MetricWire & { links: { self: string } }>(metricsUrl(), 5)).flatMap((page) => page.data);
  const metric = all.find((m) => m.attributes.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return metric;
}

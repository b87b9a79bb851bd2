import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { errorOf, get, getPage, startSimulator, type RawResponse } from './simulator-client.js';

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  // 220 custom metrics (the default) give GET /api/metrics a second page.
  simulator = await startSimulator({ profiles: 30, activityEvents: 30 });
});
afterAll(async () => {
  await simulator.close();
});

const FIRST_PAGES = {
  profiles: '/api/profiles?page%5Bsize%5D=5',
  metrics: '/api/metrics',
  events: '/api/events?page%5Bsize%5D=5',
};

async function nextLink(path: string): Promise<string> {
  const next = (await getPage(`${simulator.baseUrl}${path}`)).links.next;
  if (!next) throw new Error(`${path} has a single page`);
  return next;
}

const idsOf = async (url: string): Promise<string[]> => (await getPage(url)).data.map((resource) => resource.id);

function cursorFields(link: string): unknown[] {
  const cursor = new URL(link).searchParams.get('page[cursor]') ?? '';
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
}

function expectInvalidCursor(response: RawResponse): string {
  expect(response.status).toBe(400);
  const error = errorOf(response);
  expect(error.code).toBe('invalid');
  expect(error.source).toEqual({ parameter: 'page[cursor]' });
  return error.detail;
}

describe('expireCursors', () => {
  it.each(Object.entries(FIRST_PAGES))('refuses %s cursors issued before the call, and serves those issued after', async (_name, path) => {
    const stale = await nextLink(path);
    const secondPage = await idsOf(stale);
    simulator.expireCursors();

    const detail = expectInvalidCursor(await get(stale));
    expect(detail).toMatch(/^Invalid page cursor: it has expired\./);
    const fresh = await nextLink(path);
    expect(fresh).not.toBe(stale);
    expect(await idsOf(fresh)).toEqual(secondPage);
  });

  it('keeps the original cursor form until cursors are first expired, and refuses a cursor from a later epoch', async () => {
    const unexpired = await startSimulator({ profiles: 10 });
    try {
      const next = (await getPage(`${unexpired.baseUrl}${FIRST_PAGES.profiles}`)).links.next ?? '';
      expect(cursorFields(next)).toHaveLength(4);
    } finally {
      await unexpired.close();
    }
    const current = await nextLink(FIRST_PAGES.profiles);
    const fields = cursorFields(current);
    expect(fields).toHaveLength(5);
    const epoch = fields[4] as number;
    const forged = new URL(current);
    forged.searchParams.set('page[cursor]', Buffer.from(JSON.stringify([...fields.slice(0, 4), epoch + 1])).toString('base64url'));
    expect(expectInvalidCursor(await get(forged.toString()))).toMatch(/not a cursor issued by this API/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { errorOf, get, getPage, startSimulator, type RawResponse } from './simulator-client.js';

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  // 220 custom metrics (the default) give GET /api/metrics a second page.
  simulator = await startSimulator({ profiles: 30, activityEvents: 30, lists: 25 });
});
afterAll(async () => {
  await simulator.close();
});

const FIRST_PAGES = {
  profiles: '/api/profiles?page%5Bsize%5D=5',
  metrics: '/api/metrics',
  events: '/api/events?page%5Bsize%5D=5',
  lists: '/api/lists?page%5Bsize%5D=5',
};

async function nextLink(path: string, on = simulator): Promise<string> {
  const next = (await getPage(`${on.baseUrl}${path}`)).links.next;
  if (!next) throw new Error(`${path} has a single page`);
  return next;
}

const idsOf = async (url: string): Promise<string[]> => (await getPage(url)).data.map((resource) => resource.id);

function cursorFields(link: string): unknown[] {
  const cursor = new URL(link).searchParams.get('page[cursor]') ?? '';
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
}

/** klaviyo-rules.md: an invalid or expired cursor is a 400 `invalid`, "Invalid cursor provided.", source.pointer "/data/". */
function expectInvalidCursor(response: RawResponse): void {
  expect(response.status).toBe(400);
  const error = errorOf(response);
  expect(error.code).toBe('invalid');
  expect(error.detail).toBe('Invalid cursor provided.');
  expect(error.source).toEqual({ pointer: '/data/' });
}

describe('expireCursors', () => {
  it.each(Object.entries(FIRST_PAGES))('refuses %s cursors issued before the call, and serves those issued after', async (_name, path) => {
    const stale = await nextLink(path);
    const secondPage = await idsOf(stale);
    simulator.expireCursors();

    expectInvalidCursor(await get(stale));
    const fresh = await nextLink(path);
    expect(fresh).not.toBe(stale);
    expect(await idsOf(fresh)).toEqual(secondPage);
  });

  it('refuses a cursor from a later epoch, which it cannot have issued', async () => {
    const current = await nextLink(FIRST_PAGES.profiles);
    const fields = cursorFields(current);
    expect(fields).toHaveLength(6);
    const forged = new URL(current);
    forged.searchParams.set('page[cursor]', Buffer.from(JSON.stringify([...fields.slice(0, 4), (fields[4] as number) + 1, fields[5]])).toString('base64url'));
    expectInvalidCursor(await get(forged.toString()));
  });
});

describe('cursorMaxAgeSeconds', () => {
  it.each(Object.entries(FIRST_PAGES))('refuses %s cursors older than the age, and serves younger ones', async (_name, path) => {
    const aging = await startSimulator({ profiles: 30, activityEvents: 30, lists: 25, cursorMaxAgeSeconds: 1 });
    try {
      const young = await nextLink(path, aging);
      expect((await get(young)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expectInvalidCursor(await get(young));
      aging.setCursorMaxAge(undefined);
      expect((await get(young)).status).toBe(200);
    } finally {
      await aging.close();
    }
  });
});

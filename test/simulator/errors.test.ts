import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_API_KEY, SIMULATOR_NO_SCOPE_API_KEY } from '../../src/simulator/index.js';
import { authHeaders, errorOf, get, profilesUrl, REVISION, startSimulator, type RawResponse } from './simulator-client.js';

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await startSimulator({ profiles: 50 });
});
afterAll(async () => {
  await simulator.close();
});

function expectKlaviyoError(response: RawResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/vnd.api+json');
  const error = errorOf(response);
  expect(error.code).toBe(code);
  expect(error.status).toBe(status);
  expect(error.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(error.title).not.toBe('');
  expect(error.detail).not.toBe('');
}

async function badRequest(query: Record<string, string>, parameter: string): Promise<string> {
  const response = await get(profilesUrl(simulator, query));
  expectKlaviyoError(response, 400, 'invalid');
  expect(errorOf(response).source).toEqual({ parameter });
  return errorOf(response).detail;
}

describe('authentication and authorisation', () => {
  it('answers 401 not_authenticated without an Authorization header', async () => {
    const response = await get(profilesUrl(simulator), { revision: REVISION });
    expectKlaviyoError(response, 401, 'not_authenticated');
    expect(errorOf(response).detail).toBe('Missing or invalid authorization scheme. Please use Klaviyo-API-Key.');
  });

  it('answers 401 not_authenticated for another scheme', async () => {
    const response = await get(profilesUrl(simulator), { Authorization: `Bearer ${SIMULATOR_API_KEY}`, revision: REVISION });
    expectKlaviyoError(response, 401, 'not_authenticated');
  });

  it('answers 401 authentication_failed for an unknown key', async () => {
    const response = await get(profilesUrl(simulator), authHeaders('pk_not_a_real_key'));
    expectKlaviyoError(response, 401, 'authentication_failed');
    expect(errorOf(response).title).toBe('Incorrect authentication credentials.');
  });

  it('answers 403 permission_denied for a key without profiles:read', async () => {
    const response = await get(profilesUrl(simulator), authHeaders(SIMULATOR_NO_SCOPE_API_KEY));
    expectKlaviyoError(response, 403, 'permission_denied');
    expect(errorOf(response).title).toBe('You do not have permission to perform this action.');
  });

  it('checks authentication before the revision header', async () => {
    const response = await get(profilesUrl(simulator), {});
    expect(response.status).toBe(401);
  });

  it('honours custom API keys and scopes', async () => {
    const custom = await startSimulator({ profiles: 3, apiKeys: { pk_custom: ['profiles:read'], pk_lists: ['lists:read'] } });
    try {
      expect((await get(profilesUrl(custom), authHeaders('pk_custom'))).status).toBe(200);
      expect((await get(profilesUrl(custom), authHeaders('pk_lists'))).status).toBe(403);
      expect((await get(profilesUrl(custom), authHeaders(SIMULATOR_API_KEY))).status).toBe(401);
    } finally {
      await custom.close();
    }
  });
});

describe('revision header', () => {
  it('is required', async () => {
    const response = await get(profilesUrl(simulator), { Authorization: `Klaviyo-API-Key ${SIMULATOR_API_KEY}` });
    expectKlaviyoError(response, 400, 'invalid');
    expect(errorOf(response).source).toEqual({ parameter: 'revision' });
  });

  it('must look like YYYY-MM-DD[.suffix]', async () => {
    const headers = (revision: string) => ({ ...authHeaders(), revision });
    expect((await get(profilesUrl(simulator), headers('July 2026'))).status).toBe(400);
    expect((await get(profilesUrl(simulator), headers('2026-07'))).status).toBe(400);
    expect((await get(profilesUrl(simulator), headers('2026-07-15.pre'))).status).toBe(200);
  });
});

describe('query parameters', () => {
  it('rejects page[size] outside 1..100 or not an integer', async () => {
    await badRequest({ 'page[size]': '101' }, 'page[size]');
    await badRequest({ 'page[size]': '0' }, 'page[size]');
    await badRequest({ 'page[size]': '2.5' }, 'page[size]');
    await badRequest({ 'page[size]': 'ten' }, 'page[size]');
    expect((await get(profilesUrl(simulator, { 'page[size]': '100' }))).status).toBe(200);
  });

  it('rejects a sort outside the spec enum', async () => {
    await badRequest({ sort: 'first_name' }, 'sort');
    await badRequest({ sort: '+updated' }, 'sort');
  });

  it('rejects unknown additional fields, sparse fields and includes', async () => {
    await badRequest({ 'additional-fields[profile]': 'subscriptions,lists' }, 'additional-fields[profile]');
    await badRequest({ 'fields[profile]': 'email,favourite_colour' }, 'fields[profile]');
    await badRequest({ include: 'lists' }, 'include');
  });

  it('rejects unknown and repeated parameters', async () => {
    await badRequest({ 'page[offset]': '20' }, 'page[offset]');
    const twice = await get(`${profilesUrl(simulator)}?sort=id&sort=-id`);
    expect(twice.status).toBe(400);
  });

  it('rejects a filter on a field outside x-klaviyo-filters', async () => {
    expect(await badRequest({ filter: "equals(first_name,'Zoë')" }, 'filter')).toContain('first_name');
  });

  it('rejects an operator the field does not allow', async () => {
    await badRequest({ filter: 'greater-or-equal(updated,2024-01-01T00:00:00Z)' }, 'filter');
    await badRequest({ filter: "any(email,'a@example.com')" }, 'filter');
    await badRequest({ filter: "contains(email,'example')" }, 'filter');
    await badRequest({ filter: "or(equals(email,'a@example.com'),equals(email,'b@example.com'))" }, 'filter');
  });

  it('rejects a quoted datetime and accepts the unquoted forms', async () => {
    expect(await badRequest({ filter: "greater-than(updated,'2024-01-01T00:00:00Z')" }, 'filter')).toContain('quoted');
    for (const datetime of ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00.123456+00:00']) {
      const response = await get(profilesUrl(simulator, { filter: `greater-than(updated,${datetime})` }));
      expect(response.status, datetime).toBe(200);
    }
  });

  it('rejects a datetime whose + arrived as a space because it was not URL-encoded', async () => {
    const response = await get(`${profilesUrl(simulator)}?filter=greater-than(updated,2024-01-01T00:00:00+00:00)`);
    expect(response.status).toBe(400);
  });

  it('rejects filters that do not parse', async () => {
    for (const filter of ['equals(email', 'equals(email,)', "equals(email,'a@example.com'", "equals(email,'a@example.com'))", '', 'updated > 2024']) {
      await badRequest({ filter }, 'filter');
    }
  });

  it("refuses a cursor it did not issue, or one issued for another sort, with Klaviyo's invalid-cursor body", async () => {
    const first = await get(profilesUrl(simulator, { sort: 'updated', 'page[size]': '5' }));
    const next = (first.body as { links: { next: string } }).links.next;
    const cursor = new URL(next).searchParams.get('page[cursor]') ?? '';
    const queries: Array<Record<string, string>> = [{ 'page[cursor]': 'not-a-cursor' }, { 'page[cursor]': '' }, { 'page[cursor]': Buffer.from('{"a":1}').toString('base64url') }, { sort: 'created', 'page[cursor]': cursor }];
    for (const query of queries) {
      const response = await get(profilesUrl(simulator, query));
      expectKlaviyoError(response, 400, 'invalid');
      // klaviyo-rules.md: observed bodies name no parameter, only a pointer at the document root.
      expect(errorOf(response).detail).toBe('Invalid cursor provided.');
      expect(errorOf(response).source).toEqual({ pointer: '/data/' });
    }
  });
});

describe('routing', () => {
  it('answers 404 with an error body for other paths', async () => {
    expectKlaviyoError(await get(`${simulator.baseUrl}/api/segments/`), 404, 'not_found');
    expectKlaviyoError(await get(`${simulator.baseUrl}/api/profiles/01GDDKASAP8TKDDA2GRZDSVP4H/`), 404, 'not_found');
  });

  it('answers 405 for other methods on /api/profiles', async () => {
    const response = await fetch(profilesUrl(simulator), { method: 'POST', headers: authHeaders(), body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('method_not_allowed');
  });

  it('accepts /api/profiles with and without the trailing slash', async () => {
    expect((await get(`${simulator.baseUrl}/api/profiles/`)).status).toBe(200);
    expect((await get(`${simulator.baseUrl}/api/profiles`)).status).toBe(200);
  });

  it('counts every request in stats and the request log', async () => {
    simulator.resetStats();
    await get(profilesUrl(simulator));
    await get(profilesUrl(simulator), {});
    await get(`${simulator.baseUrl}/nowhere`);
    expect(simulator.stats.requests).toBe(3);
    expect(simulator.stats.byStatus).toEqual({ 200: 1, 401: 1, 404: 1 });
    expect(simulator.requestLog.map((entry) => [entry.method, entry.url, entry.status])).toEqual([
      ['GET', '/api/profiles', 200],
      ['GET', '/api/profiles', 401],
      ['GET', '/nowhere', 404],
    ]);
  });
});

describe('start options', () => {
  it('refuses a non-loopback host', async () => {
    await expect(KlaviyoSimulator.start({ profiles: 1, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});

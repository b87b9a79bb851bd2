import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_API_KEY, SIMULATOR_NO_SCOPE_API_KEY, type KlaviyoSimulator } from '../../src/simulator/index.js';
import { apiUrl, EMAIL_MARKETING, EMAIL_MARKETING_OFF, jsonApiHeaders, post, subscribeBody, suppressBody, unsubscribeBody } from './consent-client.js';
import { authHeaders, errorOf, get, startSimulator, type RawResponse } from './simulator-client.js';

const SUBSCRIBE = '/api/profile-subscription-bulk-create-jobs';
const UNSUBSCRIBE = '/api/profile-subscription-bulk-delete-jobs';
const SUPPRESS = '/api/profile-suppression-bulk-create-jobs';

let simulator: KlaviyoSimulator;
let email: string;
beforeAll(async () => {
  simulator = await startSimulator({
    profiles: 40,
    apiKeys: {
      [SIMULATOR_API_KEY]: ['profiles:read', 'metrics:read', 'events:read', 'lists:write', 'profiles:write', 'subscriptions:write'],
      [SIMULATOR_NO_SCOPE_API_KEY]: [],
      pk_reader: ['profiles:read', 'metrics:read', 'events:read'],
      pk_no_lists: ['profiles:write', 'subscriptions:write'],
    },
  });
  email = String(simulator.allProfiles().find((p) => typeof p.attributes.email === 'string')!.attributes.email);
});
afterAll(async () => {
  await simulator.close();
});

function expectError(response: RawResponse, status: number, code: string): ReturnType<typeof errorOf> {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/vnd.api+json');
  const error = errorOf(response);
  expect(error).toMatchObject({ status, code, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  return error;
}

const validBodies: Record<string, unknown> = {
  [SUBSCRIBE]: subscribeBody([{ email: 'someone@example.com', subscriptions: EMAIL_MARKETING }]),
  [UNSUBSCRIBE]: unsubscribeBody([{ email: 'someone@example.com', subscriptions: EMAIL_MARKETING_OFF }]),
  [SUPPRESS]: suppressBody(['someone@example.com']),
};

describe('authentication, scopes and revision on the new endpoints', () => {
  it('answers 401 without a key or with an unknown one, before looking at the revision', async () => {
    for (const path of ['/api/metrics', '/api/events']) {
      expectError(await get(apiUrl(simulator, path), {}), 401, 'not_authenticated');
      expectError(await get(apiUrl(simulator, path), authHeaders('pk_unknown')), 401, 'authentication_failed');
    }
    for (const path of [SUBSCRIBE, UNSUBSCRIBE, SUPPRESS]) {
      expectError(await post(apiUrl(simulator, path), validBodies[path], { 'Content-Type': 'application/vnd.api+json' }), 401, 'not_authenticated');
      expectError(await post(apiUrl(simulator, path), validBodies[path], jsonApiHeaders('pk_unknown')), 401, 'authentication_failed');
    }
  });

  it('answers 403 naming the missing scope', async () => {
    expect(expectError(await get(apiUrl(simulator, '/api/metrics'), authHeaders(SIMULATOR_NO_SCOPE_API_KEY)), 403, 'permission_denied').detail).toContain('metrics:read');
    expect(expectError(await get(apiUrl(simulator, '/api/events'), authHeaders(SIMULATOR_NO_SCOPE_API_KEY)), 403, 'permission_denied').detail).toContain('events:read');
    for (const path of [SUBSCRIBE, UNSUBSCRIBE, SUPPRESS]) {
      expectError(await post(apiUrl(simulator, path), validBodies[path], jsonApiHeaders('pk_reader')), 403, 'permission_denied');
    }
    expect(expectError(await post(apiUrl(simulator, SUBSCRIBE), validBodies[SUBSCRIBE], jsonApiHeaders('pk_no_lists')), 403, 'permission_denied').detail).toContain(
      'lists:write',
    );
    expect((await post(apiUrl(simulator, SUPPRESS), validBodies[SUPPRESS], jsonApiHeaders('pk_no_lists'))).status).toBe(202);
    expect((await get(apiUrl(simulator, '/api/events'), authHeaders('pk_reader'))).status).toBe(200);
  });

  it('gives the default full-access key every scope, and the no-scope key none', async () => {
    const plain = await startSimulator({ profiles: 5 });
    try {
      expect((await get(apiUrl(plain, '/api/metrics'))).status).toBe(200);
      expect((await get(apiUrl(plain, '/api/events'))).status).toBe(200);
      for (const path of [SUBSCRIBE, UNSUBSCRIBE, SUPPRESS]) expect((await post(apiUrl(plain, path), validBodies[path])).status, path).toBe(202);
      expect((await get(apiUrl(plain, '/api/metrics'), authHeaders(SIMULATOR_NO_SCOPE_API_KEY))).status).toBe(403);
    } finally {
      await plain.close();
    }
  });

  it('requires the revision header', async () => {
    const noRevision = { Authorization: `Klaviyo-API-Key ${SIMULATOR_API_KEY}` };
    expect(errorOf(expectErrorStatus(await get(apiUrl(simulator, '/api/events'), noRevision), 400)).source).toEqual({ parameter: 'revision' });
    expect(errorOf(expectErrorStatus(await get(apiUrl(simulator, '/api/metrics'), noRevision), 400)).source).toEqual({ parameter: 'revision' });
    const response = await post(apiUrl(simulator, SUPPRESS), validBodies[SUPPRESS], { ...noRevision, 'Content-Type': 'application/vnd.api+json' });
    expect(errorOf(expectErrorStatus(response, 400)).source).toEqual({ parameter: 'revision' });
  });

  it('answers 405 with Allow for the wrong method, and 404 elsewhere', async () => {
    const getJob = await fetch(apiUrl(simulator, SUBSCRIBE), { headers: authHeaders() });
    expect(getJob.status).toBe(405);
    expect(getJob.headers.get('allow')).toBe('POST');
    const postEvents = await post(apiUrl(simulator, '/api/events'), {});
    expect(postEvents.status).toBe(405);
    expect(postEvents.headers.get('allow')).toBe('GET');
    expectError(await get(apiUrl(simulator, '/api/metrics/abc123/')), 404, 'not_found');
    expect((await get(`${simulator.baseUrl}/api/events/`)).status).toBe(200);
    expect((await post(`${simulator.baseUrl}${SUPPRESS}/`, validBodies[SUPPRESS])).status).toBe(202);
  });
});

function expectErrorStatus(response: RawResponse, status: number): RawResponse {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response;
}

describe('request bodies', () => {
  async function invalid(path: string, body: unknown): Promise<{ pointer?: string; detail: string }> {
    const response = await post(apiUrl(simulator, path), body);
    const error = expectError(response, 400, 'invalid');
    return { ...(error.source?.pointer === undefined ? {} : { pointer: error.source.pointer }), detail: error.detail };
  }

  it('rejects a body that does not follow the spec, pointing at the member', async () => {
    const profile = (attributes: Record<string, unknown>) => subscribeBody([attributes]);
    const cases: Array<[string, unknown, string]> = [
      [SUBSCRIBE, { data: { type: 'profile-subscription-bulk-delete-job', attributes: {} } }, '/data/type'],
      [SUBSCRIBE, { data: { type: 'profile-subscription-bulk-create-job' } }, '/data/attributes'],
      [SUBSCRIBE, profile({ email }), '/data/attributes/profiles/data/0/attributes/subscriptions'],
      [SUBSCRIBE, profile({ email, subscriptions: {} }), '/data/attributes/profiles/data/0/attributes/subscriptions'],
      [SUBSCRIBE, profile({ email, subscriptions: { email: { marketing: { consent: 'UNSUBSCRIBED' } } } }), '/data/attributes/profiles/data/0/attributes/subscriptions/email/marketing/consent'],
      [SUBSCRIBE, profile({ email: 'not-an-email', subscriptions: EMAIL_MARKETING }), '/data/attributes/profiles/data/0/attributes/email'],
      [SUBSCRIBE, profile({ phone_number: '0612345678', subscriptions: EMAIL_MARKETING }), '/data/attributes/profiles/data/0/attributes/phone_number'],
      [SUBSCRIBE, profile({ email, first_name: 'Zoë', subscriptions: EMAIL_MARKETING }), '/data/attributes/profiles/data/0/attributes/first_name'],
      [SUBSCRIBE, profile({ subscriptions: EMAIL_MARKETING }), '/data/attributes/profiles/data/0/attributes'],
      [SUBSCRIBE, profile({ phone_number: '+15005550006', subscriptions: EMAIL_MARKETING }), '/data/attributes/profiles/data/0/attributes/email'],
      [
        SUBSCRIBE,
        profile({ email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', consented_at: '2024-01-01T00:00:00Z' } } } }),
        '/data/attributes/profiles/data/0/attributes/subscriptions/email/marketing/consented_at',
      ],
      [SUBSCRIBE, { data: { type: 'profile-subscription-bulk-create-job', attributes: { profiles: { data: [] } } } }, '/data/attributes/profiles/data'],
      [UNSUBSCRIBE, unsubscribeBody(Array.from({ length: 101 }, (_, i) => ({ email: `p${i}@example.com`, subscriptions: EMAIL_MARKETING_OFF }))), '/data/attributes/profiles/data'],
      [UNSUBSCRIBE, unsubscribeBody([{ email, subscriptions: { push: { marketing: { consent: 'UNSUBSCRIBED' } } } }]), '/data/attributes/profiles/data/0/attributes/subscriptions/push/tokens'],
      [SUPPRESS, { data: { type: 'profile-suppression-bulk-create-job', attributes: {} } }, '/data/attributes/profiles'],
      [SUPPRESS, { data: { type: 'profile-suppression-bulk-create-job', attributes: { profiles: { data: [{ type: 'profile', attributes: {} }] } } } }, '/data/attributes/profiles/data/0/attributes/email'],
      [SUPPRESS, { data: { type: 'profile-suppression-bulk-create-job', attributes: { profiles: { data: [{ type: 'list', attributes: { email } }] } } } }, '/data/attributes/profiles/data/0/type'],
    ];
    for (const [path, body, pointer] of cases) expect((await invalid(path, body)).pointer, `${path} ${JSON.stringify(body).slice(0, 200)}`).toBe(pointer);
  });

  it('changes nothing when any profile of the request is invalid', async () => {
    const before = simulator.allProfiles();
    const events = simulator.events().length;
    await invalid(
      SUBSCRIBE,
      subscribeBody([
        { email, subscriptions: EMAIL_MARKETING },
        { email: 'fresh@example.com', subscriptions: EMAIL_MARKETING },
        { email: 'bad', subscriptions: EMAIL_MARKETING },
      ]),
    );
    const byId = subscribeBody([{ email: 'other@example.com', subscriptions: EMAIL_MARKETING }]) as { data: { attributes: { profiles: { data: Array<Record<string, unknown>> } } } };
    byId.data.attributes.profiles.data[0]!['id'] = '01ZZZZZZZZZZZZZZZZZZZZZZZZ';
    expect((await invalid(SUBSCRIBE, byId)).pointer).toBe('/data/attributes/profiles/data/0/id');
    expect(simulator.allProfiles()).toEqual(before);
    expect(simulator.events()).toHaveLength(events);
  });

  it('answers 400 parse_error for malformed JSON and 415 for another media type', async () => {
    const malformed = await post(apiUrl(simulator, SUBSCRIBE), '{"data": ');
    expect(expectError(malformed, 400, 'parse_error').detail).toContain('JSON parse error');
    const text = await post(apiUrl(simulator, SUBSCRIBE), validBodies[SUBSCRIBE], { ...authHeaders(), 'Content-Type': 'text/plain' });
    expectError(text, 415, 'unsupported_media_type');
    const plainJson = await post(apiUrl(simulator, SUPPRESS), validBodies[SUPPRESS], { ...authHeaders(), 'Content-Type': 'application/json; charset=utf-8' });
    expect(plainJson.status).toBe(202);
  });

  it('answers 202 with no body for subscribe and unsubscribe, and accepts historical imports', async () => {
    const response = await post(apiUrl(simulator, UNSUBSCRIBE), validBodies[UNSUBSCRIBE]);
    expect(response.status).toBe(202);
    expect(response.body).toBeUndefined();
    // An address not yet subscribed: a subscribe of one already subscribed changes nothing (no consent event either).
    const imported = 'historical.import@example.com';
    const historical = subscribeBody([{ email: imported, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', consented_at: '2024-01-02T03:04:05Z' } } } }], {
      extra: { historical_import: true },
    });
    expect((await post(apiUrl(simulator, SUBSCRIBE), historical)).status).toBe(202);
    const profile = simulator.allProfiles().find((p) => p.attributes.email === imported)!;
    expect(profile.attributes.subscriptions?.email?.marketing?.consent_timestamp).toBe('2024-01-02T03:04:05.000000+00:00');
    const future = subscribeBody([{ email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', consented_at: '2999-01-01T00:00:00Z' } } } }], {
      extra: { historical_import: true },
    });
    await invalid(SUBSCRIBE, future);
  });

  it('keeps the connection usable after a rejected body, and counts every request', async () => {
    simulator.resetStats();
    await post(apiUrl(simulator, SUPPRESS), '{');
    await post(apiUrl(simulator, SUPPRESS), validBodies[SUPPRESS]);
    expect(simulator.requestLog.map((entry) => [entry.method, entry.url, entry.status])).toEqual([
      ['POST', SUPPRESS, 400],
      ['POST', SUPPRESS, 202],
    ]);
  });
});

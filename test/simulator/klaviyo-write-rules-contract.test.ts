import { afterEach, describe, expect, it } from 'vitest';
import { klaviyoLimit, type KlaviyoSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import {
  EMAIL_MARKETING,
  EMAIL_MARKETING_OFF,
  SMS_MARKETING,
  apiUrl,
  post,
  subscribeBody,
  suppressBody,
  unsubscribeBody,
  unsuppressBody,
} from './consent-client.js';
import { errorOf, get, startSimulator, type RawResponse } from './simulator-client.js';

// One test per rule of klaviyo-rules.md's "Writing consent" that concerns a request the write side sends:
// the simulator refuses, defers or applies as the rule says.

const SUBSCRIBE = '/api/profile-subscription-bulk-create-jobs';
const UNSUBSCRIBE = '/api/profile-subscription-bulk-delete-jobs';
const SUPPRESS = '/api/profile-suppression-bulk-create-jobs';
const UNSUPPRESS = '/api/profile-suppression-bulk-delete-jobs';

let simulator: KlaviyoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});
async function start(options: SimulatorOptions = {}): Promise<KlaviyoSimulator> {
  simulator = await startSimulator({ profiles: 60, seed: 8, ...options });
  return simulator;
}
const send = (sim: KlaviyoSimulator, path: string, body: unknown) => post(apiUrl(sim, path), body);
const marketing = (sim: KlaviyoSimulator, id: string) => sim.profile(id)!.attributes.subscriptions?.email?.marketing;
const emailsOf = (sim: KlaviyoSimulator, n: number) => sim.allProfiles().filter((p) => p.attributes.email).slice(0, n);

function expectRefused(response: RawResponse, pointer: RegExp, detail: RegExp): void {
  expect(response.status).toBe(400);
  expect(errorOf(response).code).toBe('invalid');
  expect(errorOf(response).source?.pointer).toMatch(pointer);
  expect(errorOf(response).detail).toMatch(detail);
}

describe('per-request limits (subscribe 1000, unsubscribe, suppress and unsuppress 100)', () => {
  it('refuses one profile over each limit', async () => {
    const sim = await start();
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `p${i}@example.com`, subscriptions: EMAIL_MARKETING }));
    expectRefused(await send(sim, SUBSCRIBE, subscribeBody(many(1001))), /profiles\/data/, /1000/);
    expectRefused(await send(sim, UNSUBSCRIBE, unsubscribeBody(many(101).map((p) => ({ ...p, subscriptions: EMAIL_MARKETING_OFF })))), /profiles\/data/, /100/);
    const emails = Array.from({ length: 101 }, (_, i) => `s${i}@example.com`);
    expectRefused(await send(sim, SUPPRESS, suppressBody(emails)), /profiles\/data/, /100/);
    expectRefused(await send(sim, UNSUPPRESS, unsuppressBody(emails)), /profiles\/data/, /100/);
    expect(sim.stats.byStatus[202]).toBeUndefined();
  });

  it('accepts exactly the limit', async () => {
    const sim = await start();
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `p${i}@example.com`, subscriptions: EMAIL_MARKETING }));
    expect((await send(sim, SUBSCRIBE, subscribeBody(many(1000)))).status).toBe(202);
    expect((await send(sim, UNSUBSCRIBE, unsubscribeBody(many(100).map((p) => ({ ...p, subscriptions: EMAIL_MARKETING_OFF }))))).status).toBe(202);
    const emails = Array.from({ length: 100 }, (_, i) => `s${i}@example.com`);
    expect((await send(sim, SUPPRESS, suppressBody(emails))).status).toBe(202);
    expect((await send(sim, UNSUPPRESS, unsuppressBody(emails))).status).toBe(202);
  });
});

describe('202 Accepted, applied asynchronously', () => {
  it('answers before the change shows; the profile changes after the write delay', async () => {
    const sim = await start({ writeDelayMs: 150 });
    const target = emailsOf(sim, 1)[0]!;
    const response = await send(sim, UNSUBSCRIBE, unsubscribeBody([{ email: target.attributes.email, subscriptions: EMAIL_MARKETING_OFF }]));
    expect(response.status).toBe(202);
    const before = marketing(sim, target.id)?.consent;
    expect(before).toBe(target.attributes.subscriptions?.email?.marketing?.consent);
    await sim.settled();
    expect(marketing(sim, target.id)?.consent).toBe('UNSUBSCRIBED');
  });

  it('has no status endpoint for subscription jobs, and one for suppression jobs (queued, then complete)', async () => {
    const sim = await start({ writeDelayMs: 100 });
    expect((await get(apiUrl(sim, `${SUBSCRIBE}/01JOB0000000000000000000000`))).status).toBe(404);
    for (const [path, body] of [[SUPPRESS, suppressBody(['x1@example.com'])], [UNSUPPRESS, unsuppressBody(['x1@example.com'])]] as const) {
      const accepted = await send(sim, path, body);
      expect(accepted.status).toBe(202);
      const id = (accepted.body as { data: { id: string } }).data.id;
      const queued = await get(apiUrl(sim, `${path}/${id}`));
      expect((queued.body as { data: { attributes: { status: string } } }).data.attributes.status).toBe('queued');
      await sim.settled();
      const done = (await get(apiUrl(sim, `${path}/${id}`))).body as { data: { attributes: Record<string, unknown> } };
      expect(done.data.attributes).toMatchObject({ status: 'complete', total_count: 1, completed_count: 1 });
    }
  });
});

describe('historical_import and consented_at', () => {
  it('refuses consented_at without historical_import, historical_import without it, in the future, or before 1990', async () => {
    const sim = await start();
    const email = emailsOf(sim, 1)[0]!.attributes.email;
    const withTime = (at: string) => ({ email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', consented_at: at } } } });
    expectRefused(await send(sim, SUBSCRIBE, subscribeBody([withTime('2024-01-01T00:00:00Z')])), /consented_at$/, /only be given when historical_import/);
    expectRefused(await send(sim, SUBSCRIBE, subscribeBody([{ email, subscriptions: EMAIL_MARKETING }], { extra: { historical_import: true } })), /consented_at$/, /required/);
    expectRefused(await send(sim, SUBSCRIBE, subscribeBody([withTime('2999-01-01T00:00:00Z')], { extra: { historical_import: true } })), /consented_at$/, /past/);
    expectRefused(await send(sim, SUBSCRIBE, subscribeBody([withTime('1989-12-31T23:59:59Z')], { extra: { historical_import: true } })), /consented_at$/, /1990-01-01/);
    expect((await send(sim, SUBSCRIBE, subscribeBody([withTime('1990-01-01T00:00:00Z')], { extra: { historical_import: true } }))).status).toBe(202);
  });
});

describe('double opt-in', () => {
  it("leaves a subscribe to a double opt-in list pending until the person confirms; a historical import skips it", async () => {
    const sim = await start();
    const list = sim.lists().find((l) => l.optInProcess === 'double_opt_in')!;
    expect(list, 'the default account has a double opt-in list').toBeDefined();
    const [a, b] = emailsOf(sim, 60).filter((p) => p.attributes.subscriptions?.email?.marketing?.consent !== 'SUBSCRIBED');
    const consentBefore = marketing(sim, a!.id)?.consent;
    expect((await send(sim, SUBSCRIBE, subscribeBody([{ email: a!.attributes.email, subscriptions: EMAIL_MARKETING }], { listId: list.id }))).status).toBe(202);
    expect(marketing(sim, a!.id)?.consent).toBe(consentBefore);
    expect(sim.pendingDoubleOptIns).toBe(1);
    const historical = { email: b!.attributes.email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', consented_at: '2024-05-01T00:00:00Z' } } } };
    expect((await send(sim, SUBSCRIBE, subscribeBody([historical], { listId: list.id, extra: { historical_import: true } }))).status).toBe(202);
    expect(marketing(sim, b!.id)?.consent).toBe('SUBSCRIBED');
    expect(sim.confirmDoubleOptIns()).toBe(1);
    expect(marketing(sim, a!.id)).toMatchObject({ consent: 'SUBSCRIBED', double_optin: true });
  });

  it('refuses an SMS subscribe carrying consented_at to a double opt-in list', async () => {
    const sim = await start();
    const list = sim.lists().find((l) => l.optInProcess === 'double_opt_in')!;
    const phone = sim.allProfiles().find((p) => p.attributes.phone_number)!.attributes.phone_number;
    const body = subscribeBody([{ phone_number: phone, subscriptions: { sms: { marketing: { consent: 'SUBSCRIBED', consented_at: '2024-01-01T00:00:00Z' } } } }], { listId: list.id, extra: { historical_import: true } });
    expectRefused(await send(sim, SUBSCRIBE, body), /sms\/marketing\/consented_at$/, /double opt-in/);
  });
});

describe('suppressions', () => {
  it('subscribing lifts UNSUBSCRIBE, SPAM_COMPLAINT and USER_SUPPRESSED, not HARD_BOUNCE', async () => {
    const sim = await start();
    const target = emailsOf(sim, 1)[0]!;
    sim.updateProfile(target.id, (attributes) => {
      attributes.subscriptions!.email!.marketing!.suppression = ['UNSUBSCRIBE', 'SPAM_COMPLAINT', 'USER_SUPPRESSED', 'HARD_BOUNCE'].map((reason) => ({ reason, timestamp: '2024-01-01T00:00:00+00:00' }));
    });
    await send(sim, SUBSCRIBE, subscribeBody([{ email: target.attributes.email, subscriptions: EMAIL_MARKETING }]));
    expect(marketing(sim, target.id)?.suppression?.map((s) => s.reason)).toEqual(['HARD_BOUNCE']);
    expect(marketing(sim, target.id)?.can_receive_email_marketing).toBe(false);
  });

  it('unsuppress lifts only USER_SUPPRESSED, and records "Manually Unsuppressed"', async () => {
    const sim = await start();
    const [manual, bounced] = emailsOf(sim, 2);
    sim.updateProfile(manual!.id, (attributes) => {
      attributes.subscriptions!.email!.marketing!.suppression = [{ reason: 'USER_SUPPRESSED', timestamp: '2024-01-01T00:00:00+00:00' }];
    });
    sim.recordBounce(bounced!.id);
    expect((await send(sim, UNSUPPRESS, unsuppressBody([manual!.attributes.email!, bounced!.attributes.email!]))).status).toBe(202);
    expect(marketing(sim, manual!.id)?.suppression).toEqual([]);
    expect(marketing(sim, bounced!.id)?.suppression?.map((s) => s.reason)).toEqual(['HARD_BOUNCE']);
    const names = sim.events().filter((e) => e.profileId === manual!.id).map((e) => e.metricName);
    expect(names).toContain('Manually Unsuppressed from Email Marketing');
  });

  it('suppress takes email addresses only', async () => {
    const sim = await start();
    const body = { data: { type: 'profile-suppression-bulk-create-job', attributes: { profiles: { data: [{ type: 'profile', attributes: { phone_number: '+12125550100' } }] } } } };
    expect((await send(sim, SUPPRESS, body)).status).toBe(400);
  });
});

describe('SMS regions and whole batches', () => {
  it('refuses an SMS subscribe for a region with no sending number, and the whole batch with it', async () => {
    const sim = await start({ smsCountries: ['US'] });
    const us = '+12125550100';
    const uk = '+447700900123';
    const response = await send(sim, SUBSCRIBE, subscribeBody([{ phone_number: us, subscriptions: SMS_MARKETING }, { phone_number: uk, subscriptions: SMS_MARKETING }]));
    expectRefused(response, /profiles\/data\/1\/attributes\/phone_number$/, /no SMS sending number .*\(GB\)/);
    // One bad record refuses the batch: the good one was not applied either.
    expect(sim.allProfiles().some((p) => p.attributes.phone_number === us)).toBe(false);
    expect((await send(sim, SUBSCRIBE, subscribeBody([{ phone_number: us, subscriptions: SMS_MARKETING }]))).status).toBe(202);
    expect(sim.allProfiles().find((p) => p.attributes.phone_number === us)?.attributes.subscriptions?.sms?.marketing?.consent).toBe('SUBSCRIBED');
  });

  it('refuses a phone number that is not E.164', async () => {
    const sim = await start();
    expectRefused(await send(sim, SUBSCRIBE, subscribeBody([{ phone_number: '212-555-0100', subscriptions: SMS_MARKETING }])), /phone_number$/, /E\.164/);
  });

  it('creates a profile for an unknown email it subscribes', async () => {
    const sim = await start();
    expect((await send(sim, SUBSCRIBE, subscribeBody([{ email: 'new.person@example.com', subscriptions: EMAIL_MARKETING }]))).status).toBe(202);
    expect(sim.allProfiles().find((p) => p.attributes.email === 'new.person@example.com')?.attributes.subscriptions?.email?.marketing?.consent).toBe('SUBSCRIBED');
  });
});

describe('rate limits of the write endpoints', () => {
  it('are 75/s and 750/m (700/m before 2026-01-15) for each job, counted apart', async () => {
    for (const endpoint of ['subscribe', 'unsubscribe', 'suppress', 'unsuppress'] as const) {
      expect(klaviyoLimit(endpoint, '2026-07-15')).toEqual({ perSecond: 75, perMinute: 750 });
      expect(klaviyoLimit(endpoint, '2025-10-15')).toEqual({ perSecond: 75, perMinute: 700 });
    }
    const sim = await start({ rateLimits: { unsuppress: { perSecond: 1 } } });
    expect((await send(sim, UNSUPPRESS, unsuppressBody(['a@example.com']))).status).toBe(202);
    expect((await send(sim, UNSUPPRESS, unsuppressBody(['a@example.com']))).status).toBe(429);
    expect((await send(sim, SUPPRESS, suppressBody(['a@example.com']))).status).toBe(202);
  });
});

// Consent events as Klaviyo records them (Klaviyo Help Center, "Understanding consent in profiles"; property keys
// as seen in real events, see src/simulator/store/consent-changes.ts).
describe('the consent events a write records', () => {
  const eventsOf = (sim: KlaviyoSimulator, profileId: string) => sim.events().filter((e) => e.profileId === profileId && !['Placed Order', 'Opened Email', 'Clicked Email', 'Active on Site'].includes(e.metricName));

  it('dates a historical import at its consented_at; any other subscribe at the write', async () => {
    const sim = await start();
    const [a, b] = emailsOf(sim, 60).filter((p) => p.attributes.subscriptions?.email?.marketing?.consent !== 'SUBSCRIBED');
    const historical = { email: a!.attributes.email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', consented_at: '2024-05-01T00:00:00Z' } } } };
    await send(sim, SUBSCRIBE, subscribeBody([historical], { extra: { historical_import: true } }));
    await send(sim, SUBSCRIBE, subscribeBody([{ email: b!.attributes.email, subscriptions: EMAIL_MARKETING }]));
    expect(eventsOf(sim, a!.id).map((e) => [e.metricName, e.datetime])).toEqual([['Subscribed to Email Marketing', '2024-05-01T00:00:00+00:00']]);
    const [now] = eventsOf(sim, b!.id);
    expect(now?.metricName).toBe('Subscribed to Email Marketing');
    expect(Math.abs(Date.parse(now!.datetime) - Date.now())).toBeLessThan(5000);
  });

  it('records no subscribe for a profile already subscribed, and changes nothing', async () => {
    const sim = await start();
    const subscribed = emailsOf(sim, 60).find((p) => p.attributes.subscriptions?.email?.marketing?.consent === 'SUBSCRIBED' && !(p.attributes.subscriptions.email.marketing.suppression ?? []).length)!;
    const before = marketing(sim, subscribed.id);
    await send(sim, SUBSCRIBE, subscribeBody([{ email: subscribed.attributes.email, subscriptions: EMAIL_MARKETING }]));
    expect(eventsOf(sim, subscribed.id)).toEqual([]);
    expect(marketing(sim, subscribed.id)).toEqual(before);
  });

  it('records Subscribed to List and Unsubscribed from List with the list name (List), and SMS transactional events', async () => {
    const sim = await start();
    const list = sim.lists().find((l) => l.optInProcess === 'single_opt_in')!;
    const [a] = emailsOf(sim, 60).filter((p) => p.attributes.subscriptions?.email?.marketing?.consent !== 'SUBSCRIBED');
    await send(sim, SUBSCRIBE, subscribeBody([{ email: a!.attributes.email, subscriptions: EMAIL_MARKETING }], { listId: list.id }));
    await send(sim, UNSUBSCRIBE, unsubscribeBody([{ email: a!.attributes.email, subscriptions: EMAIL_MARKETING_OFF }], { listId: list.id }));
    const phone = '+14155550199';
    await send(sim, SUBSCRIBE, subscribeBody([{ phone_number: phone, subscriptions: { sms: { transactional: { consent: 'SUBSCRIBED' } } } }]));
    expect(eventsOf(sim, a!.id).map((e) => e.metricName)).toEqual(['Subscribed to Email Marketing', 'Subscribed to List', 'Unsubscribed from List']);
    const listEvents = await get(apiUrl(sim, '/api/events', { filter: `equals(metric_id,"${sim.metrics().find((m) => m.name === 'Subscribed to List')!.id}")` }));
    expect((listEvents.body as { data: Array<{ attributes: { event_properties: unknown } }> }).data.map((e) => e.attributes.event_properties)).toEqual([{ List: list.name }]);
    const created = sim.allProfiles().find((p) => p.attributes.phone_number === phone)!;
    expect(eventsOf(sim, created.id).map((e) => e.metricName)).toEqual(['Subscribed to Text Messaging Transactional']);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileResource } from '../../src/klaviyo/types.js';
import type { KlaviyoSimulator, SimulatedEvent } from '../../src/simulator/index.js';
import {
  apiUrl,
  EMAIL_MARKETING,
  EMAIL_MARKETING_OFF,
  getList,
  post,
  SMS_MARKETING,
  SMS_MARKETING_OFF,
  subscribeBody,
  suppressBody,
  unsubscribeBody,
  type EventWire,
} from './consent-client.js';
import { getPage, profilesUrl, startSimulator, walk } from './simulator-client.js';

const MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const OLD = '2025-01-01T00:00:00+00:00';

let simulator: KlaviyoSimulator;
/** A list of the simulator's account: list relationships must name one (an unknown list is a 404). */
let LIST = '';
beforeEach(async () => {
  simulator = await startSimulator({ profiles: 120, seed: 21, activityEvents: 50 });
  // A single opt-in list: a double opt-in one leaves the subscribe pending (tested on its own).
  LIST = simulator.lists().find((list) => list.optInProcess === 'single_opt_in')?.id ?? '';
});
afterEach(async () => {
  await simulator.close();
});

/** Leaf paths whose values differ between two attribute trees. */
function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) => changedPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

function withEmail(index = 0): ProfileResource {
  const profile = simulator.allProfiles().filter((p) => typeof p.attributes.email === 'string')[index];
  if (!profile) throw new Error('no profile with an email');
  return profile;
}

function withPhone(index = 0): ProfileResource {
  const profile = simulator.allProfiles().filter((p) => typeof p.attributes.phone_number === 'string')[index];
  if (!profile) throw new Error('no profile with a phone number');
  return profile;
}

/** Sets up a precondition without touching `updated`. */
function arrange(id: string, mutate: (attributes: ProfileResource['attributes']) => void): ProfileResource {
  simulator.updateProfile(id, mutate, { bumpUpdated: false });
  return simulator.profile(id)!;
}

/** Runs `act` and returns the events it recorded, checking each was recorded within the act, to the second. */
async function recorded(act: () => Promise<unknown> | void): Promise<SimulatedEvent[]> {
  const before = simulator.events().length;
  const started = Math.floor(Date.now() / 1000) * 1000;
  await act();
  const ended = Date.now();
  const events = simulator.events().slice(before);
  for (const event of events) {
    expect(Date.parse(event.datetime)).toBeGreaterThanOrEqual(started);
    expect(Date.parse(event.datetime)).toBeLessThanOrEqual(ended);
  }
  return events;
}

const summary = (events: SimulatedEvent[]) => events.map((event) => [event.metricName, event.profileId]);

async function accepted(path: string, body: unknown): Promise<unknown> {
  const response = await post(apiUrl(simulator, path), body);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body;
}

describe('bulk subscribe', () => {
  it('subscribes email: consent, timestamps and method change, UNSUBSCRIBE is lifted, a bounce stays; one event', async () => {
    const target = withEmail(0);
    const before = arrange(target.id, (attributes) => {
      const marketing = attributes.subscriptions!.email!.marketing!;
      Object.assign(marketing, {
        consent: 'UNSUBSCRIBED',
        can_receive_email_marketing: false,
        suppression: [{ reason: 'UNSUBSCRIBE', timestamp: OLD }, { reason: 'HARD_BOUNCE', timestamp: OLD }],
        list_suppressions: [],
        method: 'UNSUBSCRIBE_LINK',
      });
    });
    const events = await recorded(() =>
      accepted('/api/profile-subscription-bulk-create-jobs', subscribeBody([{ email: target.attributes.email, subscriptions: EMAIL_MARKETING }])),
    );
    const after = simulator.profile(target.id)!;
    expect(summary(events)).toEqual([['Subscribed to Email Marketing', target.id]]);
    const changed = changedPaths(before.attributes, after.attributes);
    expect(changed.every((path) => path.startsWith('subscriptions.email.marketing.')), changed.join()).toBe(true);
    const marketing = after.attributes.subscriptions!.email!.marketing!;
    expect(marketing).toMatchObject({
      consent: 'SUBSCRIBED',
      can_receive_email_marketing: false,
      method: 'API',
      suppression: [{ reason: 'HARD_BOUNCE', timestamp: OLD }],
    });
    expect(marketing.consent_timestamp).toMatch(MICROS);
    expect(marketing.last_updated).toBe(marketing.consent_timestamp);
    expect(after.attributes.updated).toBe(before.attributes.updated);
  });

  it('with a list, also records "Subscribed to List" and lifts that list suppression only; can receive once unsuppressed', async () => {
    const target = withEmail(1);
    arrange(target.id, (attributes) => {
      Object.assign(attributes.subscriptions!.email!.marketing!, {
        suppression: [{ reason: 'USER_SUPPRESSED', timestamp: OLD }],
        list_suppressions: [
          { list_id: LIST, reason: 'USER_SUPPRESSED', timestamp: OLD },
          { list_id: 'Other1', reason: 'UNSUBSCRIBE', timestamp: OLD },
        ],
      });
    });
    const events = await recorded(() =>
      accepted(
        '/api/profile-subscription-bulk-create-jobs',
        subscribeBody([{ email: target.attributes.email, subscriptions: EMAIL_MARKETING }], { listId: LIST, extra: { custom_source: 'Spring fair' } }),
      ),
    );
    expect(summary(events)).toEqual([
      ['Subscribed to Email Marketing', target.id],
      ['Subscribed to List', target.id],
    ]);
    const marketing = simulator.profile(target.id)!.attributes.subscriptions!.email!.marketing!;
    expect(marketing).toMatchObject({
      consent: 'SUBSCRIBED',
      can_receive_email_marketing: true,
      custom_method_detail: 'Spring fair',
      suppression: [],
      list_suppressions: [{ list_id: 'Other1', reason: 'UNSUBSCRIBE', timestamp: OLD }],
    });
  });

  it('subscribes SMS by phone number: only sms.marketing changes; "Subscribed to Text Messaging Marketing"', async () => {
    const target = withPhone(0);
    const before = arrange(target.id, (attributes) => {
      attributes.subscriptions!.sms = null;
    });
    const events = await recorded(() =>
      accepted('/api/profile-subscription-bulk-create-jobs', subscribeBody([{ phone_number: target.attributes.phone_number, subscriptions: SMS_MARKETING }])),
    );
    expect(summary(events)).toEqual([['Subscribed to Text Messaging Marketing', target.id]]);
    const after = simulator.profile(target.id)!;
    expect(changedPaths(before.attributes, after.attributes)).toEqual(['subscriptions.sms']);
    expect(after.attributes.subscriptions!.sms).toEqual({
      marketing: {
        can_receive_sms_marketing: true,
        consent: 'SUBSCRIBED',
        consent_timestamp: expect.stringMatching(MICROS),
        method: 'API',
        method_detail: '',
        last_updated: expect.stringMatching(MICROS),
      },
    });
  });

  it('names the SMS events "... SMS Marketing" with smsMetricNaming sms', async () => {
    await simulator.close();
    simulator = await startSimulator({ profiles: 60, seed: 21, smsMetricNaming: 'sms' });
    const target = withPhone(0);
    const subscribed = await recorded(() =>
      accepted('/api/profile-subscription-bulk-create-jobs', subscribeBody([{ phone_number: target.attributes.phone_number, subscriptions: SMS_MARKETING }])),
    );
    const unsubscribed = await recorded(() =>
      accepted('/api/profile-subscription-bulk-delete-jobs', unsubscribeBody([{ phone_number: target.attributes.phone_number, subscriptions: SMS_MARKETING_OFF }])),
    );
    expect(summary([...subscribed, ...unsubscribed])).toEqual([
      ['Subscribed to SMS Marketing', target.id],
      ['Unsubscribed from SMS Marketing', target.id],
    ]);
  });

  it('creates a profile for an unknown email, created = updated = now, and subscribes it', async () => {
    const size = simulator.size;
    const started = Math.floor(Date.now() / 1000) * 1000;
    const events = await recorded(() =>
      accepted('/api/profile-subscription-bulk-create-jobs', subscribeBody([{ email: 'Brand.New@Example.com', subscriptions: EMAIL_MARKETING }])),
    );
    expect(simulator.size).toBe(size + 1);
    const created = simulator.allProfiles().find((p) => p.attributes.email === 'Brand.New@Example.com')!;
    expect(Date.parse(String(created.attributes.created))).toBeGreaterThanOrEqual(started);
    expect(created.attributes.updated).toBe(created.attributes.created);
    expect(created.attributes.subscriptions?.email?.marketing?.consent).toBe('SUBSCRIBED');
    expect(summary(events)).toEqual([['Subscribed to Email Marketing', created.id]]);
    // The same address in any case finds that profile again rather than creating another.
    await accepted('/api/profile-subscription-bulk-delete-jobs', unsubscribeBody([{ email: 'brand.new@example.com', subscriptions: EMAIL_MARKETING_OFF }]));
    expect(simulator.size).toBe(size + 1);
    expect(simulator.profile(created.id)!.attributes.subscriptions?.email?.marketing?.consent).toBe('UNSUBSCRIBED');
  });
});

describe('bulk unsubscribe and suppress', () => {
  it('unsubscribes email globally: UNSUBSCRIBED, an UNSUBSCRIBE suppression, cannot receive; one event', async () => {
    const target = withEmail(2);
    const before = arrange(target.id, (attributes) => {
      Object.assign(attributes.subscriptions!.email!.marketing!, { consent: 'SUBSCRIBED', can_receive_email_marketing: true, suppression: [] });
    });
    const events = await recorded(() =>
      accepted('/api/profile-subscription-bulk-delete-jobs', unsubscribeBody([{ email: target.attributes.email, subscriptions: EMAIL_MARKETING_OFF }])),
    );
    expect(summary(events)).toEqual([['Unsubscribed from Email Marketing', target.id]]);
    const after = simulator.profile(target.id)!;
    const changed = changedPaths(before.attributes, after.attributes);
    expect(changed.every((path) => path.startsWith('subscriptions.email.marketing.')), changed.join()).toBe(true);
    const marketing = after.attributes.subscriptions!.email!.marketing!;
    expect(marketing).toMatchObject({ consent: 'UNSUBSCRIBED', can_receive_email_marketing: false, method: 'API' });
    expect(marketing.suppression).toEqual([{ reason: 'UNSUBSCRIBE', timestamp: marketing.consent_timestamp }]);
    expect(marketing.consent_timestamp).toMatch(MICROS);
  });

  it('unsubscribes email from a list only: a list suppression, consent untouched, "Unsubscribed from List"', async () => {
    const target = withEmail(3);
    const before = arrange(target.id, (attributes) => {
      Object.assign(attributes.subscriptions!.email!.marketing!, { consent: 'SUBSCRIBED', can_receive_email_marketing: true, suppression: [], list_suppressions: [] });
    });
    const events = await recorded(() =>
      accepted(
        '/api/profile-subscription-bulk-delete-jobs',
        unsubscribeBody([{ email: target.attributes.email, subscriptions: EMAIL_MARKETING_OFF }], { listId: LIST }),
      ),
    );
    expect(summary(events)).toEqual([['Unsubscribed from List', target.id]]);
    const after = simulator.profile(target.id)!;
    expect(changedPaths(before.attributes, after.attributes).sort()).toEqual([
      'subscriptions.email.marketing.last_updated',
      'subscriptions.email.marketing.list_suppressions',
    ]);
    const marketing = after.attributes.subscriptions!.email!.marketing!;
    expect(marketing.list_suppressions).toEqual([{ list_id: LIST, reason: 'USER_SUPPRESSED', timestamp: expect.stringMatching(MICROS) }]);
    expect(marketing.consent).toBe('SUBSCRIBED');
  });

  it('unsubscribes SMS: only sms.marketing changes; "Unsubscribed from Text Messaging Marketing"', async () => {
    const target = withPhone(1);
    const before = simulator.profile(target.id)!;
    const events = await recorded(() =>
      accepted('/api/profile-subscription-bulk-delete-jobs', unsubscribeBody([{ phone_number: target.attributes.phone_number, subscriptions: SMS_MARKETING_OFF }])),
    );
    expect(summary(events)).toEqual([['Unsubscribed from Text Messaging Marketing', target.id]]);
    const after = simulator.profile(target.id)!;
    const changed = changedPaths(before.attributes, after.attributes);
    expect(changed.every((path) => path.startsWith('subscriptions.sms')), changed.join()).toBe(true);
    expect(after.attributes.subscriptions?.sms?.marketing).toMatchObject({ consent: 'UNSUBSCRIBED', can_receive_sms_marketing: false });
  });

  it('suppresses: a USER_SUPPRESSED suppression, consent untouched; answers 202 with a completed job', async () => {
    const target = withEmail(4);
    const before = arrange(target.id, (attributes) => {
      Object.assign(attributes.subscriptions!.email!.marketing!, { consent: 'SUBSCRIBED', can_receive_email_marketing: true, suppression: [] });
    });
    let job: unknown;
    const events = await recorded(async () => {
      job = await accepted('/api/profile-suppression-bulk-create-jobs', suppressBody([String(target.attributes.email)]));
    });
    expect(summary(events)).toEqual([['Manually Suppressed from Email Marketing', target.id]]);
    const after = simulator.profile(target.id)!;
    expect(changedPaths(before.attributes, after.attributes).sort()).toEqual([
      'subscriptions.email.marketing.can_receive_email_marketing',
      'subscriptions.email.marketing.last_updated',
      'subscriptions.email.marketing.suppression',
    ]);
    expect(after.attributes.subscriptions!.email!.marketing!.suppression).toEqual([{ reason: 'USER_SUPPRESSED', timestamp: expect.stringMatching(MICROS) }]);
    expect(job).toMatchObject({
      data: { type: 'profile-suppression-bulk-create-job', attributes: { status: 'complete', total_count: 1, completed_count: 1, skipped_count: 0 } },
    });
  });
});

describe('programmatic consent changes', () => {
  it('recordBounce and recordSpamComplaint add their suppression and event', async () => {
    const [bounced, complained] = [withEmail(5), withEmail(6)];
    const events = await recorded(() => {
      simulator.recordBounce(bounced.id);
      simulator.recordSpamComplaint(complained.id);
    });
    expect(summary(events)).toEqual([
      ['Bounced Email', bounced.id],
      ['Marked Email as Spam', complained.id],
    ]);
    const reasons = (id: string) => simulator.profile(id)!.attributes.subscriptions!.email!.marketing!.suppression!.map((entry) => entry.reason);
    expect(reasons(bounced.id)).toContain('HARD_BOUNCE');
    expect(reasons(complained.id)).toContain('SPAM_COMPLAINT');
    expect(simulator.profile(bounced.id)!.attributes.subscriptions!.email!.marketing!.can_receive_email_marketing).toBe(false);
    expect(simulator.profile(bounced.id)!.attributes.updated).toBe(bounced.attributes.updated);
  });

  it('setPushConsent creates mobile_push when absent and records no event', async () => {
    const target = arrange(withEmail(7).id, (attributes) => {
      delete attributes.subscriptions!.mobile_push;
    });
    const events = await recorded(() => simulator.setPushConsent(target.id, 'SUBSCRIBED'));
    expect(events).toEqual([]);
    const after = simulator.profile(target.id)!;
    expect(changedPaths(target.attributes, after.attributes)).toEqual(['subscriptions.mobile_push']);
    expect(after.attributes.subscriptions!.mobile_push).toEqual({
      marketing: { can_receive_push_marketing: true, consent: 'SUBSCRIBED', consent_timestamp: expect.stringMatching(MICROS) },
    });
    simulator.setPushConsent(target.id, 'UNSUBSCRIBED');
    expect(simulator.profile(target.id)!.attributes.subscriptions!.mobile_push!.marketing!.can_receive_push_marketing).toBe(false);
  });

  it('recordEvent adds an event of any metric without changing the profile, and the helpers refuse unknown ids', () => {
    const target = withEmail(8);
    const id = simulator.recordEvent(target.id, 'Placed Order', { at: new Date('2026-11-15T01:02:03.456Z'), properties: { $value: 10 } });
    expect(simulator.events().at(-1)).toEqual({ id, metricId: expect.any(String), metricName: 'Placed Order', profileId: target.id, datetime: '2026-11-15T01:02:03+00:00' });
    expect(simulator.profile(target.id)).toEqual(target);
    expect(() => simulator.recordBounce('01ZZZZZZZZZZZZZZZZZZZZZZZZ')).toThrow(/No profile/);
    expect(() => simulator.setPushConsent('01ZZZZZZZZZZZZZZZZZZZZZZZZ', 'SUBSCRIBED')).toThrow(/No profile/);
    expect(() => simulator.recordEvent(target.id, 'Nope')).toThrow(/No metric/);
  });
});

describe('updated and the consent-change switch', () => {
  it('leaves updated alone by default: an updated scan misses the change, a suppression scan and the events find it', async () => {
    const target = withEmail(9);
    const since = new Date(Date.now() - 1000).toISOString();
    await accepted('/api/profile-subscription-bulk-delete-jobs', unsubscribeBody([{ email: target.attributes.email, subscriptions: EMAIL_MARKETING_OFF }]));
    expect(simulator.profile(target.id)!.attributes.updated).toBe(target.attributes.updated);

    const byUpdated = await walk(profilesUrl(simulator, { filter: `greater-than(updated,${since})`, 'page[size]': '100' }), 3);
    expect(byUpdated.flatMap((page) => page.data.map((p) => p.id))).not.toContain(target.id);
    const bySuppression = await getPage(profilesUrl(simulator, { filter: `greater-than(subscriptions.email.marketing.suppression.timestamp,${since})` }));
    expect(bySuppression.data.map((p) => p.id)).toEqual([target.id]);
    const unsubscribed = simulator.metrics().find((m) => m.name === 'Unsubscribed from Email Marketing')!.id;
    const events = await getList<EventWire>(apiUrl(simulator, '/api/events', { filter: `equals(metric_id,"${unsubscribed}"),greater-than(datetime,${since})` }));
    expect(events.data.map((event) => event.relationships.profile.data.id)).toEqual([target.id]);
  });

  it('sets updated to the write time, in whole seconds, when the switch is on, and setConsentChangesBumpUpdated toggles it', async () => {
    await simulator.close();
    simulator = await startSimulator({ profiles: 60, seed: 21, consentChangesBumpUpdated: true });
    const [a, b, c] = [withEmail(0), withEmail(1), withEmail(2)];
    const started = Math.floor(Date.now() / 1000) * 1000;
    await accepted('/api/profile-suppression-bulk-create-jobs', suppressBody([String(a.attributes.email)]));
    simulator.recordBounce(b.id, { at: new Date('2026-12-01T10:00:00.750Z') });
    const bumped = simulator.profile(a.id)!.attributes.updated as string;
    expect(bumped).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(Date.parse(bumped)).toBeGreaterThanOrEqual(started);
    expect(simulator.profile(b.id)!.attributes.updated).toBe('2026-12-01T10:00:00+00:00');
    const newest = await getPage(profilesUrl(simulator, { sort: '-updated', 'page[size]': '1' }));
    expect(newest.data[0]!.id).toBe(b.id);

    simulator.setConsentChangesBumpUpdated(false);
    simulator.recordSpamComplaint(c.id);
    expect(simulator.profile(c.id)!.attributes.updated).toBe(c.attributes.updated);
    simulator.setConsentChangesBumpUpdated(true);
    simulator.setPushConsent(c.id, 'SUBSCRIBED', { at: new Date('2026-12-02T00:00:00Z') });
    expect(simulator.profile(c.id)!.attributes.updated).toBe('2026-12-02T00:00:00+00:00');
  });

  it('serves the change on GET /api/profiles at once, even for a profile already served', async () => {
    const target = withEmail(10);
    const url = profilesUrl(simulator, { filter: `equals(id,"${target.id}")`, 'additional-fields[profile]': 'subscriptions' });
    const before = await getPage(url);
    expect(before.data[0]!.attributes.subscriptions).toEqual(target.attributes.subscriptions);
    simulator.recordBounce(target.id);
    const after = await getPage(url);
    expect(after.data[0]!.attributes.subscriptions).toEqual(simulator.profile(target.id)!.attributes.subscriptions);
    expect(after.data[0]!.attributes.subscriptions).not.toEqual(target.attributes.subscriptions);
  });
});

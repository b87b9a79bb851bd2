import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/logger.js';
import { parseConfig } from '../../src/config/parse-config.js';
import type { StreamRequest } from '../../src/engine/events.js';
import { runSync } from '../../src/engine/run-sync.js';
import type { ConsentEventRecord } from '../../src/generated/consent-event-record.js';
import type { ConsentEventsState } from '../../src/generated/consent-events-state.js';
import type { ProfileConsentRecord } from '../../src/generated/profile-consent-record.js';
import type { ProfileConsentState } from '../../src/generated/profile-consent-state.js';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { configFor } from '../helpers/simulator-config.js';

// Issue 13: the consent_events stream is the consent audit trail. Rows merged over incremental runs equal the
// simulator's consent event log; a run stopped anywhere resumes losing nothing; with profile_consent, one pass.

let simulator: KlaviyoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

/** The truth, written out by hand from Klaviyo's metric names (not from the code under test). */
const KIND: Record<string, [channel: string, action: string]> = {
  'Subscribed to Email Marketing': ['email', 'subscribed'],
  'Unsubscribed from Email Marketing': ['email', 'unsubscribed'],
  'Subscribed to Text Messaging Marketing': ['sms', 'subscribed'],
  'Unsubscribed from Text Messaging Marketing': ['sms', 'unsubscribed'],
  'Subscribed to SMS Marketing': ['sms', 'subscribed'],
  'Unsubscribed from SMS Marketing': ['sms', 'unsubscribed'],
  'Subscribed to Text Messaging Transactional': ['sms_transactional', 'subscribed'],
  'Unsubscribed from Text Messaging Transactional': ['sms_transactional', 'unsubscribed'],
  'Manually Suppressed from Email Marketing': ['email', 'suppressed'],
  'Manually Unsuppressed from Email Marketing': ['email', 'unsuppressed'],
  'Marked Email as Spam': ['email', 'spam_complaint'],
  'Bounced Email': ['email', 'bounced'],
  'Subscribed to List': ['list', 'subscribed'],
  'Unsubscribed from List': ['list', 'unsubscribed'],
  'Updated Email Preferences': ['email', 'preferences_updated'],
};
const consentLog = (sim: KlaviyoSimulator) =>
  sim
    .events()
    .filter((e) => KIND[e.metricName])
    .map((e) => ({ id: e.id, datetime: e.datetime.replace('+00:00', 'Z'), profile_id: e.profileId, channel: KIND[e.metricName]![0], action: KIND[e.metricName]![1] }))
    .sort((a, b) => a.id.localeCompare(b.id));
const asRows = (records: Iterable<ConsentEventRecord>) =>
  [...records].map((r) => ({ id: r.id, datetime: r.datetime, profile_id: r.profile_id, channel: r.channel, action: r.action })).sort((a, b) => a.id.localeCompare(b.id));

interface Run {
  events: ConsentEventRecord[];
  profiles: ProfileConsentRecord[];
  states: Map<string, unknown>;
  checkpoints: number;
}

/** One run of the engine; with `stopAfterCheckpoints` of consent_events, abandoned there as a killed process would be. */
async function run(sim: KlaviyoSimulator, streams: StreamRequest[], overrides: Record<string, unknown> = {}, stopAfterCheckpoints?: number): Promise<Run> {
  const settings = parseConfig(configFor(sim, overrides));
  const result: Run = { events: [], profiles: [], states: new Map(), checkpoints: 0 };
  for await (const event of runSync({ settings, streams, logger: silentLogger })) {
    if (event.type === 'stream_failed') throw event.error;
    if (event.type === 'records' && event.stream === 'consent_events') result.events.push(...(event.records as ConsentEventRecord[]));
    if (event.type === 'records' && event.stream === 'profile_consent') result.profiles.push(...(event.records as ProfileConsentRecord[]));
    if (event.type === 'checkpoint') {
      result.states.set(event.stream, event.state);
      if (event.stream === 'consent_events' && ++result.checkpoints === stopAfterCheckpoints) break;
    }
  }
  return result;
}

const headers: Record<string, string> = { Authorization: `Klaviyo-API-Key ${SIMULATOR_API_KEY}`, revision: '2026-07-15', 'content-type': 'application/vnd.api+json', accept: 'application/vnd.api+json' };
async function post(sim: KlaviyoSimulator, path: string, data: unknown): Promise<void> {
  const response = await fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify({ data }) });
  expect(response.status, `${path}: ${await response.text()}`).toBe(202);
}
const profilesOf = (list: Array<Record<string, unknown>>) => ({ data: list.map((attributes) => ({ type: 'profile', attributes })) });

/** Every change the simulator records a consent event for, through its write endpoints (and bounces and complaints). */
async function round(sim: KlaviyoSimulator, random: () => number): Promise<void> {
  const people = sim.allProfiles().filter((p) => p.attributes.email && p.attributes.phone_number);
  const pick = () => people[Math.floor(random() * people.length)]!;
  const list = sim.lists()[Math.floor(random() * sim.lists().length)]!;
  const recently = new Date(Date.now() - 20_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await post(sim, '/api/profile-subscription-bulk-create-jobs', { type: 'profile-subscription-bulk-create-job', attributes: { profiles: profilesOf([1, 2].map(() => ({ email: pick().attributes.email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED' } } } }))) } });
  await post(sim, '/api/profile-subscription-bulk-create-jobs', {
    type: 'profile-subscription-bulk-create-job',
    // A historical import: Klaviyo dates its events at consented_at, here within the lookback the test reads with.
    attributes: { historical_import: true, profiles: profilesOf([{ email: pick().attributes.email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', consented_at: recently } } } }]) },
    relationships: { list: { data: { type: 'list', id: list.optInProcess === 'single_opt_in' ? list.id : sim.lists()[0]!.id } } },
  });
  await post(sim, '/api/profile-subscription-bulk-delete-jobs', { type: 'profile-subscription-bulk-delete-job', attributes: { profiles: profilesOf([1, 2].map(() => ({ email: pick().attributes.email, subscriptions: { email: { marketing: { consent: 'UNSUBSCRIBED' } } } }))) } });
  await post(sim, '/api/profile-subscription-bulk-create-jobs', {
    type: 'profile-subscription-bulk-create-job',
    attributes: { profiles: profilesOf([{ phone_number: pick().attributes.phone_number, subscriptions: { sms: { marketing: { consent: 'SUBSCRIBED' }, transactional: { consent: 'SUBSCRIBED' } } } }]) },
  });
  await post(sim, '/api/profile-subscription-bulk-delete-jobs', {
    type: 'profile-subscription-bulk-delete-job',
    attributes: { profiles: profilesOf([{ phone_number: pick().attributes.phone_number, subscriptions: { sms: { marketing: { consent: 'UNSUBSCRIBED' }, transactional: { consent: 'UNSUBSCRIBED' } } } }]) },
  });
  await post(sim, '/api/profile-subscription-bulk-delete-jobs', {
    type: 'profile-subscription-bulk-delete-job',
    attributes: { profiles: profilesOf([{ email: pick().attributes.email, subscriptions: { email: { marketing: { consent: 'UNSUBSCRIBED' } } } }]) },
    relationships: { list: { data: { type: 'list', id: list.id } } },
  });
  const suppressed = pick().attributes.email;
  await post(sim, '/api/profile-suppression-bulk-create-jobs', { type: 'profile-suppression-bulk-create-job', attributes: { profiles: profilesOf([{ email: suppressed }]) } });
  await post(sim, '/api/profile-suppression-bulk-delete-jobs', { type: 'profile-suppression-bulk-delete-job', attributes: { profiles: profilesOf([{ email: suppressed }]) } });
  sim.recordBounce(pick().id);
  sim.recordSpamComplaint(pick().id);
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('consent_events: the consent audit trail', () => {
  it('rows merged over incremental runs equal the consent event log after every round: every channel and action, none missing', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 120, seed: 41 });
    const sim = simulator;
    const random = seeded(41);
    const rows = new Map<string, ConsentEventRecord>();
    let state: ConsentEventsState | undefined;
    const lookbackMs = 60_000;
    const seen = new Set<string>();
    for (let i = 0; i < 4; i += 1) {
      if (i > 0) await round(sim, random);
      // A second boundary between the round and the read, so that nothing is dated in the read's own second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const watermark = state?.datetime === undefined ? undefined : Date.parse(state.datetime);
      const result = await run(sim, [{ stream: 'consent_events', mode: 'incremental', state }], { lookback_seconds: lookbackMs / 1000 });
      for (const record of result.events) {
        // A row emitted again is one of the lookback's: dated no earlier than the last watermark minus the lookback.
        if (rows.has(record.id)) expect(Date.parse(record.datetime), record.id).toBeGreaterThanOrEqual((watermark ?? 0) - lookbackMs);
        rows.set(record.id, record);
        seen.add(`${record.channel} ${record.action}`);
      }
      state = result.states.get('consent_events') as ConsentEventsState;
      expect(asRows(rows.values()), `after round ${i}`).toEqual(consentLog(sim));
    }
    expect([...seen].sort()).toEqual([
      'email bounced',
      'email spam_complaint',
      'email subscribed',
      'email suppressed',
      'email unsubscribed',
      'email unsuppressed',
      'list subscribed',
      'list unsubscribed',
      'sms subscribed',
      'sms unsubscribed',
      'sms_transactional subscribed',
      'sms_transactional unsubscribed',
    ]);
    const sample = [...rows.values()].find((r) => r.channel === 'list');
    expect(sample).toMatchObject({ list_id: expect.stringMatching(/^[A-Za-z0-9]{6}$/), list_name: expect.any(String), metric_name: expect.stringMatching(/List$/) });
    expect(sim.stats.refused).toBe(0);
  });

  it('gives each row the identifiers of its profile, the list id behind a list name, method and properties', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 30, seed: 42 });
    const sim = simulator;
    const person = sim.allProfiles().find((p) => p.attributes.email && p.attributes.subscriptions?.email?.marketing?.consent !== 'SUBSCRIBED')!;
    const list = sim.lists().find((l) => l.optInProcess === 'single_opt_in')!;
    await post(sim, '/api/profile-subscription-bulk-create-jobs', { type: 'profile-subscription-bulk-create-job', attributes: { profiles: profilesOf([{ email: person.attributes.email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED' } } } }]) }, relationships: { list: { data: { type: 'list', id: list.id } } } });
    sim.recordBounce(person.id);
    const { events } = await run(sim, [{ stream: 'consent_events', mode: 'full_refresh', state: undefined }]);
    const mine = events.filter((e) => e.profile_id === person.id);
    expect(mine.map((e) => [e.metric_name, e.channel, e.action])).toEqual([
      ['Subscribed to Email Marketing', 'email', 'subscribed'],
      ['Subscribed to List', 'list', 'subscribed'],
      ['Bounced Email', 'email', 'bounced'],
    ]);
    for (const e of mine) expect(e).toMatchObject({ email: person.attributes.email, phone_number: person.attributes.phone_number ?? null, external_id: person.attributes.external_id ?? null });
    expect(mine[0]).toMatchObject({ method: 'API', list_id: null, properties: { Method: 'API' } });
    expect(mine[1]).toMatchObject({ list_id: list.id, list_name: list.name, properties: { List: list.name } });
    expect(mine[2]).toMatchObject({ properties: { 'Bounce Type': 'Hard' } });
  });

  it('a run stopped after any checkpoint and resumed from its last state loses no event', async () => {
    // Revision 2025-10-15 pages Get Events by 200, so each metric takes several pages, each one checkpoint.
    simulator = await KlaviyoSimulator.start({ profiles: 60, seed: 43, writeDelayMs: 0 });
    const sim = simulator;
    const people = sim.allProfiles();
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 900; i += 1) sim.recordEvent(people[i % people.length]!.id, i % 3 === 0 ? 'Bounced Email' : i % 3 === 1 ? 'Marked Email as Spam' : 'Unsubscribed from Email Marketing', { at: new Date(base + i * 1000) });
    const overrides = { revision: '2025-10-15', lookback_seconds: 1 };
    const truth = consentLog(sim);
    expect(truth.length).toBeGreaterThanOrEqual(900);
    for (const stopAt of [1, 3, 6, 9]) {
      const first = await run(sim, [{ stream: 'consent_events', mode: 'incremental', state: undefined }], overrides, stopAt);
      const state = first.states.get('consent_events') as ConsentEventsState;
      expect(state.metrics, `a checkpoint ${stopAt} in: progress by metric`).toBeDefined();
      const second = await run(sim, [{ stream: 'consent_events', mode: 'incremental', state }], overrides);
      const union = new Map([...first.events, ...second.events].map((r) => [r.id, r]));
      expect(asRows(union.values()), `stopped after ${stopAt} checkpoints`).toEqual(truth);
      // Duplicates are the lookback's: events of the second (and the one before) where the first run stopped.
      const again = second.events.filter((r) => first.events.some((f) => f.id === r.id));
      for (const r of again) {
        const progress = Date.parse(state.metrics?.[r.metric_id] ?? state.datetime ?? '');
        expect(Date.parse(r.datetime)).toBeGreaterThanOrEqual(progress - 1000);
      }
    }
  });

  it('with both streams, Get Events is read once per metric, and profile_consent still finds the profiles it names', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 80, seed: 44 });
    const sim = simulator;
    const overrides = { lookback_seconds: 1 };
    const first = await run(sim, [
      { stream: 'profile_consent', mode: 'incremental', state: undefined },
      { stream: 'consent_events', mode: 'incremental', state: undefined },
    ], overrides);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // An SMS opt-out: no suppression and no move of updated, so only the consent-event detector can find it.
    const target = sim.allProfiles().find((p) => p.attributes.phone_number && p.attributes.subscriptions?.sms?.marketing?.consent === 'SUBSCRIBED')!;
    await post(sim, '/api/profile-subscription-bulk-delete-jobs', { type: 'profile-subscription-bulk-delete-job', attributes: { profiles: profilesOf([{ phone_number: target.attributes.phone_number, subscriptions: { sms: { marketing: { consent: 'UNSUBSCRIBED' } } } }]) } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    sim.resetStats();
    const second = await run(sim, [
      { stream: 'profile_consent', mode: 'incremental', state: first.states.get('profile_consent') as ProfileConsentState },
      { stream: 'consent_events', mode: 'incremental', state: first.states.get('consent_events') as ConsentEventsState },
    ], overrides);
    const eventRequests = sim.requestLog.filter((e) => e.url.startsWith('/api/events'));
    const byMetric = new Map<string, number>();
    for (const e of eventRequests) {
      const metric = /metric_id,"([^"]+)"/.exec(decodeURIComponent(new URL(e.url, sim.baseUrl).searchParams.get('filter') ?? ''))?.[1] ?? '?';
      byMetric.set(metric, (byMetric.get(metric) ?? 0) + 1);
    }
    const consentMetrics = sim.metrics().filter((m) => KIND[m.name]);
    expect([...byMetric.keys()].sort()).toEqual(consentMetrics.map((m) => m.id).sort());
    expect([...byMetric.values()].every((n) => n === 1), JSON.stringify([...byMetric])).toBe(true);
    // One listing of the metrics (200 a page), not one per stream.
    expect(sim.requestLog.filter((e) => e.url.startsWith('/api/metrics'))).toHaveLength(Math.ceil(sim.metrics().length / 200));
    // The unsubscribe did not move updated: profile_consent found it through the shared pass.
    expect(second.profiles.map((p) => p.id)).toContain(target.id);
    expect(second.profiles.find((p) => p.id === target.id)?.sms_consent).toBe('UNSUBSCRIBED');
    expect(second.events.map((e) => [e.profile_id, e.action])).toContainEqual([target.id, 'unsubscribed']);
  });

  it('if consent_events fails, profile_consent still syncs (reading its events itself), and the run reports the failure', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 60, seed: 46 });
    const sim = simulator;
    const overrides = { lookback_seconds: 1, max_lists_to_scan: 0, max_retry_seconds: 1 };
    const first = await run(sim, [{ stream: 'profile_consent', mode: 'incremental', state: undefined }, { stream: 'consent_events', mode: 'incremental', state: undefined }], overrides);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const target = sim.allProfiles().find((p) => p.attributes.phone_number && p.attributes.subscriptions?.sms?.marketing?.consent === 'SUBSCRIBED')!;
    await post(sim, '/api/profile-subscription-bulk-delete-jobs', { type: 'profile-subscription-bulk-delete-job', attributes: { profiles: profilesOf([{ phone_number: target.attributes.phone_number, subscriptions: { sms: { marketing: { consent: 'UNSUBSCRIBED' } } } }]) } });
    sim.recordEvent(sim.allProfiles()[0]!.id, 'Unsubscribed from List', { properties: { List: sim.lists()[0]!.name } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Get Lists, which only consent_events needs here (for the list id behind a list name), answers 429 past the retry budget.
    sim.setRateLimits({ lists: { perSecond: 1, perMinute: 1 } });
    await fetch(`${sim.baseUrl}/api/lists`, { headers });
    const settings = parseConfig(configFor(sim, overrides));
    const seen: string[] = [];
    const profiles: ProfileConsentRecord[] = [];
    for await (const event of runSync({
      settings,
      streams: [
        { stream: 'profile_consent', mode: 'incremental', state: first.states.get('profile_consent') as ProfileConsentState },
        { stream: 'consent_events', mode: 'incremental', state: first.states.get('consent_events') as ConsentEventsState },
      ],
      logger: silentLogger,
    })) {
      if (event.type === 'stream_failed' || event.type === 'stream_completed') seen.push(`${event.stream} ${event.type}`);
      if (event.type === 'records' && event.stream === 'profile_consent') profiles.push(...(event.records as ProfileConsentRecord[]));
    }
    expect(seen).toEqual(['consent_events stream_failed', 'profile_consent stream_completed']);
    expect(profiles.find((p) => p.id === target.id)?.sms_consent).toBe('UNSUBSCRIBED');
  });

  it('a full refresh stopped mid-way resumes its own attempt from its progress, and loses nothing', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 60, seed: 47 });
    const sim = simulator;
    const people = sim.allProfiles();
    for (let i = 0; i < 700; i += 1) sim.recordEvent(people[i % people.length]!.id, 'Bounced Email', { at: new Date(Date.now() - 3_600_000 + i * 1000) });
    const overrides = { revision: '2025-10-15', lookback_seconds: 1 };
    const first = await run(sim, [{ stream: 'consent_events', mode: 'full_refresh', state: undefined }], overrides, 2);
    const state = first.states.get('consent_events') as ConsentEventsState;
    expect(state.full_refresh_in_progress).toBe(true);
    const second = await run(sim, [{ stream: 'consent_events', mode: 'full_refresh', state }], overrides);
    expect(asRows(new Map([...first.events, ...second.events].map((r) => [r.id, r])).values())).toEqual(consentLog(sim));
    // It resumed: it did not read again what the first attempt had emitted before its progress.
    expect(second.events.length).toBeLessThan(consentLog(sim).length);
    expect((second.states.get('consent_events') as ConsentEventsState).full_refresh_in_progress).toBeUndefined();
  });

  it('start_date bounds the events; old and 2026 SMS names are both read; Updated Email Preferences maps to preferences_updated', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 40, seed: 48, smsMetricNaming: 'both', consentHistoryProfiles: 0 });
    const sim = simulator;
    const [a, b, c] = sim.allProfiles();
    sim.recordEvent(a!.id, 'Unsubscribed from SMS Marketing', { at: new Date('2026-06-01T00:00:00Z') });
    sim.recordEvent(b!.id, 'Unsubscribed from Text Messaging Marketing', { at: new Date('2026-09-01T00:00:00Z') });
    sim.recordEvent(c!.id, 'Updated Email Preferences', { at: new Date('2026-09-02T00:00:00Z') });
    sim.recordEvent(c!.id, 'Bounced Email', { at: new Date('2025-01-01T00:00:00Z') });
    const all = await run(sim, [{ stream: 'consent_events', mode: 'full_refresh', state: undefined }]);
    expect(all.events.map((e) => [e.metric_name, e.channel, e.action]).sort()).toEqual([
      ['Bounced Email', 'email', 'bounced'],
      ['Unsubscribed from SMS Marketing', 'sms', 'unsubscribed'],
      ['Unsubscribed from Text Messaging Marketing', 'sms', 'unsubscribed'],
      ['Updated Email Preferences', 'email', 'preferences_updated'],
    ]);
    const bounded = await run(sim, [{ stream: 'consent_events', mode: 'full_refresh', state: undefined }], { start_date: '2026-08-01' });
    expect(bounded.events.map((e) => e.metric_name).sort()).toEqual(['Unsubscribed from Text Messaging Marketing', 'Updated Email Preferences']);
  });

  it('without lists:read, a list event keeps its list name, list_id stays null, and the run says why', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 20, seed: 49, consentHistoryProfiles: 0, apiKeys: { [SIMULATOR_API_KEY]: ['profiles:read', 'metrics:read', 'events:read'] } });
    const sim = simulator;
    sim.recordEvent(sim.allProfiles()[0]!.id, 'Unsubscribed from List', { properties: { List: sim.lists()[0]!.name } });
    const warnings: string[] = [];
    const settings = parseConfig(configFor(sim));
    const rows: ConsentEventRecord[] = [];
    for await (const event of runSync({ settings, streams: [{ stream: 'consent_events', mode: 'full_refresh', state: undefined }], logger: { ...silentLogger, warn: (m) => warnings.push(m) } })) {
      if (event.type === 'stream_failed') throw event.error;
      if (event.type === 'records') rows.push(...(event.records as ConsentEventRecord[]));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ list_id: null, list_name: sim.lists()[0]!.name });
    expect(warnings.join('\n')).toMatch(/list_id is left empty.*lists:read/s);
  });

  it('an expired cursor in the middle of a metric: the metric resumes from its last second, every event once', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 30, seed: 50, consentHistoryProfiles: 0 });
    const sim = simulator;
    const people = sim.allProfiles();
    // Five events a second, so that a page ends inside a second.
    for (let i = 0; i < 700; i += 1) sim.recordEvent(people[i % people.length]!.id, 'Marked Email as Spam', { at: new Date(Date.now() - 3_600_000 + Math.floor(i / 5) * 1000) });
    const settings = parseConfig(configFor(sim, { revision: '2025-10-15' }));
    const rows: ConsentEventRecord[] = [];
    let batches = 0;
    for await (const event of runSync({ settings, streams: [{ stream: 'consent_events', mode: 'full_refresh', state: undefined }], logger: silentLogger })) {
      if (event.type === 'stream_failed') throw event.error;
      if (event.type === 'records') {
        rows.push(...(event.records as ConsentEventRecord[]));
        // Klaviyo's cursors age out: every cursor handed out so far is refused from now on.
        if (++batches === 2) sim.expireCursors();
      }
    }
    expect(rows.map((r) => r.id).sort()).toEqual(consentLog(sim).map((e) => e.id).sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(sim.stats.refusedBy['400 invalid']).toBeGreaterThan(0);
  });

  it('a historical import dated days back is missed by an incremental read and reached by the periodic full read', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 40, seed: 51 });
    const sim = simulator;
    const overrides = { lookback_seconds: 60, full_resync_days: 1 };
    const first = await run(sim, [{ stream: 'consent_events', mode: 'incremental', state: undefined }], overrides);
    const state = first.states.get('consent_events') as ConsentEventsState;
    expect(state.last_full_read).toBeDefined();
    const person = sim.allProfiles().find((p) => p.attributes.email && p.attributes.subscriptions?.email?.marketing?.consent !== 'SUBSCRIBED')!;
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await post(sim, '/api/profile-subscription-bulk-create-jobs', { type: 'profile-subscription-bulk-create-job', attributes: { historical_import: true, profiles: profilesOf([{ email: person.attributes.email, subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', consented_at: threeDaysAgo } } } }]) } });
    const imported = sim.events().find((e) => e.profileId === person.id && e.metricName === 'Subscribed to Email Marketing')!;
    const incremental = await run(sim, [{ stream: 'consent_events', mode: 'incremental', state }], overrides);
    expect(incremental.events.map((e) => e.id)).not.toContain(imported.id);
    // A day later, the full read is due.
    const due = { ...(incremental.states.get('consent_events') as ConsentEventsState), last_full_read: new Date(Date.now() - 2 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    const full = await run(sim, [{ stream: 'consent_events', mode: 'incremental', state: due }], overrides);
    expect(full.events.map((e) => e.id)).toContain(imported.id);
    expect(Date.parse((full.states.get('consent_events') as ConsentEventsState).last_full_read!)).toBeGreaterThan(Date.parse(due.last_full_read));
  });
});

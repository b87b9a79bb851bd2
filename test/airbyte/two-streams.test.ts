import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator } from '../../src/simulator/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { airbyteMessageValidator, hasReference } from '../helpers/reference.js';
import { airbyteBin, ofType, parseLines, repoRoot, runCli, runRaw, tapBin, tempFile, type CliResult } from '../helpers/run-cli.js';
import { configFor } from '../helpers/simulator-config.js';

// Issue 13: the protocol rules of the first stream hold for two (per-stream STATE, SCHEMA before RECORD, the
// last line a STATE, selection of one stream or both), in both faces; a killed read resumes losing no event.

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateEvent = ajv.compile(JSON.parse(readFileSync(join(repoRoot, 'schemas/consent_events.json'), 'utf8')) as object);

const CONSENT = ['Bounced Email', 'Marked Email as Spam', 'Unsubscribed from Email Marketing', 'Subscribed to List'];
let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await KlaviyoSimulator.start({ profiles: 150, seed: 45 });
  const people = simulator.allProfiles();
  const base = Date.now() - 7_200_000;
  for (let i = 0; i < 700; i += 1) {
    simulator.recordEvent(people[i % people.length]!.id, CONSENT[i % CONSENT.length]!, { at: new Date(base + i * 5000), ...(i % 4 === 3 ? { properties: { List: simulator.lists()[0]!.name } } : {}) });
  }
});
afterAll(() => simulator.close());

/** Every consent event of the account: the generated history and the ones recorded above. */
const isConsentMetric = (name: string) => /^(Subscribed to|Unsubscribed from|Manually (Un)?suppressed|Marked Email as Spam|Bounced Email|Updated Email Preferences)/i.test(name);
const consentEventIds = () =>
  simulator
    .events()
    .filter((e) => isConsentMetric(e.metricName))
    .map((e) => e.id)
    .sort();
const config = (overrides: Record<string, unknown> = {}) => tempFile('config.json', configFor(simulator, overrides));
const recordsOf = (result: CliResult, stream: string) => ofType(result.messages, 'RECORD').filter((m) => m.record.stream === stream).map((m) => m.record.data);

describe('two streams, Airbyte face', () => {
  it('discovers both streams, with their own keys and cursors', async () => {
    const result = await runCli(airbyteBin, ['discover', '--config', config()]);
    const streams = ofType(result.messages, 'CATALOG')[0]!.catalog.streams as Array<{ name: string; default_cursor_field: string[]; source_defined_primary_key: string[][] }>;
    expect(streams.map((s) => [s.name, s.default_cursor_field, s.source_defined_primary_key])).toEqual([
      ['profile_consent', ['updated'], [['id']]],
      ['consent_events', ['datetime'], [['id']]],
    ]);
  });

  it('reads both: valid records of each, a STATE per stream, statuses per stream, a STATE after the last record', async () => {
    const result = await runCli(airbyteBin, ['read', '--config', config(), '--catalog', tempFile('catalog.json', configuredCatalog('incremental', ['profile_consent', 'consent_events']))]);
    expect(result.code, result.stderr).toBe(0);
    if (hasReference) {
      const validate = airbyteMessageValidator();
      for (const message of result.messages) expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
    }
    const events = recordsOf(result, 'consent_events');
    expect(events.map((r) => r.id).sort()).toEqual(consentEventIds());
    for (const record of events) expect(validateEvent(record), JSON.stringify(validateEvent.errors)).toBe(true);
    expect(recordsOf(result, 'profile_consent')).toHaveLength(simulator.size);
    const states = ofType(result.messages, 'STATE').map((m) => m.state.stream.stream_descriptor.name);
    expect(new Set(states)).toEqual(new Set(['profile_consent', 'consent_events']));
    const statuses = ofType(result.messages, 'TRACE').filter((m) => m.trace.type === 'STREAM_STATUS').map((m) => `${m.trace.stream_status.stream_descriptor.name} ${m.trace.stream_status.status}`);
    expect(statuses.filter((s) => s.endsWith('COMPLETE')).sort()).toEqual(['consent_events COMPLETE', 'profile_consent COMPLETE']);
    for (const stream of ['profile_consent', 'consent_events']) {
      const lastRecord = result.messages.findLastIndex((m) => m.type === 'RECORD' && m.record.stream === stream);
      const lastState = result.messages.findLastIndex((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream);
      expect(lastState, stream).toBeGreaterThan(lastRecord);
    }
  });

  it('a second incremental read of both streams shares one pass over Get Events, and profile_consent gets an SMS opt-out only events show', async () => {
    const catalog = tempFile('catalog.json', configuredCatalog('incremental', ['profile_consent', 'consent_events']));
    const first = await runCli(airbyteBin, ['read', '--config', config(), '--catalog', catalog]);
    const lastStates = ['profile_consent', 'consent_events'].map((name) => ofType(first.messages, 'STATE').filter((m) => m.state.stream.stream_descriptor.name === name).at(-1)!.state);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const target = simulator.allProfiles().find((p) => p.attributes.phone_number && p.attributes.subscriptions?.sms?.marketing?.consent === 'SUBSCRIBED')!;
    simulator.updateProfile(target.id, (attributes) => {
      attributes.subscriptions!.sms!.marketing = { ...attributes.subscriptions!.sms!.marketing!, consent: 'UNSUBSCRIBED', can_receive_sms_marketing: false };
    }, { bumpUpdated: false });
    simulator.recordEvent(target.id, 'Unsubscribed from Text Messaging Marketing');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    simulator.resetStats();
    const second = await runCli(airbyteBin, ['read', '--config', config(), '--catalog', catalog, '--state', tempFile('state.json', lastStates)]);
    expect(second.code, second.stderr).toBe(0);
    expect(recordsOf(second, 'profile_consent').find((r) => r.id === target.id)?.sms_consent).toBe('UNSUBSCRIBED');
    expect(recordsOf(second, 'consent_events').map((r) => [r.profile_id, r.channel, r.action])).toContainEqual([target.id, 'sms', 'unsubscribed']);
    const metricsRead = simulator.requestLog.filter((e) => e.url.startsWith('/api/events')).map((e) => /metric_id,"([^"]+)"/.exec(new URL(e.url, simulator.baseUrl).searchParams.get('filter') ?? '')?.[1]);
    expect(metricsRead.length).toBe(new Set(metricsRead).size);
  });

  it('reads only the stream the catalog selects', async () => {
    const only = await runCli(airbyteBin, ['read', '--config', config(), '--catalog', tempFile('catalog.json', configuredCatalog('full_refresh', 'consent_events'))]);
    expect(only.code, only.stderr).toBe(0);
    expect(recordsOf(only, 'profile_consent')).toHaveLength(0);
    expect(recordsOf(only, 'consent_events').length).toBe(consentEventIds().length);
    expect(ofType(only.messages, 'STATE').every((m) => m.state.stream.stream_descriptor.name === 'consent_events')).toBe(true);
  });

  it('a read SIGKILLed after its first consent_events STATE, resumed from the states it passed on, loses no event', async () => {
    // Revision 2025-10-15 pages Get Events by 200: several pages, several states.
    const settings = config({ revision: '2025-10-15' });
    const catalog = tempFile('catalog.json', configuredCatalog('incremental', 'consent_events'));
    const killed = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [airbyteBin, 'read', '--config', settings, '--catalog', catalog], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (/"type":"STATE"/.test(out) && !child.killed) child.kill('SIGKILL');
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
    });
    const complete = killed.slice(0, killed.lastIndexOf('\n') + 1);
    const first = parseLines(complete);
    const lastStateIndex = first.findLastIndex((m) => m.type === 'STATE');
    const lastState = first[lastStateIndex]!;
    expect(lastState.state.stream.stream_state.metrics, 'stopped mid-stream').toBeDefined();
    // What a destination keeps: the records before the last STATE (the rest is discarded with the failed attempt).
    const seen = new Set(first.slice(0, lastStateIndex).filter((m) => m.type === 'RECORD').map((m) => m.record.data.id as string));
    expect(seen.size).toBeLessThan(consentEventIds().length);
    const resumed = await runCli(airbyteBin, ['read', '--config', settings, '--catalog', catalog, '--state', tempFile('state.json', [lastState.state])]);
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const record of recordsOf(resumed, 'consent_events')) seen.add(record.id as string);
    expect([...seen].sort()).toEqual(consentEventIds());
  });
});

describe('two streams, Singer face', () => {
  it('discovers both; SCHEMA before each stream\'s first RECORD; bookmarks of both; the last line a STATE', async () => {
    const catalog = JSON.parse((await runRaw(tapBin, ['--config', config(), '--discover'])).stdout) as { streams: Array<{ tap_stream_id: string; replication_key: string; key_properties: string[] }> };
    expect(catalog.streams.map((s) => [s.tap_stream_id, s.replication_key, s.key_properties])).toEqual([
      ['profile_consent', 'updated', ['id']],
      ['consent_events', 'datetime', ['id']],
    ]);
    // The history is opt-in: selected by default is profile_consent only.
    const top = (stream: number) => (catalog.streams[stream] as unknown as { metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }).metadata.find((m) => m.breadcrumb.length === 0)!;
    expect(top(1).metadata['selected-by-default']).toBe(false);
    top(1).metadata.selected = true;
    const result = await runRaw(tapBin, ['--config', config(), '--catalog', tempFile('catalog.json', catalog)]);
    expect(result.code, result.stderr).toBe(0);
    const lines = parseLines(result.stdout);
    for (const stream of ['profile_consent', 'consent_events']) {
      const schema = lines.findIndex((m) => m.type === 'SCHEMA' && m.stream === stream);
      const record = lines.findIndex((m) => m.type === 'RECORD' && m.stream === stream);
      expect(schema, stream).toBeGreaterThanOrEqual(0);
      expect(schema, stream).toBeLessThan(record);
    }
    expect(lines.find((m) => m.type === 'SCHEMA' && m.stream === 'consent_events')).toMatchObject({ key_properties: ['id'], bookmark_properties: ['datetime'] });
    const last = lines.at(-1)!;
    expect(last.type).toBe('STATE');
    expect(Object.keys(last.value.bookmarks).sort()).toEqual(['consent_events', 'profile_consent']);
    expect(lines.filter((m) => m.type === 'RECORD' && m.stream === 'consent_events').map((m) => m.record.id).sort()).toEqual(consentEventIds());

    // Deselected (or left to its default), consent_events is not read at all.
    delete top(1).metadata.selected;
    const one = parseLines((await runRaw(tapBin, ['--config', config(), '--catalog', tempFile('catalog.json', catalog)])).stdout);
    expect(one.some((m) => m.stream === 'consent_events')).toBe(false);
    expect(Object.keys(one.at(-1)!.value.bookmarks)).toEqual(['profile_consent']);
  });
});

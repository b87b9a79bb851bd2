import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator } from '../../src/simulator/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { validateRecord } from '../helpers/record-validator.js';
import { airbyteMessageValidator, hasReference, referenceSkipReason } from '../helpers/reference.js';
import { airbyteBin, ofType, runCli, tempFile, type CliResult } from '../helpers/run-cli.js';
import { configFor } from '../helpers/simulator-config.js';
import { expectRecordMatchesTruth } from '../helpers/truth.js';

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await KlaviyoSimulator.start({ profiles: 650, seed: 11 });
});
afterAll(() => simulator.close());

async function read(options: { config?: Record<string, unknown>; catalog?: unknown; state?: unknown; sim?: KlaviyoSimulator } = {}) {
  const sim = options.sim ?? simulator;
  const args = ['read', '--config', tempFile('config.json', configFor(sim, options.config))];
  if (options.catalog !== undefined) args.push('--catalog', tempFile('catalog.json', options.catalog));
  if (options.state !== undefined) args.push('--state', tempFile('state.json', options.state));
  return runCli(airbyteBin, args);
}

const records = (result: CliResult) => ofType(result.messages, 'RECORD').map((m) => m.record.data);
const states = (result: CliResult) => ofType(result.messages, 'STATE').map((m) => m.state);
const statuses = (result: CliResult) =>
  ofType(result.messages, 'TRACE')
    .filter((m) => m.trace.type === 'STREAM_STATUS')
    .map((m) => m.trace.stream_status.status);

function expectProtocolValid(result: CliResult) {
  if (!hasReference) return;
  const validate = airbyteMessageValidator();
  for (const message of result.messages) expect(validate(message), `${JSON.stringify(validate.errors)} in ${JSON.stringify(message).slice(0, 300)}`).toBe(true);
}

describe('read, full refresh', () => {
  it('returns every profile once with consent equal to the simulator, valid records, states and statuses', async () => {
    const result = await read({ catalog: configuredCatalog('full_refresh'), config: { page_size: 100 } });
    expect(result.code, result.stderr).toBe(0);
    expectProtocolValid(result);

    const truth = simulator.allProfiles();
    const byId = new Map(records(result).map((r) => [r.id, r]));
    expect(records(result)).toHaveLength(truth.length);
    expect(byId.size).toBe(truth.length);
    for (const profile of truth) {
      const record = byId.get(profile.id);
      expect(record, profile.id).toBeDefined();
      expect(validateRecord(record), JSON.stringify(validateRecord.errors)).toBe(true);
      expectRecordMatchesTruth(record!, profile);
    }

    expect(statuses(result)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const emitted = states(result);
    expect(emitted.length).toBeGreaterThanOrEqual(Math.ceil(truth.length / 100));
    for (const state of emitted) {
      expect(state.type).toBe('STREAM');
      expect(state.stream.stream_descriptor).toEqual({ name: 'profile_consent' });
    }
    expect(emitted.reduce((sum, s) => sum + s.sourceStats.recordCount, 0)).toBe(truth.length);
    const maxUpdated = Math.max(...truth.map((p) => Date.parse(p.attributes.updated!)));
    expect(Date.parse(emitted.at(-1)!.stream.stream_state.updated)).toBe(maxUpdated);
    // the last message is the final STATE or the COMPLETE status after it: nothing read after the last state
    const lastRecordIndex = result.messages.findLastIndex((m) => m.type === 'RECORD');
    const lastStateIndex = result.messages.findLastIndex((m) => m.type === 'STATE');
    expect(lastStateIndex).toBeGreaterThan(lastRecordIndex);
  });

  it('writes nothing to stderr but its own lines with a dozen requests in flight', async () => {
    // At 150 ms a page, the limit keeps about 14 ranges busy: more listeners on the scan's abort signal than
    // Node's default of 10, which would print a MaxListenersExceededWarning.
    const slow = await KlaviyoSimulator.start({ profiles: 1000, seed: 13, latencyMs: 150 });
    try {
      const result = await read({ sim: slow, config: { page_size: 20 } });
      expect(result.code, result.stderr).toBe(0);
      expect(records(result)).toHaveLength(1000);
      expect(result.stderr).not.toMatch(/Warning/);
      expect(slow.stats.refused).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('works without a catalog (standalone use) and without stdout noise', async () => {
    const result = await read();
    expect(result.code).toBe(0);
    expect(records(result)).toHaveLength(simulator.size);
    expect(new Set(result.messages.map((m) => m.type))).toEqual(new Set(['TRACE', 'RECORD', 'STATE', 'LOG']));
  });

  it('warns about a mistyped setting, naming the nearest, and syncs; warns about a start_date in the future', async () => {
    const result = await read({ config: { start_dat: '2026-01-01' } });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result)).toHaveLength(simulator.size);
    const warnings = ofType(result.messages, 'LOG').filter((m) => m.log.level === 'WARN').map((m) => m.log.message as string);
    expect(warnings).toContain('config: start_dat: unknown setting; did you mean start_date? It is ignored.');
    const future = await read({ config: { start_date: '2999-01-01' } });
    expect(future.code).toBe(0);
    expect(records(future)).toHaveLength(0);
    expect(ofType(future.messages, 'LOG').some((m) => /start_date: 2999-01-01T00:00:00.000Z is in the future/.test(m.log.message))).toBe(true);
  });

  it('applies start_date', async () => {
    const truth = simulator.allProfiles();
    const sorted = truth.map((p) => Date.parse(p.attributes.updated!)).sort((a, b) => a - b);
    const startMs = sorted[Math.floor(sorted.length / 2)]!;
    const result = await read({ config: { start_date: new Date(startMs).toISOString() } });
    const expected = truth.filter((p) => Date.parse(p.attributes.updated!) >= startMs).map((p) => p.id).sort();
    expect(records(result).map((r) => r.id).sort()).toEqual(expected);
  });
});

describe('read, incremental', () => {
  it('returns only profiles updated after the state, including ties at the cursor second', async () => {
    const truth = simulator.allProfiles();
    const counts = new Map<string, number>();
    for (const p of truth) counts.set(p.attributes.updated!, (counts.get(p.attributes.updated!) ?? 0) + 1);
    // a cursor second that several profiles share, in the middle of the data
    const tied = [...counts.entries()].filter(([, n]) => n >= 2).map(([t]) => t).sort((a, b) => Date.parse(a) - Date.parse(b));
    expect(tied.length, 'the simulator must generate updated ties').toBeGreaterThan(0);
    const cursor = tied[Math.floor(tied.length / 2)]!;
    const cursorMs = Date.parse(cursor);

    const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'profile_consent' }, stream_state: { updated: cursor } } }];
    const result = await read({ catalog: configuredCatalog('incremental'), state });
    expect(result.code, result.stderr).toBe(0);
    expectProtocolValid(result);
    const got = records(result).map((r) => r.id).sort();
    const expected = truth.filter((p) => Date.parse(p.attributes.updated!) >= cursorMs).map((p) => p.id).sort();
    expect(got).toEqual(expected);
    expect(got.length).toBeLessThan(truth.length);
  });

  it('accepts a legacy state object and an empty state file', async () => {
    const newest = simulator.allProfiles().map((p) => p.attributes.updated!).sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1)!;
    const legacy = await read({ catalog: configuredCatalog('incremental'), state: { profile_consent: { updated: newest } } });
    expect(legacy.code).toBe(0);
    expect(records(legacy).every((r) => Date.parse(r.updated) >= Date.parse(newest))).toBe(true);
    expect(records(legacy).length).toBeGreaterThan(0);
    const empty = await read({ catalog: configuredCatalog('incremental'), state: '' });
    expect(records(empty)).toHaveLength(simulator.size);
  });

  it('picks up a change made after the previous run', async () => {
    const first = await read({ catalog: configuredCatalog('incremental') });
    const state = [{ type: 'STREAM', stream: states(first).at(-1)!.stream }];
    const [victim] = simulator.allProfiles();
    simulator.updateProfile(victim!.id, (a) => {
      a.subscriptions!.email!.marketing!.consent = 'UNSUBSCRIBED';
      a.subscriptions!.email!.marketing!.can_receive_email_marketing = false;
    });
    const second = await read({ catalog: configuredCatalog('incremental'), state });
    const changed = records(second).find((r) => r.id === victim!.id);
    expect(changed?.email_consent).toBe('UNSUBSCRIBED');
    expect(records(second).length).toBeLessThan(10);
  });

  it('a state in the future yields no records and still a STATE no later than now', async () => {
    // its own account, untouched by the tests that change profiles "now" (which this read would then see)
    const quiet = await KlaviyoSimulator.start({ profiles: 100, seed: 12 });
    const before = Date.now();
    const result = await read({ sim: quiet, catalog: configuredCatalog('incremental'), state: { profile_consent: { updated: '2999-01-01T00:00:00Z' } } }).finally(() => quiet.close());
    expect(result.code).toBe(0);
    expect(records(result)).toHaveLength(0);
    const emitted = states(result);
    expect(emitted.length).toBeGreaterThanOrEqual(1);
    const cursor = Date.parse(emitted.at(-1)!.stream.stream_state.updated);
    expect(cursor).toBeLessThanOrEqual(Date.now());
    expect(cursor).toBeGreaterThanOrEqual(before - 2000);
    expect(statuses(result)).toEqual(['STARTED', 'COMPLETE']);
  });

  it('resumes from a mid-run state without losing a profile', async () => {
    const full = await read({ catalog: configuredCatalog('incremental'), config: { page_size: 50 } });
    // pretend the run died right after its third checkpoint
    const cut = states(full)[2]!;
    const index = full.messages.indexOf(ofType(full.messages, 'STATE')[2]!);
    const before = new Set(full.messages.slice(0, index).filter((m) => m.type === 'RECORD').map((m) => m.record.data.id));
    const resumed = await read({ catalog: configuredCatalog('incremental'), config: { page_size: 50 }, state: [{ type: 'STREAM', stream: cut.stream }] });
    const after = new Set(records(resumed).map((r) => r.id));
    const union = new Set([...before, ...after]);
    expect(union.size).toBe(simulator.size);
    // the resumed run reads exactly what lies at or above the watermark, not everything again
    const cursorMs = Date.parse(cut.stream.stream_state.updated);
    const above = simulator.allProfiles().filter((p) => Date.parse(p.attributes.updated!) >= cursorMs).map((p) => p.id).sort();
    expect([...after].sort()).toEqual(above);
    expect(after.size).toBeLessThan(simulator.size);
  });
});

describe('read, full refresh and state', () => {
  it('a full refresh ignores an incremental state left behind, and resumes only its own interrupted attempt', async () => {
    const newest = simulator.allProfiles().map((p) => p.attributes.updated!).sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1)!;
    const leftover = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'profile_consent' }, stream_state: { updated: newest } } }];
    const full = await read({ catalog: configuredCatalog('full_refresh'), state: leftover, config: { page_size: 50 } });
    expect(records(full)).toHaveLength(simulator.size);
    const emitted = states(full);
    expect(emitted.slice(0, -1).every((s) => s.stream.stream_state.full_refresh_in_progress === true)).toBe(true);
    expect(emitted.at(-1)!.stream.stream_state.full_refresh_in_progress).toBeUndefined();

    // a mid-run checkpoint that already carries a cursor (early ones may not, while the oldest range runs)
    const withCursor = ofType(full.messages, 'STATE').filter((m, i, all) => m.state.stream.stream_state.updated && i < all.length - 1);
    const cut = withCursor[Math.floor(withCursor.length / 2)]!;
    const resumed = await read({ catalog: configuredCatalog('full_refresh'), state: [{ type: 'STREAM', stream: cut.state.stream }], config: { page_size: 50 } });
    const cursorMs = Date.parse(cut.state.stream.stream_state.updated);
    const above = simulator.allProfiles().filter((p) => Date.parse(p.attributes.updated!) >= cursorMs).map((p) => p.id).sort();
    expect(records(resumed).map((r) => r.id).sort()).toEqual(above);
    expect(above.length).toBeLessThan(simulator.size);
    const before = new Set(full.messages.slice(0, full.messages.indexOf(cut)).filter((m) => m.type === 'RECORD').map((m) => m.record.data.id));
    expect(new Set([...before, ...above]).size).toBe(simulator.size);
  });

  it.each([
    ['a Singer state', { bookmarks: { profile_consent: { updated: '2024-01-01T00:00:00Z' } } }, /Singer state/],
    ['a state of another source', [{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: '2024-01-01T00:00:00Z' } } }], /none for profile_consent/],
    ['a GLOBAL state with a null entry', [{ type: 'GLOBAL', global: { stream_states: [null] } }], /global.stream_states\[0\]/],
    ['a state array with a null message', [null], /state\[0\] is not an object/],
    ['a cursor that is not a date-time', { profile_consent: { updated: 'last tuesday' } }, /not a date-time/],
  ])('%s is a config error, never a silent full resync', async (_name, state, message) => {
    const result = await read({ catalog: configuredCatalog('incremental'), state });
    expect(result.code).toBe(1);
    expect(records(result)).toHaveLength(0);
    const [error] = ofType(result.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR');
    expect(error?.trace.error.failure_type).toBe('config_error');
    expect(error?.trace.error.message).toMatch(message);
  });

  it('accepts a whole STATE message saved from a previous run', async () => {
    const first = await read({ catalog: configuredCatalog('incremental') });
    const last = ofType(first.messages, 'STATE').at(-1)!;
    const second = await read({ catalog: configuredCatalog('incremental'), state: last });
    expect(second.code).toBe(0);
    expect(records(second).length).toBeLessThan(20);
  });
});

describe.skipIf(!hasReference)(`Airbyte protocol conformance${hasReference ? '' : ` (${referenceSkipReason})`}`, () => {
  it('every message of a full read, a failed read and a bad-catalog read validates against airbyte_protocol.yaml', async () => {
    for (const result of [await read(), await read({ config: { api_key: 'pk_revoked_00000000000000000000000000' } }), await read({ catalog: configuredCatalog('full_refresh', 'profiles') })]) {
      expect(result.messages.length).toBeGreaterThan(0);
      expectProtocolValid(result);
    }
  });
});

describe('read, edge cases and errors', () => {
  it('an empty account gives no records, one STATE and a COMPLETE status', async () => {
    const empty = await KlaviyoSimulator.start({ profiles: 0 });
    try {
      const result = await read({ sim: empty, catalog: configuredCatalog('full_refresh') });
      expect(result.code).toBe(0);
      expectProtocolValid(result);
      expect(records(result)).toHaveLength(0);
      expect(states(result)).toHaveLength(1);
      expect(states(result)[0]?.sourceStats.recordCount).toBe(0);
      expect(statuses(result)).toEqual(['STARTED', 'COMPLETE']);
    } finally {
      await empty.close();
    }
  });

  it.each([
    ['an unknown stream', configuredCatalog('full_refresh', 'profiles'), /unknown stream "profiles"/],
    ['an invalid sync mode', configuredCatalog('cdc'), /sync_mode "cdc"/],
    ['a catalog without streams', { stream: [] }, /"streams" array/],
    ['a catalog that is not JSON', 'not json', /not valid JSON/],
  ])('%s gives a TRACE ERROR config_error and exit 1', async (_name, catalog, message) => {
    const result = await read({ catalog });
    expect(result.code).toBe(1);
    expectProtocolValid(result);
    expect(records(result)).toHaveLength(0);
    const errors = ofType(result.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.trace.error.failure_type).toBe('config_error');
    expect(errors[0]?.trace.error.message).toMatch(message);
    expect(result.stdout).not.toMatch(/\n\s+at /);
  });

  it('a revoked key mid-config gives INCOMPLETE and a config_error TRACE', async () => {
    const result = await read({ config: { api_key: 'pk_revoked_00000000000000000000000000' } });
    expect(result.code).toBe(1);
    expectProtocolValid(result);
    expect(statuses(result)).toEqual(['STARTED', 'INCOMPLETE']);
    const [error] = ofType(result.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR');
    expect(error?.trace.error.failure_type).toBe('config_error');
    expect(error?.trace.error.message).toMatch(/401/);
    expect(error?.trace.error.stream_descriptor).toEqual({ name: 'profile_consent' });
  });
});

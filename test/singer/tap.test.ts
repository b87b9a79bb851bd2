import { spawn } from 'node:child_process';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { recordSchema } from '../helpers/record-validator.js';
import { airbyteBin, ofType, parseLines, runCli, runRaw, tapBin, tempFile, type CliResult } from '../helpers/run-cli.js';
import { configFor } from '../helpers/simulator-config.js';
import { stopMidRead } from '../helpers/stop-mid-read.js';
import { expectRecordMatchesTruth } from '../helpers/truth.js';

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await KlaviyoSimulator.start({ profiles: 420, seed: 21 });
});
afterAll(() => simulator.close());

const tap = (args: string[], env?: NodeJS.ProcessEnv) => runCli(tapBin, args, { env });
const config = (overrides: Record<string, unknown> = {}) => tempFile('config.json', configFor(simulator, overrides));
const records = (result: CliResult) => ofType(result.messages, 'RECORD').map((m) => m.record);

/** Checks the Singer message rules every run must keep, and returns the records. */
function expectSingerRules(result: CliResult) {
  expect(result.code, result.stderr).toBe(0);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const schemas = new Map<string, ReturnType<typeof ajv.compile>>();
  for (const message of result.messages) {
    expect(['SCHEMA', 'RECORD', 'STATE']).toContain(message.type);
    if (message.type === 'SCHEMA') {
      expect(message.key_properties).toEqual(['id']);
      expect(message.bookmark_properties).toEqual(['updated']);
      schemas.set(message.stream, ajv.compile(message.schema));
    }
    if (message.type === 'RECORD') {
      const validate = schemas.get(message.stream);
      expect(validate, 'SCHEMA before RECORD').toBeDefined();
      expect(validate!(message.record), JSON.stringify(validate!.errors)).toBe(true);
      expect(Number.isNaN(Date.parse(message.time_extracted))).toBe(false);
      expect(message.time_extracted).toMatch(/Z$/);
    }
  }
  expect(result.messages.at(-1)?.type, 'the last line is a STATE').toBe('STATE');
  return records(result);
}

describe('tap-klaviyo-consent discovery and about', () => {
  it('discovers a Singer catalog with selection metadata, without a network call', async () => {
    const result = await runRaw(tapBin, ['--config', tempFile('c.json', { api_key: 'pk_discover_0000000000000000000000000', base_url: 'http://127.0.0.1:9' }), '--discover']);
    expect(result.code).toBe(0);
    const catalog = JSON.parse(result.stdout);
    const [stream] = catalog.streams;
    expect(stream).toMatchObject({ tap_stream_id: 'profile_consent', stream: 'profile_consent', key_properties: ['id'] });
    expect(stream.schema).toEqual(recordSchema);
    const top = stream.metadata.find((m: any) => m.breadcrumb.length === 0).metadata; // any: catalog JSON
    expect(top).toMatchObject({ inclusion: 'available', 'selected-by-default': true, 'table-key-properties': ['id'], 'valid-replication-keys': ['updated'] });
    const inclusion = (name: string) => stream.metadata.find((m: any) => m.breadcrumb[1] === name).metadata.inclusion; // any: catalog JSON
    expect(inclusion('id')).toBe('automatic');
    expect(inclusion('updated')).toBe('automatic');
    expect(inclusion('email_consent')).toBe('available');
    expect(stream.metadata).toHaveLength(1 + Object.keys(stream.schema.properties).length);
  });

  it('--about --format json lists real capabilities and marks the secret', async () => {
    const result = await runRaw(tapBin, ['--about', '--format', 'json']);
    expect(result.code).toBe(0);
    const about = JSON.parse(result.stdout);
    expect(about.name).toBe('tap-klaviyo-consent');
    expect(about.capabilities).toEqual(['catalog', 'discover', 'state', 'about']);
    expect(about.settings.properties.api_key.secret).toBe(true);
    expect(about.settings.required).toEqual(['api_key']);
    expect(about.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--about --format markdown prints a settings table', async () => {
    const { code, stdout: raw } = await runRaw(tapBin, ['--about', '--format', 'markdown']);
    expect(code).toBe(0);
    expect(raw).toContain('| Setting | Type | Required | Default | Secret | Description |');
    expect(raw).toMatch(/\| api_key \| string \| yes \|  \| yes \|/);
    expect(raw).toMatch(/\| page_size \| integer \| no \| `100` \| no \|/);
  });
});

describe('tap-klaviyo-consent sync', () => {
  it('emits SCHEMA, valid RECORDs equal to the truth, and ends with a STATE; the state resumes', async () => {
    const first = await tap(['--config', config()]);
    const got = expectSingerRules(first);
    expect(got).toHaveLength(simulator.size);
    const truth = new Map(simulator.allProfiles().map((p) => [p.id, p]));
    for (const record of got) expectRecordMatchesTruth(record, truth.get(record.id)!);
    const finalState = first.messages.at(-1)!.value;
    expect(finalState.bookmarks.profile_consent.updated).toMatch(/Z$/);

    const [victim] = simulator.allProfiles();
    simulator.updateProfile(victim!.id, (a) => {
      a.subscriptions!.email!.marketing!.consent = 'UNSUBSCRIBED';
    });
    const second = await tap(['--config', config(), '--state', tempFile('state.json', finalState)]);
    const newer = expectSingerRules(second);
    expect(newer.length).toBeLessThan(10);
    expect(newer.find((r) => r.id === victim!.id)?.email_consent).toBe('UNSUBSCRIBED');
  });

  it('accepts a Meltano SDK bookmark and refuses one on another replication key', async () => {
    const newest = simulator.allProfiles().map((p) => Date.parse(p.attributes.updated!)).sort((a, b) => a - b).at(-1)!;
    const sdk = { bookmarks: { profile_consent: { replication_key: 'updated', replication_key_value: new Date(newest).toISOString() } } };
    const ok = await tap(['--config', config(), '--state', tempFile('s.json', sdk)]);
    expect(expectSingerRules(ok).length).toBeLessThan(simulator.size / 2);
    const wrong = { bookmarks: { profile_consent: { replication_key: 'created', replication_key_value: '2024-01-01T00:00:00Z' } } };
    const bad = await tap(['--config', config(), '--state', tempFile('s.json', wrong)]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^CRITICAL .*replication_key/m);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses another tap's state (bookmarks of other streams only), as the Airbyte face does, and passes on others' bookmarks next to its own", async () => {
    const foreign = await tap(['--config', config(), '--state', tempFile('s.json', { bookmarks: { campaigns: { updated: '2024-01-01T00:00:00Z' } } })]);
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toBe('');
    expect(foreign.stderr).toMatch(/^CRITICAL .*bookmarks for "campaigns" but none for profile_consent/m);
    const newest = simulator.allProfiles().map((p) => p.attributes.updated!).sort().at(-1)!;
    const shared = await tap(['--config', config(), '--state', tempFile('s.json', { bookmarks: { campaigns: { x: 1 }, profile_consent: { updated: newest } } })]);
    expect(shared.code, shared.stderr).toBe(0);
    expect(ofType(shared.messages, 'STATE').at(-1)!.value.bookmarks.campaigns).toEqual({ x: 1 });
  });

  it('honours selection: deselected stream, deselected properties, "true" as a string, FULL_TABLE', async () => {
    const catalog = JSON.parse((await runRaw(tapBin, ['--config', config(), '--discover'])).stdout);
    // profile_consent alone here; the selection of consent_events has tests of its own.
    catalog.streams = catalog.streams.filter((s: { tap_stream_id: string }) => s.tap_stream_id === 'profile_consent');
    const metadata = catalog.streams[0].metadata as Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
    const top = metadata.find((m) => m.breadcrumb.length === 0)!;

    top.metadata.selected = false;
    const none = await tap(['--config', config(), '--catalog', tempFile('cat.json', catalog)]);
    expect(records(none)).toHaveLength(0);
    expect(ofType(none.messages, 'SCHEMA')).toHaveLength(0);

    top.metadata.selected = 'true';
    for (const m of metadata) if (m.breadcrumb.length === 2) m.metadata.selected = ['email', 'email_consent'].includes(m.breadcrumb[1]!);
    const some = await tap(['--config', config(), '--properties', tempFile('cat.json', catalog)]);
    const got = expectSingerRules(some);
    expect(got).toHaveLength(simulator.size);
    expect(Object.keys(got[0]!).sort()).toEqual(['email', 'email_consent', 'id', 'updated']);
    expect(Object.keys(ofType(some.messages, 'SCHEMA')[0]!.schema.properties).sort()).toEqual(['email', 'email_consent', 'id', 'updated']);

    // FULL_TABLE ignores the bookmark and reads everything
    top.metadata['replication-method'] = 'FULL_TABLE';
    const state = { bookmarks: { profile_consent: { updated: '2999-01-01T00:00:00Z' } } };
    const full = await tap(['--config', config(), '--catalog', tempFile('cat.json', catalog), '--state', tempFile('s.json', state)]);
    expect(expectSingerRules(full)).toHaveLength(simulator.size);
    top.metadata['replication-method'] = 'INCREMENTAL';
    const incremental = await tap(['--config', config(), '--catalog', tempFile('cat.json', catalog), '--state', tempFile('s.json', state)]);
    expect(expectSingerRules(incremental)).toHaveLength(0);
  });

  it('reads settings from TAP_KLAVIYO_CONSENT_* with --config ENV, and later --config files win', async () => {
    const env = {
      TAP_KLAVIYO_CONSENT_API_KEY: SIMULATOR_API_KEY,
      TAP_KLAVIYO_CONSENT_BASE_URL: simulator.baseUrl,
      TAP_KLAVIYO_CONSENT_PAGE_SIZE: '60',
      TAP_KLAVIYO_CONSENT_REQUESTS_PER_SECOND: '1000',
      TAP_KLAVIYO_CONSENT_REQUESTS_PER_MINUTE: '60000',
    };
    const pageSizes = () => new Set(simulator.requestLog.map((r) => new URL(r.url, simulator.baseUrl).searchParams.get('page[size]')));
    simulator.resetStats();
    const fromEnv = await tap(['--config', 'ENV'], env);
    expect(expectSingerRules(fromEnv)).toHaveLength(simulator.size);
    expect(pageSizes()).toContain('60');
    expect(pageSizes()).not.toContain('100');

    const broken = tempFile('a.json', { api_key: 'pk_wrong_0000000000000000000000000000', page_size: 30 });
    const fixed = tempFile('b.json', { api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl });
    simulator.resetStats();
    const merged = await tap(['--config', broken, '--config', fixed]);
    expect(expectSingerRules(merged)).toHaveLength(simulator.size);
    expect(pageSizes()).toContain('30');

    const badEnv = await tap(['--config', 'ENV'], { ...env, TAP_KLAVIYO_CONSENT_PAGE_SIZE: 'lots' });
    expect(badEnv.code).toBe(1);
    // The message names the variable the user set, not a config file's key.
    expect(badEnv.stderr).toMatch(/^CRITICAL .*TAP_KLAVIYO_CONSENT_PAGE_SIZE \(page_size\): must be a whole number/m);
    const { TAP_KLAVIYO_CONSENT_API_KEY: _key, ...keyless } = env;
    const noKey = await tap(['--config', 'ENV'], keyless);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/^CRITICAL .*api_key: missing\. Set TAP_KLAVIYO_CONSENT_API_KEY, or add "api_key" to a --config file\./m);
  });

  it('warns about a setting or a variable it does not know, naming the nearest one, and syncs', async () => {
    const env = { TAP_KLAVIYO_CONSENT_START_DAT: '2020-01-01', TAP_KLAVIYO_CONSENT_WHATEVER: 'x', TAP_KLAVIYO_CONSENT__PLATFORM: 'y' };
    const result = await tap(['--config', config({ pagesize: 10, _meltano_extra: true }), '--config', 'ENV'], env);
    expect(expectSingerRules(result)).toHaveLength(simulator.size);
    expect(result.stderr).toContain('WARNING config: pagesize: unknown setting; did you mean page_size? It is ignored.');
    expect(result.stderr).toContain('WARNING config: TAP_KLAVIYO_CONSENT_START_DAT: names no setting; did you mean TAP_KLAVIYO_CONSENT_START_DATE? It is ignored.');
    expect(result.stderr).toContain('TAP_KLAVIYO_CONSENT_WHATEVER: names no setting; it is ignored.');
    expect(result.stderr).not.toContain('_meltano_extra');
    expect(result.stderr).not.toContain('TAP_KLAVIYO_CONSENT__PLATFORM');
  });

  it('logs METRIC lines for record_count and http_request_duration on stderr', async () => {
    simulator.resetStats();
    const result = await tap(['--config', config({ page_size: 100 })]);
    const metrics = result.stderr
      .split('\n')
      .filter((l) => l.startsWith('INFO METRIC: '))
      .map((l) => JSON.parse(l.slice('INFO METRIC: '.length)));
    expect(metrics.find((m) => m.metric === 'record_count')).toMatchObject({ type: 'counter', value: simulator.size, tags: { endpoint: 'profile_consent' } });
    // Summed per endpoint and status, not one line per request: counts that add up to every request made.
    const timers = metrics.filter((m) => m.metric === 'http_request_duration');
    expect(timers.length).toBeLessThan(simulator.stats.requests);
    expect(timers.reduce((sum, t) => sum + t.tags.count, 0)).toBe(simulator.stats.requests);
    expect(timers[0]).toMatchObject({ type: 'timer', tags: { endpoint: '/api/profiles', http_status_code: 200, status: 'succeeded' } });
    expect(timers[0].value).toBeGreaterThanOrEqual(0);
  });

  it('ends with its final STATE once, not twice', async () => {
    const result = await tap(['--config', config({ page_size: 100 })]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1)!).type).toBe('STATE');
    expect(lines.at(-2)).not.toBe(lines.at(-1));
  });

  it.each([
    ['a null stream entry', { streams: [null] }, /streams\[0\] is not an object/],
    ['metadata that is not an array', { streams: [{ tap_stream_id: 'profile_consent', metadata: 'all' }] }, /metadata must be an array/],
    ['a metadata entry without breadcrumb', { streams: [{ tap_stream_id: 'profile_consent', metadata: [{ metadata: {} }] }] }, /metadata\[0\] must be/],
    ['an unknown stream', { streams: [{ tap_stream_id: 'lists', metadata: [] }] }, /unknown stream "lists"/],
  ])('a catalog with %s is one clear CRITICAL line', async (_name, catalog, message) => {
    const result = await tap(['--config', config(), '--catalog', tempFile('cat.json', catalog)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/Unexpected error|\n\s+at /);
  });

  it('a wrong key is one CRITICAL line and exit 1', async () => {
    const result = await tap(['--config', config({ api_key: 'pk_wrong_0000000000000000000000000000' })]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((l) => l.startsWith('CRITICAL'))).toHaveLength(1);
    expect(result.stderr).toMatch(/CRITICAL .*401/);
  });
});

describe('tap-klaviyo-consent signals', () => {
  it('ends within a second on SIGTERM with whole lines only and exit 143', async () => {
    const slow = await KlaviyoSimulator.start({ profiles: 500, seed: 2, latencyMs: 300 });
    try {
      const stopped = await stopMidRead(tapBin, ['--config', tempFile('c.json', configFor(slow, { page_size: 10 }))]);
      expect(stopped.code).toBe(143);
      expect(stopped.stoppedInMs).toBeLessThan(1000);
      expect(stopped.stdout.endsWith('\n')).toBe(true);
      expect(() => parseLines(stopped.stdout)).not.toThrow();
      expect(stopped.stderr).toContain('Received SIGTERM');
      expect(stopped.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await slow.close();
    }
  });

  it('stops cleanly when the target goes away (broken pipe)', async () => {
    const script = `node ${JSON.stringify(tapBin)} --config ${JSON.stringify(config({ page_size: 10 }))} | head -n 3 > /dev/null; echo "tap=\${PIPESTATUS[0]}" >&2`;
    const child = spawn('bash', ['-c', script]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/tap=141/);
    expect(stderr).not.toMatch(/\n\s+at |Error: write EPIPE/);
  });
});

describe('one engine, two faces', () => {
  it('the Airbyte source and the Singer tap emit the same record values for the same profiles', async () => {
    const airbyte = await runCli(airbyteBin, ['read', '--config', config(), '--catalog', tempFile('cat.json', configuredCatalog('full_refresh'))]);
    const singer = await tap(['--config', config()]);
    const a = new Map(ofType(airbyte.messages, 'RECORD').map((m) => [m.record.data.id, m.record.data]));
    const s = new Map(records(singer).map((r) => [r.id, r]));
    expect(a.size).toBe(simulator.size);
    expect(s).toEqual(a);
  });
});

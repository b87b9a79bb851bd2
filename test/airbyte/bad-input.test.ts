import { describe, expect, it } from 'vitest';
import { configuredCatalog } from '../helpers/catalog.js';
import { airbyteBin, ofType, runCli, tempFile } from '../helpers/run-cli.js';

// Every kind of bad input a person can hand the connector, each with one clear message naming the field and
// the fix, in the protocol's own form: check answers FAILED and exits 0; the other commands emit one TRACE
// ERROR config_error and exit 1. Never a stack trace on stdout. Nothing here reaches the network: port 9
// on loopback has nothing listening, and the failures come first.

const key = 'pk_badinput_00000000000000000000000000';
const good = { api_key: key, base_url: 'http://127.0.0.1:9' };
const missing = '/nonexistent/dir/file.json';

type Input = string | object | undefined;
interface Case {
  name: string;
  command: 'check' | 'discover' | 'read';
  config?: Input;
  catalog?: Input;
  state?: Input;
  /** Paths that do not exist, by argument name. */
  missingFile?: 'config' | 'catalog' | 'state';
  message: RegExp;
}

const cases: Case[] = [
  { name: 'config file missing', command: 'check', missingFile: 'config', message: /config file .* does not exist.*--config/ },
  { name: 'config not JSON', command: 'check', config: '{"api_key": pk_x', message: /config file .* not valid JSON/ },
  { name: 'config an array', command: 'check', config: '[1,2]', message: /must be a JSON object/ },
  { name: 'config a string', command: 'discover', config: '"pk_x"', message: /must be a JSON object/ },
  { name: 'api_key missing', command: 'check', config: { base_url: good.base_url }, message: /api_key: missing/ },
  { name: 'api_key empty', command: 'read', config: { ...good, api_key: '' }, message: /api_key: must not be empty/ },
  { name: 'api_key a number', command: 'check', config: { ...good, api_key: 123456789 }, message: /api_key: must be a string/ },
  { name: 'api_key public (site id)', command: 'check', config: { ...good, api_key: 'AbC123' }, message: /api_key: this is a public API key/ },
  { name: 'start_date unparseable', command: 'read', config: { ...good, start_date: 'last monday' }, message: /start_date: not a valid date/ },
  { name: 'start_date impossible', command: 'check', config: { ...good, start_date: '2024-02-30' }, message: /start_date: not a valid date/ },
  { name: 'base_url not a URL', command: 'check', config: { ...good, base_url: 'klaviyo' }, message: /base_url: "klaviyo" is not a URL/ },
  { name: 'base_url plain http to a remote host', command: 'read', config: { ...good, base_url: 'http://klaviyo-proxy.invalid' }, message: /base_url: plain http:\/\/ is refused/ },
  { name: 'page_size 0', command: 'check', config: { ...good, page_size: 0 }, message: /page_size/ },
  { name: 'page_size 500', command: 'read', config: { ...good, page_size: 500 }, message: /page_size/ },
  { name: 'concurrency 0', command: 'check', config: { ...good, concurrency: 0 }, message: /concurrency/ },
  { name: 'requests_per_second negative', command: 'check', config: { ...good, requests_per_second: -1 }, message: /requests_per_second/ },
  { name: 'requests_per_minute a string', command: 'check', config: { ...good, requests_per_minute: 'fast' }, message: /requests_per_minute: must be a number/ },
  { name: 'lookback_seconds 0', command: 'check', config: { ...good, lookback_seconds: 0 }, message: /lookback_seconds/ },
  { name: 'full_resync_days too many', command: 'check', config: { ...good, full_resync_days: 9999 }, message: /full_resync_days/ },
  { name: 'consent_events not a boolean', command: 'check', config: { ...good, consent_events: 'yes' }, message: /consent_events: must be a boolean/ },
  { name: 'catalog missing', command: 'read', config: good, missingFile: 'catalog', message: /catalog file .* does not exist/ },
  { name: 'catalog not JSON', command: 'read', config: good, catalog: 'streams: []', message: /catalog file .* not valid JSON/ },
  { name: 'catalog unknown stream', command: 'read', config: good, catalog: configuredCatalog('full_refresh', 'profiles'), message: /unknown stream "profiles"/ },
  { name: 'catalog invalid sync mode', command: 'read', config: good, catalog: configuredCatalog('append'), message: /sync_mode "append"/ },
  { name: 'catalog invalid cursor field', command: 'read', config: good, catalog: { streams: [{ ...configuredCatalog('incremental').streams[0], cursor_field: ['created'] }] }, message: /cursor_field \["created"\]/ },
  { name: 'state missing', command: 'read', config: good, missingFile: 'state', message: /state file .* does not exist/ },
  { name: 'state not JSON', command: 'read', config: good, state: '{updated: yesterday}', message: /state file .* not valid JSON/ },
  { name: 'state a number', command: 'read', config: good, state: '42', message: /not a state/ },
  { name: 'state of the wrong shape', command: 'read', config: good, state: { profile_consent: ['2024-01-01'] }, message: /must be an object like/ },
  { name: 'state cursor not a date-time', command: 'read', config: good, state: { profile_consent: { updated: 'soon' } }, message: /"updated" is "soon", not a date-time/ },
  { name: 'state with a misspelt key', command: 'read', config: good, state: { profile_consent: { updtaed: '2024-01-01T00:00:00Z' } }, message: /none of the keys this connector writes.*"updtaed"/ },
  { name: 'state watermark not a date-time', command: 'read', config: good, state: { profile_consent: { updated: '2024-01-01T00:00:00Z', events_since: 17 } }, message: /events_since/ },
];

describe('bad input: one clear message naming the field, in the protocol form, never a stack trace', () => {
  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const file = (name: 'config' | 'catalog' | 'state', content: Input) => (c.missingFile === name ? missing : content === undefined ? undefined : tempFile(`${name}.json`, content));
    const args: string[] = [c.command, '--config', file('config', c.config ?? good)!];
    const catalog = file('catalog', c.catalog);
    const state = file('state', c.state);
    if (catalog) args.push('--catalog', catalog);
    if (state) args.push('--state', state);
    const result = await runCli(airbyteBin, args);
    expect(result.stdout).not.toMatch(/\n\s+at |Error: /);
    expect(result.stdout).not.toContain(key);
    if (c.command === 'check') {
      expect(result.code).toBe(0);
      const [status] = ofType(result.messages, 'CONNECTION_STATUS');
      expect(status?.connectionStatus.status).toBe('FAILED');
      expect(status?.connectionStatus.message).toMatch(c.message);
    } else {
      expect(result.code).toBe(1);
      const errors = ofType(result.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.trace.error.failure_type).toBe('config_error');
      expect(errors[0]?.trace.error.message).toMatch(c.message);
      expect(ofType(result.messages, 'RECORD')).toHaveLength(0);
    }
  });
});

describe('a wrong command line', () => {
  it.each([
    [['read'], /required option '--config <file>' not specified/],
    [['discover'], /required option '--config <file>' not specified/],
    [['sync', '--config', 'c.json'], /unknown command 'sync'/],
  ])('%j: one TRACE ERROR config_error on stdout with the usage, and exit 1', async (args, message) => {
    const result = await runCli(airbyteBin, args);
    expect(result.code).toBe(1);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatchObject({ type: 'TRACE', trace: { type: 'ERROR', error: { failure_type: 'config_error' } } });
    expect(result.messages[0]!.trace.error.message).toMatch(message);
    expect(result.messages[0]!.trace.error.message).toContain('Usage: source-klaviyo-consent');
  });

  it('--help and --version print to stderr and exit 0, with nothing on stdout', async () => {
    for (const args of [['--help'], ['--version'], ['read', '--help']]) {
      const result = await runCli(airbyteBin, args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toBe('');
    }
  });
});

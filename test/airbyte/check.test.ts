import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_NO_SCOPE_API_KEY } from '../../src/simulator/index.js';
import { airbyteMessageValidator, hasReference } from '../helpers/reference.js';
import { airbyteBin, ofType, runCli, tempFile } from '../helpers/run-cli.js';
import { configFor } from '../helpers/simulator-config.js';

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await KlaviyoSimulator.start({ profiles: 50, seed: 3 });
});
afterAll(() => simulator.close());

async function check(config: unknown) {
  const result = await runCli(airbyteBin, ['check', '--config', tempFile('config.json', config)]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.messages.filter((m) => m.type !== 'LOG')).toHaveLength(1);
  // Without ../shared/reference the message shapes are still checked by the assertions of each test.
  if (hasReference) {
    const validate = airbyteMessageValidator();
    for (const message of result.messages) expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
  }
  return ofType(result.messages, 'CONNECTION_STATUS')[0]?.connectionStatus;
}

describe('check', () => {
  it('succeeds with a good key, making exactly one real request with the required headers and query', async () => {
    simulator.resetStats();
    const status = await check(configFor(simulator, { consent_events: false, max_lists_to_scan: 0 }));
    expect(status).toEqual({ status: 'SUCCEEDED' });
    expect(simulator.requestLog).toHaveLength(1);
    const url = new URL(simulator.requestLog[0]!.url, simulator.baseUrl);
    expect(url.pathname).toBe('/api/profiles');
    expect(url.searchParams.get('page[size]')).toBe('1');
    expect(url.searchParams.get('additional-fields[profile]')).toBe('subscriptions');
  });

  it('fails with a message about the key for a wrong key (401)', async () => {
    const status = await check(configFor(simulator, { api_key: 'pk_wrong_key_1111111111111111111111111' }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/401/);
    expect(status.message).toMatch(/api_key/);
  });

  it('by default also checks the metrics:read, events:read and lists:read scopes, one request each', async () => {
    simulator.resetStats();
    expect(await check(configFor(simulator))).toEqual({ status: 'SUCCEEDED' });
    expect(simulator.requestLog.map((r) => new URL(r.url, simulator.baseUrl).pathname)).toEqual(['/api/profiles', '/api/metrics', '/api/events', '/api/lists']);
    expect(simulator.stats.refused).toBe(0);
  });

  it('fails naming lists:read for a key without it, and says how to do without', async () => {
    const noLists = await KlaviyoSimulator.start({ profiles: 5, apiKeys: { pk_nolists_000000000000000000000000000: ['profiles:read', 'metrics:read', 'events:read'] } });
    try {
      const status = await check(configFor(noLists, { api_key: 'pk_nolists_000000000000000000000000000' }));
      expect(status.status).toBe('FAILED');
      expect(status.message).toMatch(/403/);
      expect(status.message).toContain('lists:read');
      expect(status.message).toContain('max_lists_to_scan');
      expect(await check(configFor(noLists, { api_key: 'pk_nolists_000000000000000000000000000', max_lists_to_scan: 0 }))).toEqual({ status: 'SUCCEEDED' });
    } finally {
      await noLists.close();
    }
  });

  it('sends Get Events no page[size] under a revision older than 2026-01-15, where Klaviyo refuses it', async () => {
    simulator.resetStats();
    expect(await check(configFor(simulator, { revision: '2025-10-15' }))).toEqual({ status: 'SUCCEEDED' });
    const events = simulator.requestLog.find((r) => r.url.startsWith('/api/events'));
    expect(new URL(events!.url, simulator.baseUrl).searchParams.has('page[size]')).toBe(false);
    expect(simulator.stats.refused).toBe(0);
  });

  it('refuses a revision older than the oldest supported, saying which, without a request', async () => {
    simulator.resetStats();
    const status = await check(configFor(simulator, { revision: '2024-10-15' }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('revision: 2024-10-15 is older than the oldest revision this connector supports (2025-01-15)');
    expect(simulator.stats.requests).toBe(0);
  });

  it('fails naming the missing profiles:read scope (403)', async () => {
    const status = await check(configFor(simulator, { api_key: SIMULATOR_NO_SCOPE_API_KEY }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/403/);
    expect(status.message).toContain('profiles:read');
  });

  it.each([
    [{ base_url: 'http://127.0.0.1:1' }, 'api_key'],
    [{ api_key: 'pk_ok_key_000000000000000000000000000', page_size: 500 }, 'page_size'],
    [{ api_key: 'pk_ok_key_000000000000000000000000000', start_date: 'yesterday' }, 'start_date'],
    [{ api_key: 'pk_ok_key_000000000000000000000000000', base_url: 'http://klaviyo-proxy.invalid' }, 'base_url'],
  ])('fails without a request for a bad config %j, naming %s', async (config, field) => {
    simulator.resetStats();
    const status = await check(config);
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain(field);
    expect(simulator.stats.requests).toBe(0);
  });

  it('fails naming each mistyped setting and its nearest known one, without a request', async () => {
    simulator.resetStats();
    const status = await check({ ...configFor(simulator), start_dat: '2026-01-01', pagesize: 10, _airbyte_internal: 1 });
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('start_dat: unknown setting; did you mean start_date?');
    expect(status.message).toContain('pagesize: unknown setting; did you mean page_size?');
    expect(status.message).not.toContain('_airbyte_internal');
    expect(simulator.stats.requests).toBe(0);
  });

  it('fails on a start_date in the future, which would read nothing', async () => {
    const status = await check(configFor(simulator, { start_date: '2999-01-01' }));
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/start_date: 2999-01-01T00:00:00.000Z is in the future/);
  });

  it('fails with a clear message when the config file is not JSON', async () => {
    const status = await check('{"api_key": ');
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/not valid JSON/);
  });
});

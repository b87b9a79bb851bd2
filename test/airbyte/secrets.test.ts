import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { airbyteBin, runRaw, tapBin, tempFile } from '../helpers/run-cli.js';
import { configFor } from '../helpers/simulator-config.js';

let simulator: KlaviyoSimulator;
let chaotic: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await KlaviyoSimulator.start({ profiles: 30, seed: 5 });
  // every request fails some way: HTTP client errors, which carry request headers, on every path
  chaotic = await KlaviyoSimulator.start({ profiles: 30, seed: 6, faults: { throttle: 0.25, serverError: 0.25, reset: 0.25, garbage: 0.25 } });
});
afterAll(async () => {
  await simulator.close();
  await chaotic.close();
});

const wrongKey = 'pk_leaktest_wrong_9f8e7d6c5b4a39281706';

describe('the API key never appears in any output', () => {
  const cases: Array<[string, () => string[], string, string?]> = [
    ['spec', () => ['spec'], SIMULATOR_API_KEY],
    ['check, good key', () => ['check', '--config', tempFile('c.json', configFor(simulator))], SIMULATOR_API_KEY],
    ['check, wrong key', () => ['check', '--config', tempFile('c.json', configFor(simulator, { api_key: wrongKey }))], wrongKey],
    ['check, bad config', () => ['check', '--config', tempFile('c.json', configFor(simulator, { api_key: wrongKey, page_size: 0, base_url: 'http://x.invalid' }))], wrongKey],
    ['discover', () => ['discover', '--config', tempFile('c.json', configFor(simulator))], SIMULATOR_API_KEY],
    ['read', () => ['read', '--config', tempFile('c.json', configFor(simulator)), '--catalog', tempFile('cat.json', configuredCatalog('incremental'))], SIMULATOR_API_KEY],
    ['read, wrong key', () => ['read', '--config', tempFile('c.json', configFor(simulator, { api_key: wrongKey }))], wrongKey],
    ['read, unreachable server', () => ['read', '--config', tempFile('c.json', configFor(simulator, { api_key: wrongKey, base_url: 'http://127.0.0.1:9', max_retry_seconds: 1 }))], wrongKey],
    ['check, config not JSON around the key', () => ['check', '--config', tempFile('c.json', `{"api_key": ${wrongKey}, "base_url": "${simulator.baseUrl}"}`)], wrongKey],
    ['read, config not JSON around the key', () => ['read', '--config', tempFile('c.json', `{"base_url": "${simulator.baseUrl}", "api_key": "${wrongKey}",}`)], wrongKey],
    ['read, every request failing until the retry budget is spent', () => ['read', '--config', tempFile('c.json', { api_key: SIMULATOR_API_KEY, base_url: chaotic.baseUrl, max_retry_seconds: 2 })], SIMULATOR_API_KEY],
    ['tap, sync', () => ['--config', tempFile('c.json', configFor(simulator))], SIMULATOR_API_KEY, tapBin],
    ['tap, wrong key', () => ['--config', tempFile('c.json', configFor(simulator, { api_key: wrongKey }))], wrongKey, tapBin],
    ['tap, discover', () => ['--config', tempFile('c.json', configFor(simulator)), '--discover'], SIMULATOR_API_KEY, tapBin],
    ['tap, key in the environment, bad setting', () => ['--config', 'ENV'], wrongKey, tapBin],
    ['read, bad catalog', () => ['read', '--config', tempFile('c.json', configFor(simulator, { api_key: wrongKey })), '--catalog', tempFile('cat.json', '{')], wrongKey],
  ];
  it.each(cases)('%s', async (_name, args, key, bin = airbyteBin) => {
    const env = { TAP_KLAVIYO_CONSENT_API_KEY: wrongKey, TAP_KLAVIYO_CONSENT_PAGE_SIZE: '-1' };
    const result = await runRaw(bin, args(), { env });
    expect(result.stdout.length + result.stderr.length).toBeGreaterThan(0);
    expect(result.stdout).not.toContain(key);
    expect(result.stderr).not.toContain(key);
    expect(result.stdout).not.toContain(key.slice(3, 20));
  });
});

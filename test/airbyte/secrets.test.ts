import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { airbyteBin, runCli, tempFile } from '../helpers/run-cli.js';
import { configFor } from '../helpers/simulator-config.js';

let simulator: KlaviyoSimulator;
beforeAll(async () => {
  simulator = await KlaviyoSimulator.start({ profiles: 30, seed: 5 });
});
afterAll(() => simulator.close());

const wrongKey = 'pk_leaktest_wrong_9f8e7d6c5b4a39281706';

describe('the API key never appears in any output', () => {
  const cases: Array<[string, () => string[], string]> = [
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
    ['read, bad catalog', () => ['read', '--config', tempFile('c.json', configFor(simulator, { api_key: wrongKey })), '--catalog', tempFile('cat.json', '{')], wrongKey],
  ];
  it.each(cases)('%s', async (_name, args, key) => {
    const result = await runCli(airbyteBin, args());
    expect(result.stdout.length + result.stderr.length).toBeGreaterThan(0);
    expect(result.stdout).not.toContain(key);
    expect(result.stderr).not.toContain(key);
    expect(result.stdout).not.toContain(key.slice(3, 20));
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { repoRoot, runRaw } from '../helpers/run-cli.js';

describe('npm run live-check', () => {
  it('without KLAVIYO_TEST_API_KEY says how to use it, sends nothing and exits 0', async () => {
    const result = await runRaw(join(repoRoot, 'dist/live-check/run-live-check.js'), [], { env: { KLAVIYO_TEST_API_KEY: '' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('KLAVIYO_TEST_API_KEY=pk_... npm run live-check');
    expect(result.stdout).toContain('read-only');
    expect(result.stderr).toBe('');
  });
});

describe('npm run live-check against the simulator', () => {
  it('checks, reads, and reports every kind of request answered, none refused', async () => {
    const simulator = await KlaviyoSimulator.start({ profiles: 50, seed: 2 });
    try {
      const result = await runRaw(join(repoRoot, 'dist/live-check/run-live-check.js'), [], {
        env: { KLAVIYO_TEST_API_KEY: SIMULATOR_API_KEY, KLAVIYO_TEST_BASE_URL: simulator.baseUrl },
      });
      expect(result.stdout).not.toContain(SIMULATOR_API_KEY);
      expect(result.code, result.stdout).toBe(0);
      for (const kind of ['Get Metrics: ', 'Get Events: ', 'Get Lists: ', 'Get Profiles, global suppressions: ', 'Get Profiles, list suppressions of one list: ']) {
        expect(result.stdout).toContain(kind);
      }
      expect(result.stdout).toContain('Klaviyo refused none of the requests.');
      expect(simulator.stats.refused).toBe(0);
    } finally {
      await simulator.close();
    }
  });
});

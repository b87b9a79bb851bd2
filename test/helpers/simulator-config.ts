import { SIMULATOR_API_KEY, type KlaviyoSimulator } from '../../src/simulator/index.js';

/** A connector config aimed at a running simulator, with limits high enough not to slow tests down. */
export function configFor(simulator: KlaviyoSimulator, overrides: Record<string, unknown> = {}) {
  return {
    api_key: SIMULATOR_API_KEY,
    base_url: simulator.baseUrl,
    requests_per_second: 1000,
    requests_per_minute: 60000,
    max_retry_seconds: 5,
    ...overrides,
  };
}

import { SIMULATOR_API_KEY, type KlaviyoSimulator } from '../../src/simulator/index.js';

/**
 * A connector config aimed at a running simulator, with the connector's default rate limits: the simulator
 * enforces Klaviyo's, so every test also shows the connector stays within them. The overlap is the minimum
 * (1 s) and periodic full passes are off, so a test of the `updated` cursor sees exactly what it reads; tests
 * of the detectors and the full pass set them explicitly.
 */
export function configFor(simulator: KlaviyoSimulator, overrides: Record<string, unknown> = {}) {
  return {
    api_key: SIMULATOR_API_KEY,
    base_url: simulator.baseUrl,
    max_retry_seconds: 5,
    lookback_seconds: 1,
    full_resync_days: 0,
    ...overrides,
  };
}

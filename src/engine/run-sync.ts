import { asConnectorError, ConfigError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Settings } from '../config/settings.js';
import { KlaviyoClient } from '../klaviyo/client.js';
import { STREAM_NAME } from '../streams/profile-consent/schema.js';
import type { StreamRequest, SyncEvent } from './events.js';
import { syncProfileConsent } from './sync-profile-consent.js';

export const STREAM_NAMES = [STREAM_NAME] as const;

export function createClient(settings: Settings, logger: Logger): KlaviyoClient {
  return new KlaviyoClient({ ...settings, logger });
}

/**
 * Runs the requested streams one after another and reports what happens as SyncEvents. A stream that fails
 * ends the sync: its failure is reported as an event, and nothing after it runs.
 */
export async function* runSync(options: {
  settings: Settings;
  streams: StreamRequest[];
  logger: Logger;
  client?: KlaviyoClient;
  now?: () => number;
  /** For tests that prove a detector is needed: run only these. */
  detectors?: ReadonlyArray<'updated' | 'suppressions' | 'events'>;
  /** Tests: how often the scan reports while no page arrives. */
  heartbeatMs?: number;
}): AsyncGenerator<SyncEvent> {
  const { settings, logger } = options;
  const client = options.client ?? createClient(settings, logger);
  const runStartedMs = (options.now ?? Date.now)();
  for (const request of options.streams) {
    const stream = request.stream;
    yield { type: 'stream_started', stream };
    try {
      if (stream !== STREAM_NAME) throw new ConfigError(`Unknown stream "${stream}". This connector has one stream: ${STREAM_NAME}.`);
      for await (const output of syncProfileConsent({ client, mode: request.mode, state: request.state, settings, runStartedMs, logger, detectors: options.detectors, heartbeatMs: options.heartbeatMs })) {
        yield { ...output, stream };
      }
      yield { type: 'stream_completed', stream };
    } catch (error) {
      yield { type: 'stream_failed', stream, error: asConnectorError(error) };
      return;
    }
  }
}

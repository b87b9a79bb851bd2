import type { Logger } from '../common/logger.js';
import type { DestinationSettings } from '../config/parse-destination-config.js';
import { KlaviyoClient } from '../klaviyo/client.js';

/** The write side's client: jobs one at a time and up to 8 lookups in flight, so a few sockets are plenty. */
export function createWriteClient(settings: DestinationSettings, logger: Logger): KlaviyoClient {
  return new KlaviyoClient({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    revision: settings.revision,
    concurrency: 8,
    requestsPerSecond: settings.requestsPerSecond,
    requestsPerMinute: settings.requestsPerMinute,
    maxRetrySeconds: settings.maxRetrySeconds,
    requestTimeoutSeconds: settings.requestTimeoutSeconds,
    logger,
  });
}

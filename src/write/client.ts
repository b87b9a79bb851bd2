import type { Logger } from '../common/logger.js';
import type { DestinationSettings } from '../config/parse-destination-config.js';
import { KlaviyoClient } from '../klaviyo/client.js';

/** The write side's client: sequential jobs and lookups, so a handful of sockets is plenty. */
export function createWriteClient(settings: DestinationSettings, logger: Logger): KlaviyoClient {
  return new KlaviyoClient({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    revision: settings.revision,
    concurrency: 4,
    requestsPerSecond: settings.requestsPerSecond,
    requestsPerMinute: settings.requestsPerMinute,
    maxRetrySeconds: settings.maxRetrySeconds,
    requestTimeoutSeconds: settings.requestTimeoutSeconds,
    logger,
  });
}

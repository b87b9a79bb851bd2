import { toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { restartingOnExpiredCursor } from '../klaviyo/pages.js';
import { profilePages } from '../klaviyo/profiles.js';
import { firstSightings } from './emit-once.js';
import type { DetectorOutput } from './scan-updated-ranges.js';

/** The suppression timestamps Get Profiles can filter and sort on (all four comparison operators). */
const SUPPRESSION_FIELDS = ['subscriptions.email.marketing.suppression.timestamp', 'subscriptions.email.marketing.list_suppressions.timestamp'];

/**
 * Detector 2: profiles with a global or list email suppression after `afterMs` (bounces, spam complaints,
 * unsubscribes, manual suppressions), found by the suppression's own timestamp, which moves when `updated`
 * may not. Profiles already in `emitted` are skipped; the ones emitted here are added to it.
 */
export async function* detectSuppressions(options: {
  client: KlaviyoClient;
  afterMs: number;
  emitted: Set<string>;
  pageSize: number;
  logger: Logger;
}): AsyncGenerator<DetectorOutput> {
  const { client, emitted } = options;
  const requestsBefore = client.requestCount;
  let found = 0;
  for (const field of SUPPRESSION_FIELDS) {
    const filter = `greater-than(${field},${toFilterDateTime(options.afterMs)})`;
    const what = 'Get Profiles (suppressions)';
    for await (const page of restartingOnExpiredCursor(() => profilePages(client, { filter, sort: field, pageSize: options.pageSize }, what), options.logger, what)) {
      const records = firstSightings(page.data, emitted);
      found += records.length;
      if (records.length > 0) yield { type: 'records', records };
    }
  }
  options.logger.info(`profile_consent: suppression detector: ${found} profiles with a suppression after ${toFilterDateTime(options.afterMs)}, ${client.requestCount - requestsBefore} requests`);
}

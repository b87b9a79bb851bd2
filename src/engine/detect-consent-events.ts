import { toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { consentMetricsOf, type ConsentMetric } from '../klaviyo/consent-metrics.js';
import { listMetrics } from '../klaviyo/events.js';
import { restartingOnExpiredCursor } from '../klaviyo/pages.js';
import { readConsentEventPass } from './consent-event-pass.js';
import { profilePages } from '../klaviyo/profiles.js';
import { firstSightings } from './emit-once.js';
import type { DetectorOutput } from './scan-updated-ranges.js';

/** The spec sets no length for `any(id, [...])`; 100 ids keep each lookup to one page of 100 profiles. */
const IDS_PER_LOOKUP = 100;

/**
 * Detector 3: profiles that had a consent event after `afterMs` and before `beforeMs` (subscribe, unsubscribe,
 * suppression, bounce, spam complaint, list and preference changes), read through Get Metrics, Get Events and
 * `any(id, [...])` on Get Profiles. With `collected`, the events were read already (by the consent_events
 * stream, in the same pass) and only the profiles are fetched. Profiles already in `emitted` are skipped; the
 * ones emitted here are added.
 */
export async function* detectConsentEvents(options: {
  client: KlaviyoClient;
  afterMs: number;
  beforeMs: number;
  emitted: Set<string>;
  logger: Logger;
  concurrency: number;
  /** Profile ids with consent events in this detector's window, from a pass the consent_events stream made. */
  collected?: ReadonlySet<string>;
}): AsyncGenerator<DetectorOutput> {
  const { client, emitted, logger } = options;
  const requestsBefore = client.requestCount;
  const after = toFilterDateTime(options.afterMs);
  const ids = new Set<string>();
  let events = 0;
  if (options.collected) {
    for (const id of options.collected) if (!emitted.has(id)) ids.add(id);
    logger.info(`profile_consent: consent-event detector: ${ids.size} profiles with consent events after ${after}, from the consent_events stream's pass over Get Events`);
  } else {
    const consent = await findConsentMetrics(client, logger, 'profile_consent: consent-event detector');
    const windows = consent.map((c) => ({ consent: c, afterMs: options.afterMs }));
    for await (const item of readConsentEventPass({ client, windows, beforeMs: options.beforeMs, includeProfiles: false, concurrency: options.concurrency, logger })) {
      if (item.type !== 'page') continue;
      for (const event of item.events) {
        events += 1;
        const id = event.relationships?.profile?.data?.id;
        if (typeof id === 'string' && !emitted.has(id)) ids.add(id);
      }
    }
  }
  const lookups = [...ids];
  let found = 0;
  for (let i = 0; i < lookups.length; i += IDS_PER_LOOKUP) {
    const chunk = lookups.slice(i, i + IDS_PER_LOOKUP);
    const filter = `any(id,[${chunk.map((id) => JSON.stringify(id)).join(',')}])`;
    const what = 'Get Profiles (by id, consent events)';
    for await (const page of restartingOnExpiredCursor(() => profilePages(client, { filter, pageSize: IDS_PER_LOOKUP }, what), logger, what)) {
      const records = firstSightings(page.data, emitted);
      found += records.length;
      if (records.length > 0) yield { type: 'records', records };
    }
  }
  logger.info(`profile_consent: consent-event detector: ${options.collected ? 'shared pass' : `${events} events`} after ${after} for ${ids.size} profiles, ${found} emitted, ${client.requestCount - requestsBefore} requests`);
}

/**
 * The account's consent metrics (Get Metrics), logged: which were found, and which kinds the account has no
 * metric for yet. `who` starts the log lines.
 */
export async function findConsentMetrics(client: KlaviyoClient, logger: Logger, who: string): Promise<ConsentMetric[]> {
  const metrics = await listMetrics(client);
  const { found, missing } = consentMetricsOf(metrics);
  logger.info(`${who}: found metrics ${found.map((m) => `"${m.name}"`).join(', ') || 'none'}${missing.length > 0 ? `; not in this account (no such events yet): ${missing.join('; ')}` : ''}`);
  if (found.length === 0 && metrics.length > 0) {
    // An account with metrics but no consent metric at all is new, or Klaviyo renamed them again: either way
    // nothing is found, and the person running the sync should know.
    logger.warn(`${who}: none of the account's ${metrics.length} metrics is a consent metric this connector knows by name, so no consent event is read; consent changes that do not move a profile's updated wait for the periodic full pass.`);
  }
  return found;
}

import { toFilterDateTime } from '../common/datetime.js';
import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { eventPages, listMetrics } from '../klaviyo/events.js';
import { restartingOnExpiredCursor } from '../klaviyo/pages.js';
import { profilePages } from '../klaviyo/profiles.js';
import { firstSightings } from './emit-once.js';
import type { DetectorOutput } from './scan-updated-ranges.js';

/**
 * Klaviyo's consent metrics, by name. Klaviyo renamed "SMS" to "Text Message(ing)" in 2026, so both
 * spellings match; push consent has no metric (the periodic full pass catches it).
 */
const CONSENT_METRICS: Array<[label: string, pattern: RegExp]> = [
  ['Subscribed to / Unsubscribed from Email Marketing', /^(subscribed to|unsubscribed from) email marketing$/i],
  ['Subscribed to / Unsubscribed from SMS (Text Message) Marketing', /^(subscribed to|unsubscribed from) (sms|text message|text messaging) marketing$/i],
  ['Manually Suppressed / Unsuppressed from Email Marketing', /^manually (un)?suppressed from email marketing$/i],
  ['Marked Email as Spam', /^marked email as spam$/i],
  ['Bounced Email', /^bounced email$/i],
  ['Subscribed to / Unsubscribed from List', /^(subscribed to|unsubscribed from) list$/i],
  ['Updated Email Preferences', /^updated email preferences$/i],
];

/** The spec sets no length for `any(id, [...])`; 100 ids keep each lookup to one page of 100 profiles. */
const IDS_PER_LOOKUP = 100;

/**
 * Detector 3: profiles that had a consent event after `afterMs` (subscribe, unsubscribe, suppression,
 * bounce, spam complaint, list and preference changes), read through Get Metrics, Get Events and
 * `any(id, [...])` on Get Profiles. Profiles already in `emitted` are skipped; the ones emitted here are added.
 */
export async function* detectConsentEvents(options: {
  client: KlaviyoClient;
  afterMs: number;
  emitted: Set<string>;
  logger: Logger;
}): AsyncGenerator<DetectorOutput> {
  const { client, emitted, logger } = options;
  const requestsBefore = client.requestCount;
  const metrics = await listMetrics(client);
  const consent = metrics.filter((m) => typeof m.attributes?.name === 'string' && CONSENT_METRICS.some(([, pattern]) => pattern.test(m.attributes?.name ?? '')));
  const missing = CONSENT_METRICS.filter(([, pattern]) => !consent.some((m) => pattern.test(m.attributes?.name ?? ''))).map(([label]) => label);
  logger.info(`profile_consent: consent-event detector: found metrics ${consent.map((m) => `"${m.attributes?.name}"`).join(', ') || 'none'}${missing.length > 0 ? `; not in this account (no such events yet): ${missing.join('; ')}` : ''}`);
  if (consent.length === 0 && metrics.length > 0) {
    // An account with metrics but no consent metric at all is new, or Klaviyo renamed them again: either way
    // this detector sees nothing, and the person running the sync should know.
    logger.warn(`profile_consent: none of the account's ${metrics.length} metrics is a consent metric this connector knows by name, so the consent-event detector finds nothing; consent changes that do not move updated wait for the periodic full pass.`);
  }

  const after = toFilterDateTime(options.afterMs);
  const ids = new Set<string>();
  let events = 0;
  for (const metric of consent) {
    const name = metric.attributes?.name ?? metric.id;
    for await (const page of restartingOnExpiredCursor(() => eventPages(client, metric.id, after, name), logger, `Get Events (${name})`)) {
      for (const event of page.data) {
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
  logger.info(`profile_consent: consent-event detector: ${events} events after ${after} for ${ids.size} profiles, ${found} emitted, ${client.requestCount - requestsBefore} requests`);
}

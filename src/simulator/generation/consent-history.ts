import type { ProfileAttributes } from '../../klaviyo/types.js';
import type { EventProperties, EventStore } from '../store/event-store.js';
import type { ListCatalog } from '../store/list-catalog.js';
import type { ConsentMetric, MetricCatalog } from '../store/metric-catalog.js';
import type { ProfileStore } from '../store/profile-store.js';

/** Klaviyo records "Unsubscribed from Email Marketing" (and its subscribe for list signups) from this day on. */
const CONSENT_EVENTS_SINCE_MS = Date.parse('2024-03-29T00:00:00Z');

/** The default number of profiles whose consent history is generated: all, up to five thousand. */
export function defaultConsentHistoryProfiles(profiles: number): number {
  return Math.min(profiles, 5_000);
}

const seconds = (text: unknown): number | undefined => {
  const ms = typeof text === 'string' ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

/**
 * The consent events a generated profile's consent records imply, so that an account's history agrees with its
 * state: the email and SMS subscribe or unsubscribe at its consent_timestamp, each global suppression at its
 * timestamp (bounce, spam complaint, manual), each list suppression as "Unsubscribed from List". Klaviyo emits
 * the email consent events only from 29 March 2024, so earlier ones leave no event. For the first `count`
 * profiles: a history of every profile of a million-profile account would only cost memory.
 */
export function generateConsentHistory(events: EventStore, profiles: ProfileStore, metrics: MetricCatalog, lists: ListCatalog, count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`consentHistoryProfiles must be a non-negative integer, got ${count}`);
  const limit = Math.min(count, profiles.slotCount);
  for (let slot = 0; slot < limit; slot++) {
    if (!profiles.isAlive(slot)) continue;
    const profileId = profiles.idOf(slot);
    for (const event of consentHistoryOf(profiles.attributesOf(slot), lists)) {
      events.add({ metricId: metrics.consent(event.metric).id, profileId, seconds: event.seconds, properties: event.properties });
    }
  }
}

function consentHistoryOf(attributes: ProfileAttributes, lists: ListCatalog): Array<{ metric: ConsentMetric; seconds: number; properties: EventProperties }> {
  const history: Array<{ metric: ConsentMetric; seconds: number; properties: EventProperties }> = [];
  const add = (metric: ConsentMetric, at: number | undefined, properties: EventProperties) => {
    if (at !== undefined && at * 1000 >= CONSENT_EVENTS_SINCE_MS) history.push({ metric, seconds: at, properties });
  };
  const email = attributes.subscriptions?.email?.marketing;
  const method = (value: unknown): EventProperties => (typeof value === 'string' && value !== '' ? { Method: value } : {});
  if (email?.consent === 'SUBSCRIBED') add('subscribedToEmail', seconds(email.consent_timestamp), method(email.method));
  if (email?.consent === 'UNSUBSCRIBED') add('unsubscribedFromEmail', seconds(email.consent_timestamp), method(email.method));
  for (const entry of email?.suppression ?? []) {
    const domain = typeof attributes.email === 'string' ? (attributes.email.split('@')[1] ?? null) : null;
    if (entry.reason === 'HARD_BOUNCE') add('bouncedEmail', seconds(entry.timestamp), { 'Bounce Type': 'Hard', 'Email Domain': domain });
    if (entry.reason === 'SPAM_COMPLAINT') add('markedEmailAsSpam', seconds(entry.timestamp), { 'Email Domain': domain });
    if (entry.reason === 'USER_SUPPRESSED') add('suppressedFromEmail', seconds(entry.timestamp), {});
  }
  for (const entry of email?.list_suppressions ?? []) {
    add('unsubscribedFromList', seconds(entry.timestamp), { List: lists.byId(String(entry.list_id))?.name ?? String(entry.list_id) });
  }
  const sms = attributes.subscriptions?.sms?.marketing;
  if (sms?.consent === 'SUBSCRIBED') add('subscribedToSms', seconds(sms.consent_timestamp), method(sms.method));
  if (sms?.consent === 'UNSUBSCRIBED') add('unsubscribedFromSms', seconds(sms.consent_timestamp), method(sms.method));
  return history;
}

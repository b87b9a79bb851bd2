import { toFilterDateTime } from '../../common/datetime.js';
import { isObject } from '../../common/json.js';
import type { ConsentEventRecord } from '../../generated/consent-event-record.js';
import type { ConsentMetric } from '../../klaviyo/consent-metrics.js';
import { eventSecondsMs, type EventResource, type IncludedProfile } from '../../klaviyo/events.js';

/** The first of `keys` the properties hold as a non-empty string (or a number, written as text). */
function first(properties: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = properties[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return null;
}

// Which event property fills which column. Klaviyo documents no property keys per consent metric; these are the
// keys seen in real events and Klaviyo's documented report dimensions (Method, List, form_id), with the
// `$`-prefixed and plain spellings its APIs use for profile identifiers.
const EMAIL_KEYS = ['$email', 'email', 'Email'];
const PHONE_KEYS = ['$phone_number', 'phone_number', 'Phone Number'];
const EXTERNAL_ID_KEYS = ['$external_id', 'external_id'];
const LIST_ID_KEYS = ['$list_id', 'list_id', 'List ID', 'List Id'];
const LIST_NAME_KEYS = ['List', '$list', 'list', 'List Name'];
const METHOD_KEYS = ['Method', '$method', 'method'];
const SOURCE_KEYS = ['$source', 'Source', 'source', 'form_id', 'Form ID'];

/**
 * One consent event as a record. Identifiers come from the event when its properties carry them, else from the
 * profile Get Events included (as it is when read); `listIdByName` finds a list event's id from its list name.
 */
export function mapConsentEvent(event: EventResource, consent: ConsentMetric, profiles: ReadonlyMap<string, IncludedProfile>, listIdByName: (name: string) => string | undefined): ConsentEventRecord | undefined {
  const at = eventSecondsMs(event);
  const datetime = at === undefined ? undefined : toFilterDateTime(at);
  // An event with no readable time cannot be placed in the audit trail or checkpointed; it is reported, not guessed.
  if (datetime === undefined) return undefined;
  const properties = isObject(event.attributes?.event_properties) ? event.attributes.event_properties : {};
  const profileId = event.relationships?.profile?.data?.id ?? null;
  const profile = profileId === null ? undefined : profiles.get(profileId)?.attributes;
  const listName = consent.kind.channel === 'list' ? first(properties, LIST_NAME_KEYS) : null;
  const listId = consent.kind.channel === 'list' ? (first(properties, LIST_ID_KEYS) ?? (listName === null ? null : (listIdByName(listName) ?? null))) : null;
  return {
    id: event.id,
    datetime,
    profile_id: profileId,
    email: first(properties, EMAIL_KEYS) ?? profile?.email ?? null,
    phone_number: first(properties, PHONE_KEYS) ?? profile?.phone_number ?? null,
    external_id: first(properties, EXTERNAL_ID_KEYS) ?? profile?.external_id ?? null,
    channel: consent.kind.channel,
    action: consent.kind.action,
    list_id: listId,
    list_name: listName,
    metric_id: consent.metric.id,
    metric_name: consent.name,
    method: first(properties, METHOD_KEYS),
    source: first(properties, SOURCE_KEYS),
    properties,
  };
}

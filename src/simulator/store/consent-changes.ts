// How each consent write changes a profile's `subscriptions`, as Klaviyo applies it, and which consent
// metric it records. Pure functions on a copy of the attributes; the caller stores the copy.
import type {
  EmailMarketing,
  EmailMarketingListSuppression,
  EmailMarketingSuppression,
  ProfileAttributes,
  Subscriptions,
  WhatsappPermission,
} from '../../klaviyo/types.js';
import type { EventProperties } from './event-store.js';
import type { ConsentMetric } from './metric-catalog.js';
import { neverSubscribedEmailMarketing, type EmailChannel, type OpenTrackingConsent } from '../generation/subscriptions-generator.js';
import { formatWithMicros } from './timestamps.js';

export type Channel =
  | 'email.marketing'
  | 'email.open_tracking'
  | 'sms.marketing'
  | 'sms.transactional'
  | 'whatsapp.marketing'
  | 'whatsapp.transactional'
  | 'whatsapp.conversational'
  | 'push.marketing';

export type PushConsent = 'SUBSCRIBED' | 'UNSUBSCRIBED' | 'NEVER_SUBSCRIBED';
export type SuppressionReason = 'USER_SUPPRESSED' | 'HARD_BOUNCE' | 'SPAM_COMPLAINT';

export interface ConsentEvent {
  metric: ConsentMetric;
  properties?: EventProperties;
  /**
   * When the event is dated, if not at the change: a historical import's subscribe is dated at its consented_at
   * (Klaviyo Help Center, "Understanding consent in profiles": subscription events sent with a past timestamp).
   */
  atMs?: number;
}

// Klaviyo documents no event property keys for its 2024+ consent metrics. `Method` is one of the report
// dimensions it documents (OpenAPI MetricAggregateQuery `by`), so API-made changes carry Method: API here; the
// keys of bounces, spam complaints and list events are those seen in real events (tap-klaviyo schemas, Stitch
// docs): `Bounce Type`, `Email Domain`, `$message`, `List`. No identifier is copied into an event.
const API_METHOD: EventProperties = { Method: 'API' };

/** Global suppressions a subscribe lifts, per the bulk-subscribe operation's description; bounces and invalid addresses stay. */
const LIFTED_BY_SUBSCRIBE = new Set(['UNSUBSCRIBE', 'SPAM_COMPLAINT', 'USER_SUPPRESSED']);

const SUPPRESSION_METRIC: Record<SuppressionReason, ConsentMetric> = {
  USER_SUPPRESSED: 'suppressedFromEmail',
  HARD_BOUNCE: 'bouncedEmail',
  SPAM_COMPLAINT: 'markedEmailAsSpam',
};

/** Klaviyo's consent timestamps carry microseconds: `2026-11-22T10:11:12.123000+00:00`. */
export function consentTimestamp(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  return formatWithMicros(seconds, Math.round((epochMs - seconds * 1000) * 1000));
}

export interface SubscribeOptions {
  listId?: string;
  customSource?: string | null;
  /** `consented_at` of a historical import: the consent's own time, before the write. */
  consentedAtMs?: number;
}

/** Bulk subscribe of one channel. Returns the channel's consent event, if it has one. */
export function subscribe(attributes: ProfileAttributes, channel: Channel, atMs: number, options: SubscribeOptions = {}): ConsentEvent[] {
  const now = consentTimestamp(atMs);
  const consentedAt = options.consentedAtMs === undefined ? now : consentTimestamp(options.consentedAtMs);
  const subscriptions = subscriptionsOf(attributes);
  switch (channel) {
    case 'email.marketing': {
      const marketing = emailMarketingOf(subscriptions);
      const listId = options.listId;
      // Klaviyo records the subscribe only for a profile not already subscribed (never subscribed, unsubscribed
      // or manually suppressed before), per "Understanding consent in profiles": for one already subscribed and
      // reachable, the consent record stays as it was (a list subscribe still lifts that list's suppression).
      if (marketing.consent === 'SUBSCRIBED' && (marketing.suppression ?? []).length === 0) {
        if (listId !== undefined && (marketing.list_suppressions ?? []).some((entry) => entry.list_id === listId)) {
          Object.assign(marketing, { list_suppressions: (marketing.list_suppressions ?? []).filter((entry) => entry.list_id !== listId), last_updated: now });
        }
        return [];
      }
      const suppression = marketing.suppression?.filter((entry) => !LIFTED_BY_SUBSCRIBE.has(entry.reason)) ?? null;
      const listSuppressions =
        listId === undefined ? marketing.list_suppressions : (marketing.list_suppressions?.filter((entry) => entry.list_id !== listId) ?? null);
      Object.assign(marketing, {
        can_receive_email_marketing: (suppression ?? []).length === 0,
        consent: 'SUBSCRIBED',
        consent_timestamp: consentedAt,
        last_updated: now,
        method: 'API',
        method_detail: '',
        custom_method_detail: options.customSource ?? null,
        double_optin: false,
        suppression,
        list_suppressions: listSuppressions ?? null,
      });
      return [consentEvent('subscribedToEmail', options)];
    }
    case 'sms.marketing': {
      if (smsOf(subscriptions).marketing?.consent === 'SUBSCRIBED') return [];
      smsOf(subscriptions).marketing = { can_receive_sms_marketing: true, ...smsRecord('SUBSCRIBED', consentedAt, now) };
      return [consentEvent('subscribedToSms', options)];
    }
    case 'sms.transactional': {
      if (smsOf(subscriptions).transactional?.consent === 'SUBSCRIBED') return [];
      smsOf(subscriptions).transactional = { can_receive_sms_transactional: true, ...smsRecord('SUBSCRIBED', consentedAt, now) };
      return [consentEvent('subscribedToSmsTransactional', options)];
    }
    default:
      setOtherChannel(attributes, subscriptions, channel, 'SUBSCRIBED', atMs);
      return [];
  }
}

/** A subscribe's event: Method API, dated at consented_at for a historical import. */
function consentEvent(metric: ConsentMetric, options: SubscribeOptions): ConsentEvent {
  return { metric, properties: API_METHOD, ...(options.consentedAtMs === undefined ? {} : { atMs: options.consentedAtMs }) };
}

/** Bulk unsubscribe of one channel; with a list, email is unsubscribed from that list alone. */
export function unsubscribe(attributes: ProfileAttributes, channel: Channel, atMs: number, options: { listId?: string; listName?: string } = {}): ConsentEvent[] {
  const now = consentTimestamp(atMs);
  const subscriptions = subscriptionsOf(attributes);
  switch (channel) {
    case 'email.marketing': {
      const marketing = emailMarketingOf(subscriptions);
      if (options.listId !== undefined) {
        const listId = options.listId;
        const others = (marketing.list_suppressions ?? []).filter((entry) => entry.list_id !== listId);
        const entry: EmailMarketingListSuppression = { list_id: listId, reason: 'USER_SUPPRESSED', timestamp: now };
        Object.assign(marketing, { last_updated: now, list_suppressions: [...others, entry] });
        return [{ metric: 'unsubscribedFromList', properties: { List: options.listName ?? listId } }];
      }
      Object.assign(marketing, {
        can_receive_email_marketing: false,
        consent: 'UNSUBSCRIBED',
        consent_timestamp: now,
        last_updated: now,
        method: 'API',
        method_detail: '',
        custom_method_detail: null,
        double_optin: null,
        suppression: withSuppression(marketing.suppression, 'UNSUBSCRIBE', now),
      });
      return [{ metric: 'unsubscribedFromEmail', properties: API_METHOD }];
    }
    case 'sms.marketing':
      smsOf(subscriptions).marketing = { can_receive_sms_marketing: false, ...smsRecord('UNSUBSCRIBED', now, now) };
      return [{ metric: 'unsubscribedFromSms', properties: API_METHOD }];
    case 'sms.transactional':
      smsOf(subscriptions).transactional = { can_receive_sms_transactional: false, ...smsRecord('UNSUBSCRIBED', now, now) };
      return [{ metric: 'unsubscribedFromSmsTransactional', properties: API_METHOD }];
    default:
      setOtherChannel(attributes, subscriptions, channel, 'UNSUBSCRIBED', atMs);
      return [];
  }
}

/** A global email suppression (manual, bounce or spam complaint): consent stays, email marketing stops. */
export function suppress(attributes: ProfileAttributes, reason: SuppressionReason, atMs: number): ConsentEvent[] {
  const now = consentTimestamp(atMs);
  const marketing = emailMarketingOf(subscriptionsOf(attributes));
  Object.assign(marketing, {
    can_receive_email_marketing: false,
    last_updated: now,
    suppression: withSuppression(marketing.suppression, reason, now),
  });
  const domain = typeof attributes.email === 'string' ? (attributes.email.split('@')[1] ?? null) : null;
  const properties: EventProperties =
    reason === 'HARD_BOUNCE' ? { 'Bounce Type': 'Hard', 'Email Domain': domain, $message: messageId(atMs) } : reason === 'SPAM_COMPLAINT' ? { $message: messageId(atMs), 'Email Domain': domain } : API_METHOD;
  return [{ metric: SUPPRESSION_METRIC[reason], properties }];
}

/**
 * Bulk unsuppress: lifts only a USER_SUPPRESSED suppression (Bulk Unsuppress reference); bounces, invalid
 * addresses and unsubscribes stay. Records "Manually Unsuppressed" when it lifted one.
 */
export function unsuppress(attributes: ProfileAttributes, atMs: number): ConsentEvent[] {
  const marketing = attributes.subscriptions?.email?.marketing;
  if (!marketing || !(marketing.suppression ?? []).some((entry) => entry.reason === 'USER_SUPPRESSED')) return [];
  const suppression = (marketing.suppression ?? []).filter((entry) => entry.reason !== 'USER_SUPPRESSED');
  Object.assign(marketing, {
    suppression,
    last_updated: consentTimestamp(atMs),
    can_receive_email_marketing: marketing.consent === 'SUBSCRIBED' && suppression.length === 0,
  });
  return [{ metric: 'unsuppressedFromEmail', properties: API_METHOD }];
}

/** The id of the message a bounce or complaint answers: six characters, like Klaviyo's. */
function messageId(atMs: number): string {
  return Math.floor(atMs / 1000).toString(36).slice(-6).toUpperCase();
}

/** Push consent, which Klaviyo records no consent metric for. */
export function setPushConsent(attributes: ProfileAttributes, consent: PushConsent, atMs: number): void {
  const subscriptions = subscriptionsOf(attributes);
  subscriptions.mobile_push = {
    ...(subscriptions.mobile_push ?? {}),
    marketing: {
      can_receive_push_marketing: consent === 'SUBSCRIBED',
      consent,
      consent_timestamp: consent === 'NEVER_SUBSCRIBED' ? null : consentTimestamp(atMs),
    },
  };
}

function setOtherChannel(
  attributes: ProfileAttributes,
  subscriptions: Subscriptions,
  channel: Exclude<Channel, 'email.marketing' | 'sms.marketing' | 'sms.transactional'>,
  consent: 'SUBSCRIBED' | 'UNSUBSCRIBED',
  atMs: number,
): void {
  const now = consentTimestamp(atMs);
  if (channel === 'push.marketing') {
    setPushConsent(attributes, consent, atMs);
    return;
  }
  if (channel === 'email.open_tracking') {
    // src/klaviyo/types.ts leaves open_tracking out of the email channel; the generator's type has it.
    const email = (subscriptions.email ??= {}) as Partial<EmailChannel>;
    const openTracking: OpenTrackingConsent = permission(consent, now, email.open_tracking);
    email.open_tracking = openTracking;
    return;
  }
  const whatsapp = (subscriptions.whatsapp ??= {});
  const kind = channel === 'whatsapp.marketing' ? 'marketing' : channel === 'whatsapp.transactional' ? 'transactional' : 'conversational';
  const record: WhatsappPermission = { ...permission(consent, now, whatsapp[kind]), phone_number: typeof attributes.phone_number === 'string' ? attributes.phone_number : null };
  whatsapp[kind] = record;
}

/** The fields open tracking and WhatsApp permissions share: the new consent, keeping when it was first created. */
function permission<M>(consent: 'SUBSCRIBED' | 'UNSUBSCRIBED', now: string, previous: { created_timestamp?: string | null; metadata?: M | null } | null | undefined) {
  return {
    consent,
    can_receive: consent === 'SUBSCRIBED',
    consent_timestamp: now,
    last_updated: now,
    created_timestamp: previous?.created_timestamp ?? now,
    metadata: previous?.metadata ?? null,
    valid_until: null,
  };
}

function subscriptionsOf(attributes: ProfileAttributes): Subscriptions {
  return (attributes.subscriptions ??= {});
}

/** The email marketing record, created as Klaviyo shows a profile that never had one. */
function emailMarketingOf(subscriptions: Subscriptions): EmailMarketing {
  const email = (subscriptions.email ??= {});
  return (email.marketing ??= neverSubscribedEmailMarketing());
}

function smsOf(subscriptions: Subscriptions): NonNullable<Subscriptions['sms']> {
  return (subscriptions.sms ??= {});
}

function smsRecord(consent: string, consentTimestampText: string, now: string) {
  return { consent, consent_timestamp: consentTimestampText, method: 'API', method_detail: '', last_updated: now };
}

/** One entry per reason: a repeated suppression replaces the older entry of that reason. */
function withSuppression(list: EmailMarketingSuppression[] | null | undefined, reason: string, timestamp: string): EmailMarketingSuppression[] {
  return [...(list ?? []).filter((entry) => entry.reason !== reason), { reason, timestamp }];
}

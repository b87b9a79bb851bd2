import type {
  EmailMarketing,
  EmailMarketingListSuppression,
  EmailMarketingSuppression,
  PushMarketing,
  SmsMarketing,
  SmsTransactional,
  Subscriptions,
  WhatsappPermission,
} from '../../klaviyo/types.js';
import {
  CUSTOM_METHOD_DETAILS,
  EMAIL_METHOD_DETAILS,
  EMAIL_METHODS,
  EMAIL_UNSUBSCRIBE_METHODS,
  LIST_SUPPRESSION_REASONS,
  SMS_METHOD_DETAILS,
  SMS_METHODS,
  SUPPRESSION_REASONS,
} from './fake-data.js';
import { chance, pick, pickWeighted, randomInt, type Rng } from './prng.js';
import { formatSeconds, formatWithMicros } from '../store/timestamps.js';

/** The spec's OpenTrackingConsent, which src/klaviyo/types.ts does not model. */
export interface OpenTrackingConsent {
  consent: string;
  can_receive: boolean;
  consent_timestamp?: string | null;
  last_updated?: string | null;
  created_timestamp?: string | null;
  metadata?: Record<string, unknown> | null;
  valid_until?: string | null;
}

export interface EmailChannel {
  marketing: EmailMarketing;
  open_tracking?: OpenTrackingConsent | null;
}

type Consent = 'SUBSCRIBED' | 'UNSUBSCRIBED' | 'NEVER_SUBSCRIBED';

interface Moment {
  text: string;
  seconds: number;
}

export interface SubscriptionInputs {
  /** The account's list ids, which list suppressions name; none: no list suppressions. */
  listIds: readonly string[];
  hasEmail: boolean;
  phoneNumber: string | null;
  createdSec: number;
  updatedSec: number;
}

/** Klaviyo consent for one profile: mixed states per channel, and channels that are absent or null. */
/** Email marketing as Klaviyo shows it for a profile that never had any: the one definition of that shape. */
export function neverSubscribedEmailMarketing(): EmailMarketing {
  return {
    can_receive_email_marketing: false,
    consent: 'NEVER_SUBSCRIBED',
    consent_timestamp: null,
    last_updated: null,
    method: null,
    method_detail: null,
    custom_method_detail: null,
    double_optin: null,
    suppression: [],
    list_suppressions: [],
  };
}

export function generateSubscriptions(rng: Rng, inputs: SubscriptionInputs): Subscriptions {
  const clock = new ConsentClock(rng, inputs.createdSec, inputs.updatedSec);
  const subscriptions: Subscriptions = {};
  subscriptions.email = emailChannel(rng, clock, inputs.hasEmail, inputs.listIds);

  const smsShape = pickWeighted(rng, [['object', 0.8], ['missing', 0.1], ['null', 0.1]] as const);
  if (smsShape === 'null') subscriptions.sms = null;
  if (smsShape === 'object') subscriptions.sms = smsChannel(rng, clock, inputs.phoneNumber !== null);

  const pushShape = pickWeighted(rng, [['object', 0.55], ['missing', 0.4], ['null', 0.05]] as const);
  if (pushShape === 'null') subscriptions.mobile_push = null;
  if (pushShape === 'object') subscriptions.mobile_push = { marketing: pushMarketing(rng, clock) };

  if (chance(rng, 0.2)) {
    subscriptions.whatsapp = {
      marketing: whatsappPermission(rng, clock, inputs.phoneNumber),
      transactional: whatsappPermission(rng, clock, inputs.phoneNumber),
      conversational: whatsappPermission(rng, clock, inputs.phoneNumber),
    };
  }
  return subscriptions;
}

/** Picks consent moments inside the profile's lifetime, so no consent change postdates `updated`. */
class ConsentClock {
  constructor(
    private readonly rng: Rng,
    private readonly fromSec: number,
    private readonly toSec: number,
  ) {}

  /** A moment in [after, updated]; with microseconds about half of the time. */
  moment(after = this.fromSec): Moment {
    const from = Math.max(this.fromSec, after);
    if (from >= this.toSec) return { text: formatSeconds(this.toSec), seconds: this.toSec };
    // Strictly before `updated`, so that adding microseconds cannot overshoot it.
    const seconds = randomInt(this.rng, from, this.toSec - 1);
    const text = chance(this.rng, 0.5)
      ? formatWithMicros(seconds, randomInt(this.rng, 0, 999_999))
      : formatSeconds(seconds);
    return { text, seconds };
  }

  later(than: Moment): string {
    return chance(this.rng, 0.6) ? than.text : this.moment(than.seconds + 1).text;
  }

  /** A validity horizon after the profile's last change (a year out), for WhatsApp permissions. */
  horizon(): string {
    return formatSeconds(this.toSec + 365 * 86_400);
  }
}

function consentFor(rng: Rng, reachable: boolean, subscribed: number, unsubscribed: number): Consent {
  if (!reachable) return 'NEVER_SUBSCRIBED';
  return pickWeighted(rng, [
    ['SUBSCRIBED', subscribed],
    ['UNSUBSCRIBED', unsubscribed],
    ['NEVER_SUBSCRIBED', 1 - subscribed - unsubscribed],
  ] as const);
}

function emailChannel(rng: Rng, clock: ConsentClock, hasEmail: boolean, listIds: readonly string[]): EmailChannel {
  const channel: EmailChannel = { marketing: emailMarketing(rng, clock, hasEmail, listIds) };
  if (hasEmail && chance(rng, 0.15)) channel.open_tracking = openTracking(rng, clock);
  return channel;
}

function emailMarketing(rng: Rng, clock: ConsentClock, hasEmail: boolean, listIds: readonly string[]): EmailMarketing {
  const consent = consentFor(rng, hasEmail, 0.5, 0.2);
  const consentedAt = consent === 'NEVER_SUBSCRIBED' ? undefined : clock.moment();
  // ~10% of profiles with an email carry a global suppression; unsubscribers far more often than others.
  const suppressed = hasEmail && chance(rng, consent === 'UNSUBSCRIBED' ? 0.35 : 0.05);
  const suppressionMoments = suppressed ? suppressions(rng, clock, consent, consentedAt) : [];
  const suppression = suppressed
    ? suppressionMoments.map(({ reason, at }) => ({ reason, timestamp: at.text }))
    : emptyList<EmailMarketingSuppression>(rng);
  const listSuppressions =
    hasEmail && chance(rng, 0.1) && listIds.length > 0 ? listSuppressionEntries(rng, clock, listIds) : emptyList<EmailMarketingListSuppression>(rng);
  const canReceive = consent === 'SUBSCRIBED' && (suppression === null || suppression.length === 0);
  const changes = [...(consentedAt ? [consentedAt] : []), ...suppressionMoments.map(({ at }) => at)];
  const lastChange = changes.reduce<Moment | undefined>((latest, moment) => (latest && latest.seconds >= moment.seconds ? latest : moment), undefined);

  if (consentedAt === undefined) {
    return {
      can_receive_email_marketing: canReceive,
      consent,
      consent_timestamp: null,
      last_updated: lastChange?.text ?? null,
      method: null,
      method_detail: null,
      custom_method_detail: null,
      double_optin: null,
      suppression,
      list_suppressions: listSuppressions,
    };
  }
  const subscribed = consent === 'SUBSCRIBED';
  return {
    can_receive_email_marketing: canReceive,
    consent,
    consent_timestamp: consentedAt.text,
    last_updated: lastChange && lastChange !== consentedAt ? lastChange.text : clock.later(consentedAt),
    method: subscribed ? pick(rng, EMAIL_METHODS) : pick(rng, EMAIL_UNSUBSCRIBE_METHODS),
    method_detail: subscribed ? pick(rng, EMAIL_METHOD_DETAILS) : pick(rng, ['', null]),
    custom_method_detail: subscribed && chance(rng, 0.3) ? pick(rng, CUSTOM_METHOD_DETAILS) : null,
    double_optin: subscribed ? pick(rng, [true, false, null]) : null,
    suppression,
    list_suppressions: listSuppressions,
  };
}

/** Klaviyo sends `[]` for "none"; a few null lists keep consumers honest about the spec's `nullable`. */
function emptyList<T>(rng: Rng): T[] | null {
  return chance(rng, 0.02) ? null : [];
}

interface SuppressionMoment {
  reason: string;
  at: Moment;
}

/** An unsubscribe suppression dates from the unsubscribe itself; others come at or after consent. */
function suppressions(rng: Rng, clock: ConsentClock, consent: Consent, consentedAt: Moment | undefined): SuppressionMoment[] {
  const unsubscribed = consent === 'UNSUBSCRIBED' && chance(rng, 0.8);
  const first = unsubscribed ? 'UNSUBSCRIBE' : pick(rng, SUPPRESSION_REASONS);
  const firstAt = unsubscribed && consentedAt ? consentedAt : clock.moment(consentedAt?.seconds);
  const entries: SuppressionMoment[] = [{ reason: first, at: firstAt }];
  if (chance(rng, 0.1)) {
    const second = pick(rng, SUPPRESSION_REASONS.filter((reason) => reason !== first));
    entries.push({ reason: second, at: clock.moment(firstAt.seconds + 1) });
  }
  return entries;
}

/** One or two lists of the account; never the same list twice. */
function listSuppressionEntries(rng: Rng, clock: ConsentClock, listIds: readonly string[]): EmailMarketingListSuppression[] {
  const count = chance(rng, 0.2) && listIds.length > 1 ? 2 : 1;
  const first = randomInt(rng, 0, listIds.length - 1);
  const chosen = count === 1 ? [first] : [first, (first + randomInt(rng, 1, listIds.length - 1)) % listIds.length];
  return chosen.map((index) => ({ list_id: listIds[index] ?? '', reason: pick(rng, LIST_SUPPRESSION_REASONS), timestamp: clock.moment().text }));
}

function openTracking(rng: Rng, clock: ConsentClock): OpenTrackingConsent {
  const consent = consentFor(rng, true, 0.7, 0.2);
  const at = consent === 'NEVER_SUBSCRIBED' ? null : clock.moment();
  return {
    consent,
    can_receive: consent !== 'UNSUBSCRIBED',
    consent_timestamp: at?.text ?? null,
    last_updated: at ? clock.later(at) : null,
    created_timestamp: at?.text ?? null,
    metadata: null,
    valid_until: null,
  };
}

function smsChannel(
  rng: Rng,
  clock: ConsentClock,
  hasPhone: boolean,
): { marketing?: SmsMarketing | null; transactional?: SmsTransactional | null } {
  const channel: { marketing?: SmsMarketing | null; transactional?: SmsTransactional | null } = {};
  channel.marketing = chance(rng, 0.95) ? smsMarketing(rng, clock, hasPhone) : null;
  const transactionalShape = pickWeighted(rng, [['object', 0.6], ['null', 0.2], ['missing', 0.2]] as const);
  if (transactionalShape === 'object') channel.transactional = smsTransactional(rng, clock, hasPhone);
  if (transactionalShape === 'null') channel.transactional = null;
  return channel;
}

function smsMarketing(rng: Rng, clock: ConsentClock, hasPhone: boolean): SmsMarketing {
  const consent = consentFor(rng, hasPhone, 0.35, 0.2);
  if (consent === 'NEVER_SUBSCRIBED') {
    return { can_receive_sms_marketing: false, consent, consent_timestamp: null, method: null, method_detail: null, last_updated: null };
  }
  const at = clock.moment();
  return {
    can_receive_sms_marketing: consent === 'SUBSCRIBED',
    consent,
    consent_timestamp: at.text,
    method: pick(rng, SMS_METHODS),
    method_detail: pick(rng, SMS_METHOD_DETAILS),
    last_updated: clock.later(at),
  };
}

function smsTransactional(rng: Rng, clock: ConsentClock, hasPhone: boolean): SmsTransactional {
  const consent = consentFor(rng, hasPhone, 0.4, 0.1);
  if (consent === 'NEVER_SUBSCRIBED') {
    return { can_receive_sms_transactional: false, consent, consent_timestamp: null, method: null, method_detail: null, last_updated: null };
  }
  const at = clock.moment();
  return {
    can_receive_sms_transactional: consent === 'SUBSCRIBED',
    consent,
    consent_timestamp: at.text,
    method: pick(rng, SMS_METHODS),
    method_detail: pick(rng, SMS_METHOD_DETAILS),
    last_updated: clock.later(at),
  };
}

function pushMarketing(rng: Rng, clock: ConsentClock): PushMarketing {
  const consent = consentFor(rng, true, 0.5, 0.2);
  return {
    can_receive_push_marketing: consent === 'SUBSCRIBED',
    consent,
    consent_timestamp: consent === 'NEVER_SUBSCRIBED' ? null : clock.moment().text,
  };
}

function whatsappPermission(rng: Rng, clock: ConsentClock, phoneNumber: string | null): WhatsappPermission | null {
  if (chance(rng, 0.15)) return null;
  const consent = consentFor(rng, phoneNumber !== null, 0.45, 0.2);
  const created = clock.moment();
  const changed = consent === 'NEVER_SUBSCRIBED' ? null : clock.moment(created.seconds);
  return {
    consent,
    can_receive: consent === 'SUBSCRIBED',
    consent_timestamp: changed?.text ?? null,
    last_updated: changed ? clock.later(changed) : created.text,
    created_timestamp: created.text,
    valid_until: consent === 'SUBSCRIBED' && chance(rng, 0.3) ? clock.horizon() : null,
    phone_number: phoneNumber,
    metadata: chance(rng, 0.5) ? null : { opt_in_source: pick(rng, ['whatsapp_widget', 'checkout', 'api']) },
  };
}

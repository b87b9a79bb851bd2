import { compareNormalized, normalizeDateTime } from '../../common/datetime.js';
import { isObject } from '../../common/json.js';
import { noteOddValue } from './odd-values.js';
import type { ProfileConsentRecord } from '../../generated/profile-consent-record.js';
import type { ProfileResource, WhatsappPermission } from '../../klaviyo/types.js';

// Klaviyo's spec and its data disagree now and then ("double_optin": "True"), so every value is read
// defensively: a value whose meaning is certain is coerced, anything else becomes null, never a crash.

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return isObject(value) ? value : undefined;
}

// Each reader returns null for an absent value, and also for one it cannot read, which it notes by field.

function text(value: unknown, field: string): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value !== null && value !== undefined) noteOddValue(field, value);
  return null;
}

function flag(value: unknown, field: string): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  if (value !== null && value !== undefined) noteOddValue(field, value);
  return null;
}

function time(value: unknown, field: string): string | null {
  const normalized = typeof value === 'string' ? normalizeDateTime(value) : undefined;
  if (normalized !== undefined) return normalized;
  if (value !== null && value !== undefined) noteOddValue(field, value);
  return null;
}

// A suppression list that is absent or null means none; one that is not a list means we cannot tell, and
// the record must then say "unknown" (null), never "not suppressed".
function suppressions(value: unknown): Array<{ reason: string | null; timestamp: string | null }> | null {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    noteOddValue('email_suppressions', value);
    return null;
  }
  return value.map((item) => {
    const s = obj(item) ?? {};
    return { reason: text(s.reason, 'email_suppressions.reason'), timestamp: time(s.timestamp, 'email_suppressions.timestamp') };
  });
}

function listSuppressions(value: unknown): Array<{ list_id: string | null; reason: string | null; timestamp: string | null }> | null {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    noteOddValue('email_list_suppressions', value);
    return null;
  }
  return value.map((item) => {
    const s = obj(item) ?? {};
    return {
      list_id: text(s.list_id, 'email_list_suppressions.list_id'),
      reason: text(s.reason, 'email_list_suppressions.reason'),
      timestamp: time(s.timestamp, 'email_list_suppressions.timestamp'),
    };
  });
}

function later(best: string | null, value: string | null): string | null {
  return value !== null && (best === null || compareNormalized(value, best) > 0) ? value : best;
}

function latest(values: Array<string | null>, ...lists: Array<Array<{ timestamp: string | null }> | null>): string | null {
  let best: string | null = null;
  for (const value of values) best = later(best, value);
  for (const list of lists) for (const item of list ?? []) best = later(best, item.timestamp);
  return best;
}

function whatsapp(permission: unknown, kind: string): { consent: string | null; timestamp: string | null; lastUpdated: string | null; canReceive: boolean | null } {
  const p = obj(permission) as Partial<WhatsappPermission> | undefined;
  return {
    consent: text(p?.consent, `whatsapp_${kind}_consent`),
    timestamp: time(p?.consent_timestamp, `whatsapp_${kind}_consent_timestamp`),
    lastUpdated: time(p?.last_updated, `whatsapp_${kind}_last_updated`),
    canReceive: p ? flag(p.can_receive, `whatsapp_can_receive_${kind}`) : null,
  };
}

/** One Klaviyo profile (with additional-fields subscriptions) as one flat profile_consent record. */
export function toProfileConsentRecord(profile: ProfileResource): ProfileConsentRecord {
  const attributes = obj(profile.attributes) ?? {};
  const subscriptions = obj(attributes.subscriptions);
  const email = obj(obj(subscriptions?.email)?.marketing);
  const sms = obj(subscriptions?.sms);
  const smsMarketing = obj(sms?.marketing);
  const smsTransactional = obj(sms?.transactional);
  const push = obj(obj(subscriptions?.mobile_push)?.marketing);
  const wa = obj(subscriptions?.whatsapp);
  const waMarketing = whatsapp(wa?.marketing, 'marketing');
  const waTransactional = whatsapp(wa?.transactional, 'transactional');
  const waConversational = whatsapp(wa?.conversational, 'conversational');

  const emailSuppressions = email ? suppressions(email.suppression) : null;
  const emailListSuppressions = email ? listSuppressions(email.list_suppressions) : null;

  const record: ProfileConsentRecord = {
    id: profile.id,
    email: text(attributes.email, 'email'),
    phone_number: text(attributes.phone_number, 'phone_number'),
    external_id: text(attributes.external_id, 'external_id'),
    created: time(attributes.created, 'created'),
    updated: time(attributes.updated, 'updated'),
    email_consent: text(email?.consent, 'email_consent'),
    email_consent_timestamp: time(email?.consent_timestamp, 'email_consent_timestamp'),
    email_consent_last_updated: time(email?.last_updated, 'email_consent_last_updated'),
    email_consent_method: text(email?.method, 'email_consent_method'),
    email_consent_method_detail: text(email?.method_detail, 'email_consent_method_detail'),
    email_custom_method_detail: text(email?.custom_method_detail, 'email_custom_method_detail'),
    email_double_optin: flag(email?.double_optin, 'email_double_optin'),
    email_can_receive_marketing: flag(email?.can_receive_email_marketing, 'email_can_receive_marketing'),
    email_suppressed: emailSuppressions ? emailSuppressions.length > 0 : null,
    email_suppressions: emailSuppressions,
    email_list_suppressions: emailListSuppressions,
    sms_consent: text(smsMarketing?.consent, 'sms_consent'),
    sms_consent_timestamp: time(smsMarketing?.consent_timestamp, 'sms_consent_timestamp'),
    sms_consent_last_updated: time(smsMarketing?.last_updated, 'sms_consent_last_updated'),
    sms_consent_method: text(smsMarketing?.method, 'sms_consent_method'),
    sms_consent_method_detail: text(smsMarketing?.method_detail, 'sms_consent_method_detail'),
    sms_can_receive_marketing: flag(smsMarketing?.can_receive_sms_marketing, 'sms_can_receive_marketing'),
    sms_transactional_consent: text(smsTransactional?.consent, 'sms_transactional_consent'),
    sms_transactional_consent_timestamp: time(smsTransactional?.consent_timestamp, 'sms_transactional_consent_timestamp'),
    sms_transactional_consent_last_updated: time(smsTransactional?.last_updated, 'sms_transactional_consent_last_updated'),
    sms_transactional_consent_method: text(smsTransactional?.method, 'sms_transactional_consent_method'),
    sms_transactional_consent_method_detail: text(smsTransactional?.method_detail, 'sms_transactional_consent_method_detail'),
    sms_can_receive_transactional: flag(smsTransactional?.can_receive_sms_transactional, 'sms_can_receive_transactional'),
    push_consent: text(push?.consent, 'push_consent'),
    push_consent_timestamp: time(push?.consent_timestamp, 'push_consent_timestamp'),
    push_can_receive_marketing: flag(push?.can_receive_push_marketing, 'push_can_receive_marketing'),
    whatsapp_marketing_consent: waMarketing.consent,
    whatsapp_marketing_consent_timestamp: waMarketing.timestamp,
    whatsapp_can_receive_marketing: waMarketing.canReceive,
    whatsapp_transactional_consent: waTransactional.consent,
    whatsapp_transactional_consent_timestamp: waTransactional.timestamp,
    whatsapp_can_receive_transactional: waTransactional.canReceive,
    whatsapp_conversational_consent: waConversational.consent,
    whatsapp_conversational_consent_timestamp: waConversational.timestamp,
    whatsapp_can_receive_conversational: waConversational.canReceive,
    consent_last_changed: null,
  };
  record.consent_last_changed = latest(
    [
    record.email_consent_timestamp,
    record.email_consent_last_updated,
    record.sms_consent_timestamp,
    record.sms_consent_last_updated,
    record.sms_transactional_consent_timestamp,
    record.sms_transactional_consent_last_updated,
    record.push_consent_timestamp,
    waMarketing.timestamp,
    waMarketing.lastUpdated,
    waTransactional.timestamp,
    waTransactional.lastUpdated,
    waConversational.timestamp,
    waConversational.lastUpdated,
    ],
    emailSuppressions,
    emailListSuppressions,
  );
  return record;
}

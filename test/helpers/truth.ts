import { expect } from 'vitest';
import type { ProfileResource } from '../../src/klaviyo/types.js';

// Checks a record against the simulator's raw profile with rules written out independently of the
// connector's mapper, so a mapping bug cannot hide by being compared with itself.

type Obj = Record<string, any>; // any: raw Klaviyo JSON, indexed freely

const instant = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : null);

function expectSameInstant(actual: unknown, raw: unknown, field: string) {
  if (raw === undefined || raw === null) {
    expect(actual, field).toBeNull();
    return;
  }
  expect(typeof actual, field).toBe('string');
  expect(actual as string, field).toMatch(/Z$/);
  expect(instant(actual), field).toBe(instant(raw));
}

export function expectRecordMatchesTruth(record: Obj, truth: ProfileResource): void {
  const a = truth.attributes as Obj;
  const subs = (a.subscriptions ?? {}) as Obj;
  expect(record.id).toBe(truth.id);
  expect(record.email).toBe(a.email ?? null);
  expect(record.phone_number).toBe(a.phone_number ?? null);
  expect(record.external_id).toBe(a.external_id ?? null);
  expectSameInstant(record.created, a.created, 'created');
  expectSameInstant(record.updated, a.updated, 'updated');

  const email = subs.email?.marketing as Obj | undefined;
  expect(record.email_consent, 'email_consent').toBe(email?.consent ?? null);
  expect(record.email_can_receive_marketing, 'email_can_receive_marketing').toBe(email ? email.can_receive_email_marketing : null);
  expect(record.email_double_optin, 'email_double_optin').toBe(email?.double_optin ?? null);
  expect(record.email_consent_method, 'email_consent_method').toBe(email?.method ?? null);
  expectSameInstant(record.email_consent_timestamp, email?.consent_timestamp, 'email_consent_timestamp');
  expectSameInstant(record.email_consent_last_updated, email?.last_updated, 'email_consent_last_updated');
  const suppressions = (email?.suppression ?? []) as Obj[];
  expect(record.email_suppressed, 'email_suppressed').toBe(email ? suppressions.length > 0 : null);
  expect(record.email_suppressions?.map((s: Obj) => s.reason) ?? null).toEqual(email ? suppressions.map((s) => s.reason) : null);
  const listSuppressions = (email?.list_suppressions ?? []) as Obj[];
  expect(record.email_list_suppressions?.map((s: Obj) => `${s.list_id}:${s.reason}:${instant(s.timestamp)}`) ?? null).toEqual(
    email ? listSuppressions.map((s) => `${s.list_id}:${s.reason}:${instant(s.timestamp)}`) : null,
  );

  const sms = subs.sms?.marketing as Obj | undefined;
  expect(record.sms_consent, 'sms_consent').toBe(sms?.consent ?? null);
  expect(record.sms_can_receive_marketing, 'sms_can_receive_marketing').toBe(sms ? sms.can_receive_sms_marketing : null);
  expectSameInstant(record.sms_consent_timestamp, sms?.consent_timestamp, 'sms_consent_timestamp');
  const smsT = subs.sms?.transactional as Obj | undefined;
  expect(record.sms_transactional_consent, 'sms_transactional_consent').toBe(smsT?.consent ?? null);
  expect(record.sms_can_receive_transactional).toBe(smsT ? smsT.can_receive_sms_transactional : null);
  const push = subs.mobile_push?.marketing as Obj | undefined;
  expect(record.push_consent, 'push_consent').toBe(push?.consent ?? null);
  expect(record.push_can_receive_marketing).toBe(push ? push.can_receive_push_marketing : null);
  expectSameInstant(record.push_consent_timestamp, push?.consent_timestamp, 'push_consent_timestamp');
  for (const kind of ['marketing', 'transactional', 'conversational']) {
    const wa = subs.whatsapp?.[kind] as Obj | undefined;
    expect(record[`whatsapp_${kind}_consent`], `whatsapp_${kind}_consent`).toBe(wa?.consent ?? null);
    expect(record[`whatsapp_can_receive_${kind}`]).toBe(wa ? wa.can_receive : null);
  }
}

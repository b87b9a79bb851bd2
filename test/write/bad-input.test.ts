import { describe, expect, it } from 'vitest';
import { readRecord } from '../../src/write/input.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const rejection = (data: unknown) => {
  const read = readRecord(data, 1, 'people', NOW);
  return 'rejected' in read ? read.rejected.reason : undefined;
};

describe('bad input to the write side: a rejection naming the field, never a crash, never a silent drop', () => {
  it.each([
    ['no identifier', { email_consent: 'SUBSCRIBED' }, /no identifier: give at least one of id, email, phone_number, external_id/],
    ['an unknown consent value', { email: 'a@example.com', email_consent: 'MAYBE' }, /email_consent: "MAYBE" is not a consent decision; use SUBSCRIBED, UNSUBSCRIBED, or null/],
    ['a malformed time', { email: 'a@example.com', email_consent: 'SUBSCRIBED', email_consent_timestamp: 'last tuesday' }, /email_consent_timestamp: "last tuesday" is not a date-time/],
    ['a time in the future', { email: 'a@example.com', email_consent: 'SUBSCRIBED', email_consent_timestamp: '2027-01-01T00:00:00Z' }, /email_consent_timestamp: 2027-01-01T00:00:00Z is in the future/],
    ['a consent time before 1990', { email: 'a@example.com', sms_consent: 'UNSUBSCRIBED', phone_number: '+14155550100', sms_consent_timestamp: '1989-12-31T00:00:00Z' }, /sms_consent_timestamp: 1989-12-31T00:00:00Z is before 1990-01-01/],
    ['a malformed consent_last_changed', { email: 'a@example.com', email_consent: 'SUBSCRIBED', consent_last_changed: 42 }, /consent_last_changed: 42 is not a date-time/],
    ['a record of a stream with no usable column', { customer: 'x', opted: true }, /no usable column: a record needs an identifier .* it has customer, opted/],
    ['an email that is not one', { email: 'not-an-email', email_consent: 'SUBSCRIBED' }, /^email: not an email address/],
    ['a phone number not in E.164', { phone_number: '(415) 555-0100', sms_consent: 'SUBSCRIBED' }, /^phone_number: not in E\.164 form/],
    ['email_suppressed that is not a boolean', { email: 'a@example.com', email_suppressed: 'yes' }, /email_suppressed: must be true, false or null/],
    ['an identifier that is not a string', { id: 42, email_consent: 'SUBSCRIBED' }, /id: must be a string/],
    ['a record that is not an object', ['a@example.com'], /not a JSON object/],
  ])('%s', (_name, data, reason) => {
    expect(rejection(data)).toMatch(reason);
  });

  it('reads a decision time from its own column, else consent_last_changed, else none', () => {
    const read = readRecord({ email: 'a@example.com', email_consent: 'UNSUBSCRIBED', sms_consent: 'NEVER_SUBSCRIBED', consent_last_changed: '2026-05-01T00:00:00Z', email_suppressed: null }, 3, 'people', NOW);
    expect(read).toEqual({ request: { position: 3, stream: 'people', identifiers: { email: 'a@example.com' }, decisions: [{ subject: 'email', consent: 'UNSUBSCRIBED', atMs: Date.parse('2026-05-01T00:00:00Z') }] } });
  });
});

import { describe, expect, it } from 'vitest';
import type { ProfileResource } from '../../src/klaviyo/types.js';
import { toProfileConsentRecord } from '../../src/streams/profile-consent/map-record.js';
import { takeOddValues } from '../../src/streams/profile-consent/odd-values.js';
import { validateRecord } from '../helpers/record-validator.js';

const profile = (attributes: Record<string, unknown>): ProfileResource => ({ type: 'profile', id: '01HZZZZZZZZZZZZZZZZZZZZZZZ', attributes });

describe('toProfileConsentRecord', () => {
  it('flattens every channel and finds the latest consent change', () => {
    const record = toProfileConsentRecord(
      profile({
        email: 'zoë@example.com',
        phone_number: '+15005550006',
        created: '2024-01-01T00:00:00+00:00',
        updated: '2024-02-01T00:00:00+00:00',
        subscriptions: {
          email: {
            marketing: {
              consent: 'SUBSCRIBED',
              can_receive_email_marketing: false,
              consent_timestamp: '2024-01-02T03:04:05.123456+00:00',
              last_updated: '2024-01-03T00:00:00+00:00',
              method: 'FORM',
              method_detail: 'footer',
              custom_method_detail: null,
              double_optin: true,
              suppression: [{ reason: 'HARD_BOUNCE', timestamp: '2024-03-01T00:00:00+00:00' }],
              list_suppressions: [{ list_id: 'Y6nRLr', reason: 'USER_SUPPRESSED', timestamp: '2024-01-05T00:00:00+00:00' }],
            },
          },
          sms: { marketing: { consent: 'UNSUBSCRIBED', can_receive_sms_marketing: false, consent_timestamp: '2024-01-04T00:00:00+00:00' } },
          mobile_push: { marketing: { consent: 'NEVER_SUBSCRIBED', can_receive_push_marketing: false, consent_timestamp: null } },
          whatsapp: { marketing: { consent: 'SUBSCRIBED', can_receive: true, consent_timestamp: '2024-04-01T00:00:00+00:00' } },
        },
      }),
    );
    expect(validateRecord(record), JSON.stringify(validateRecord.errors)).toBe(true);
    expect(record).toMatchObject({
      email_consent: 'SUBSCRIBED',
      email_consent_timestamp: '2024-01-02T03:04:05.123456Z',
      email_suppressed: true,
      email_suppressions: [{ reason: 'HARD_BOUNCE', timestamp: '2024-03-01T00:00:00Z' }],
      email_list_suppressions: [{ list_id: 'Y6nRLr', reason: 'USER_SUPPRESSED', timestamp: '2024-01-05T00:00:00Z' }],
      sms_consent: 'UNSUBSCRIBED',
      sms_transactional_consent: null,
      sms_can_receive_transactional: null,
      push_consent: 'NEVER_SUBSCRIBED',
      push_consent_timestamp: null,
      whatsapp_marketing_consent: 'SUBSCRIBED',
      whatsapp_can_receive_marketing: true,
      whatsapp_transactional_consent: null,
      consent_last_changed: '2024-04-01T00:00:00Z',
      updated: '2024-02-01T00:00:00Z',
    });
  });

  it.each([
    ['no subscriptions', {}],
    ['null subscriptions', { subscriptions: null }],
    ['null channels', { subscriptions: { email: null, sms: null, mobile_push: null, whatsapp: null } }],
    ['null marketing objects', { subscriptions: { email: { marketing: null }, sms: { marketing: null, transactional: null } } }],
  ])('gives nulls, not false, for %s', (_name, attributes) => {
    const record = toProfileConsentRecord(profile(attributes));
    expect(validateRecord(record), JSON.stringify(validateRecord.errors)).toBe(true);
    expect(record.email_consent).toBeNull();
    expect(record.email_can_receive_marketing).toBeNull();
    expect(record.email_suppressed).toBeNull();
    expect(record.email_suppressions).toBeNull();
    expect(record.sms_can_receive_marketing).toBeNull();
    expect(record.push_can_receive_marketing).toBeNull();
    expect(record.consent_last_changed).toBeNull();
  });

  it('coerces values whose meaning is certain and nulls the rest, keeping the record valid', () => {
    const record = toProfileConsentRecord(
      profile({
        email: 12345,
        updated: 'garbage',
        subscriptions: {
          email: { marketing: { consent: 'PENDING_DOUBLE_OPTIN', can_receive_email_marketing: 'False', double_optin: 'True', consent_timestamp: 17, suppression: 'none' } },
          sms: { marketing: { consent: 'SUBSCRIBED', can_receive_sms_marketing: 'yes' } },
        },
      }),
    );
    expect(validateRecord(record), JSON.stringify(validateRecord.errors)).toBe(true);
    expect(record.email).toBe('12345');
    expect(record.updated).toBeNull();
    expect(record.email_consent).toBe('PENDING_DOUBLE_OPTIN');
    expect(record.email_can_receive_marketing).toBe(false);
    expect(record.email_double_optin).toBe(true);
    expect(record.email_consent_timestamp).toBeNull();
    // a suppression list that is not a list: unknown, never "not suppressed"
    expect(record.email_suppressions).toBeNull();
    expect(record.email_suppressed).toBeNull();
    expect(record.sms_can_receive_marketing).toBeNull();
  });

  it('notes each value it could not read, by field, for one warning per field per run', () => {
    takeOddValues();
    for (let i = 0; i < 3; i += 1) {
      toProfileConsentRecord(profile({ updated: 'soon', subscriptions: { sms: { marketing: { consent: 'SUBSCRIBED', can_receive_sms_marketing: 'yes' } } } }));
    }
    toProfileConsentRecord(profile({ updated: '2024-01-01T00:00:00+00:00', subscriptions: { email: { marketing: { consent: 'SUBSCRIBED', double_optin: 'True', can_receive_email_marketing: true } } } }));
    const odd = takeOddValues();
    expect(odd.get('updated')).toEqual({ count: 3, example: '"soon"' });
    expect(odd.get('sms_can_receive_marketing')?.count).toBe(3);
    // "True" has a certain meaning: coerced, not odd
    expect(odd.has('email_double_optin')).toBe(false);
    expect(takeOddValues().size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { CurrentConsent } from '../../src/write/current.js';
import type { Decision } from '../../src/write/decisions.js';
import { planRecord } from '../../src/write/plan.js';

const T = (iso: string) => Date.parse(iso);
const options = { mode: 'update_or_create' as const, historicalImport: true };
const request = (...decisions: Decision[]) => ({ position: 1, stream: 's', identifiers: { email: 'a@example.com' }, decisions });
function profile(email: { consent: string; at: string }, suppressions: Array<{ reason: string; at: string }> = []): CurrentConsent {
  const none = { consent: undefined, atMs: undefined };
  return {
    id: 'P1',
    email: 'a@example.com',
    phoneNumber: undefined,
    channels: { email: { consent: email.consent, atMs: T(email.at) }, sms: none, sms_transactional: none, whatsapp_marketing: none, whatsapp_transactional: none },
    suppressions: suppressions.map((s) => ({ reason: s.reason, atMs: T(s.at) })),
  };
}
const planOf = (current: CurrentConsent | undefined, ...decisions: Decision[]) => planRecord(request(...decisions), current, options);
const kinds = (plan: ReturnType<typeof planOf>) => [...plan.changes.map((c) => c.action), ...plan.outcomes.map((o) => o.outcome)];

describe('the rules that make a write safe', () => {
  it('1. writes only what changes Klaviyo', () => {
    expect(kinds(planOf(profile({ consent: 'SUBSCRIBED', at: '2026-01-01T00:00:00Z' }), { subject: 'email', consent: 'SUBSCRIBED', atMs: T('2026-06-01T00:00:00Z') }))).toEqual(['unchanged']);
  });

  it('2. the newest decision wins: an older one is a conflict, with both times', () => {
    const plan = planOf(profile({ consent: 'UNSUBSCRIBED', at: '2026-03-01T00:00:00Z' }), { subject: 'email', consent: 'SUBSCRIBED', atMs: T('2026-02-01T00:00:00Z') });
    expect(plan.outcomes[0]).toMatchObject({ outcome: 'conflict', decidedAt: '2026-02-01T00:00:00.000Z', klaviyoAt: '2026-03-01T00:00:00.000Z' });
    expect(kinds(planOf(profile({ consent: 'UNSUBSCRIBED', at: '2026-03-01T00:00:00Z' }), { subject: 'email', consent: 'SUBSCRIBED', atMs: T('2026-04-01T00:00:00Z') }))).toEqual(['subscribe']);
  });

  it('2. a decision with no time may opt out, or opt in where Klaviyo holds no opt-out, never overturn one', () => {
    expect(kinds(planOf(profile({ consent: 'SUBSCRIBED', at: '2026-03-01T00:00:00Z' }), { subject: 'email', consent: 'UNSUBSCRIBED', atMs: undefined }))).toEqual(['unsubscribe']);
    expect(kinds(planOf(profile({ consent: 'NEVER_SUBSCRIBED', at: '2026-03-01T00:00:00Z' }), { subject: 'email', consent: 'SUBSCRIBED', atMs: undefined }))).toEqual(['subscribe']);
    expect(kinds(planOf(profile({ consent: 'UNSUBSCRIBED', at: '2020-03-01T00:00:00Z' }), { subject: 'email', consent: 'SUBSCRIBED', atMs: undefined }))).toEqual(['conflict']);
  });

  it('3. a subscribe never lifts a spam complaint or manual suppression the record does not more recently lift', () => {
    const spam = profile({ consent: 'NEVER_SUBSCRIBED', at: '2026-01-01T00:00:00Z' }, [{ reason: 'SPAM_COMPLAINT', at: '2026-02-01T00:00:00Z' }]);
    expect(kinds(planOf(spam, { subject: 'email', consent: 'SUBSCRIBED', atMs: T('2026-05-01T00:00:00Z') }))).toEqual(['conflict']);
    const lifted = planOf(spam, { subject: 'email', consent: 'SUBSCRIBED', atMs: T('2026-05-01T00:00:00Z') }, { subject: 'email_suppression', suppressed: false, atMs: T('2026-05-01T00:00:00Z') });
    // Klaviyo's unsuppress cannot lift a spam complaint; the subscribe may, the record having lifted it, so the
    // lift itself asks nothing more of Klaviyo.
    expect(kinds(lifted)).toEqual(['subscribe', 'unchanged']);
  });

  it('3. unsuppress lifts only a manual suppression, newer; a bounce is reported as not possible', () => {
    const manual = profile({ consent: 'SUBSCRIBED', at: '2026-01-01T00:00:00Z' }, [{ reason: 'USER_SUPPRESSED', at: '2026-02-01T00:00:00Z' }]);
    expect(kinds(planOf(manual, { subject: 'email_suppression', suppressed: false, atMs: T('2026-03-01T00:00:00Z') }))).toEqual(['unsuppress']);
    expect(kinds(planOf(manual, { subject: 'email_suppression', suppressed: false, atMs: T('2026-01-15T00:00:00Z') }))).toEqual(['conflict']);
    expect(kinds(planOf(manual, { subject: 'email_suppression', suppressed: false, atMs: undefined }))).toEqual(['conflict']);
    const bounced = profile({ consent: 'SUBSCRIBED', at: '2026-01-01T00:00:00Z' }, [{ reason: 'HARD_BOUNCE', at: '2026-02-01T00:00:00Z' }]);
    expect(planOf(bounced, { subject: 'email_suppression', suppressed: false, atMs: T('2026-03-01T00:00:00Z') }).outcomes[0]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/not possible: .*HARD_BOUNCE/) });
  });

  it('2. an opt-out Klaviyo holds with no time is never overturned, even by a timed opt-in', () => {
    const untimed: CurrentConsent = { ...profile({ consent: 'UNSUBSCRIBED', at: '2026-01-01T00:00:00Z' }) };
    untimed.channels.email = { consent: 'UNSUBSCRIBED', atMs: undefined };
    expect(kinds(planOf(untimed, { subject: 'email', consent: 'SUBSCRIBED', atMs: T('2026-05-01T00:00:00Z') }))).toEqual(['conflict']);
  });

  it('3. email_suppressed false asks nothing of an UNSUBSCRIBE suppression (it goes with the opt-out)', () => {
    const unsubscribed = profile({ consent: 'UNSUBSCRIBED', at: '2026-02-01T00:00:00Z' }, [{ reason: 'UNSUBSCRIBE', at: '2026-02-01T00:00:00Z' }]);
    expect(kinds(planOf(unsubscribed, { subject: 'email_suppression', suppressed: false, atMs: T('2023-10-10T00:00:00Z') }))).toEqual(['unchanged']);
    const bounced = profile({ consent: 'SUBSCRIBED', at: '2026-01-01T00:00:00Z' }, [{ reason: 'HARD_BOUNCE', at: '2026-02-01T00:00:00Z' }]);
    expect(planOf(bounced, { subject: 'email_suppression', suppressed: false, atMs: T('2026-01-15T00:00:00Z') }).outcomes[0]).toMatchObject({ outcome: 'conflict', decidedAt: '2026-01-15T00:00:00.000Z', klaviyoAt: '2026-02-01T00:00:00.000Z' });
  });

  it('3. a new suppression and an email subscribe in one record contradict: neither is written', () => {
    const plan = planOf(profile({ consent: 'NEVER_SUBSCRIBED', at: '2026-01-01T00:00:00Z' }), { subject: 'email', consent: 'SUBSCRIBED', atMs: T('2026-05-01T00:00:00Z') }, { subject: 'email_suppression', suppressed: true, atMs: T('2026-05-01T00:00:00Z') });
    expect(plan.changes).toEqual([]);
    expect(plan.outcomes.map((o) => [o.subject, o.outcome])).toEqual([
      ['email_suppression', 'rejected'],
      ['email', 'rejected'],
    ]);
    // Held where Klaviyo holds them (a bounce on a subscribed address), they are no contradiction.
    const bounced = profile({ consent: 'SUBSCRIBED', at: '2026-01-01T00:00:00Z' }, [{ reason: 'HARD_BOUNCE', at: '2026-02-01T00:00:00Z' }]);
    expect(kinds(planOf(bounced, { subject: 'email', consent: 'SUBSCRIBED', atMs: undefined }, { subject: 'email_suppression', suppressed: true, atMs: undefined }))).toEqual(['unchanged', 'unchanged']);
  });

  it("refuses a decision whose address is not the one Klaviyo holds for the profile found", () => {
    const plan = planRecord({ position: 1, stream: 's', identifiers: { id: 'P1', email: 'other@example.com' }, decisions: [{ subject: 'email', consent: 'UNSUBSCRIBED', atMs: undefined }] }, profile({ consent: 'SUBSCRIBED', at: '2026-01-01T00:00:00Z' }), options);
    expect(plan.outcomes[0]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^email_consent: the record's email is not the one Klaviyo holds/) });
  });

  it('sends a historical import with consented_at for a timed opt-in, and skips unknown profiles in update_only', () => {
    expect(planOf(undefined, { subject: 'email', consent: 'SUBSCRIBED', atMs: T('2026-05-01T00:00:00Z') }).changes[0]).toMatchObject({ action: 'subscribe', consentedAtMs: T('2026-05-01T00:00:00Z') });
    const skipped = planRecord(request({ subject: 'email', consent: 'UNSUBSCRIBED', atMs: undefined }), undefined, { ...options, mode: 'update_only' });
    expect(kinds(skipped)).toEqual(['skipped']);
  });
});

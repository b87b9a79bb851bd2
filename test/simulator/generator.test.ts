import { describe, expect, it } from 'vitest';
import { DEFAULT_ANCHOR, generateProfiles } from '../../src/simulator/index.js';
import type { ProfileAttributes } from '../../src/klaviyo/types.js';

const KLAVIYO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const KLAVIYO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

// Five lists, as the simulator's account has by default: list suppressions name only the account's lists.
const LIST_IDS = ['Y6nRLr', 'Xa1b2C', 'Qq9Wz0', 'Mm4Nn5', 'Tt7Uu8'];
const profiles = [...generateProfiles(2000, 7, DEFAULT_ANCHOR, LIST_IDS)];
const all = profiles.map((profile) => profile.attributes);
const share = (test: (attributes: ProfileAttributes) => boolean): number => all.filter(test).length / all.length;
const marketing = (attributes: ProfileAttributes) => attributes.subscriptions?.email?.marketing;

describe('generateProfiles', () => {
  it('gives byte-identical data for the same seed and different data for another seed', () => {
    const first = JSON.stringify([...generateProfiles(300, 42)]);
    expect(JSON.stringify([...generateProfiles(300, 42)])).toBe(first);
    expect(JSON.stringify([...generateProfiles(300, 43)])).not.toBe(first);
  });

  it('makes unique ULID-shaped ids', () => {
    const ids = profiles.map((profile) => profile.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(ULID);
  });

  it('writes created and updated in whole seconds, created <= updated < anchor', () => {
    for (const attributes of all) {
      expect(attributes.created).toMatch(KLAVIYO_SECONDS);
      expect(attributes.updated).toMatch(KLAVIYO_SECONDS);
      const created = Date.parse(String(attributes.created));
      const updated = Date.parse(String(attributes.updated));
      expect(created).toBeLessThanOrEqual(updated);
      expect(updated).toBeLessThan(DEFAULT_ANCHOR.getTime());
    }
  });

  it('skews updated towards the last week and spreads the rest over about three years', () => {
    const anchor = DEFAULT_ANCHOR.getTime();
    const lastWeek = share((a) => Date.parse(String(a.updated)) >= anchor - 7 * 86_400_000);
    expect(lastWeek).toBeGreaterThan(0.4);
    expect(lastWeek).toBeLessThan(0.6);
    const oldest = Math.min(...all.map((a) => Date.parse(String(a.updated))));
    expect(anchor - oldest).toBeGreaterThan(2.5 * 365 * 86_400_000);
  });

  it('has groups of profiles sharing one updated second', () => {
    const counts = new Map<string, number>();
    for (const attributes of all) counts.set(String(attributes.updated), (counts.get(String(attributes.updated)) ?? 0) + 1);
    const groups = [...counts.values()].filter((count) => count >= 3);
    expect(groups.length).toBeGreaterThan(50);
  });

  it('mixes identifiers, unicode names and null values', () => {
    expect(share((a) => a.email === null)).toBeGreaterThan(0.02);
    expect(share((a) => a.phone_number === null)).toBeGreaterThan(0.2);
    expect(share((a) => a.external_id === null)).toBeGreaterThan(0.2);
    for (const attributes of all) {
      if (attributes.phone_number) expect(attributes.phone_number).toMatch(E164);
      expect(attributes.email ?? attributes.phone_number ?? attributes.external_id).not.toBeNull();
    }
    const names = new Set(all.flatMap((a) => [a.first_name, a.last_name]));
    for (const name of ['Zoë', 'Łukasz', '李', 'José']) expect(names).toContain(name);
    expect(all[0]).toHaveProperty('location');
    expect(all[0]).toHaveProperty('properties', {});
  });

  it('mixes consent states and keeps them plausible', () => {
    const consents = new Set(all.map((a) => marketing(a)?.consent));
    expect(consents).toEqual(new Set(['SUBSCRIBED', 'UNSUBSCRIBED', 'NEVER_SUBSCRIBED']));
    for (const attributes of all) {
      const email = marketing(attributes);
      expect(email).toBeDefined();
      if (!email) continue;
      const suppressed = (email.suppression ?? []).length > 0;
      expect(email.can_receive_email_marketing).toBe(email.consent === 'SUBSCRIBED' && !suppressed);
      if (email.consent === 'NEVER_SUBSCRIBED') {
        expect(email.consent_timestamp).toBeNull();
        expect(email.method).toBeNull();
      } else {
        expect(email.consent_timestamp).not.toBeNull();
      }
      for (const entry of email.suppression ?? []) {
        expect(['HARD_BOUNCE', 'INVALID_EMAIL', 'SPAM_COMPLAINT', 'UNSUBSCRIBE', 'USER_SUPPRESSED']).toContain(entry.reason);
      }
    }
  });

  it('gives about 10% suppressions and list suppressions, and both timestamp styles', () => {
    const suppressed = share((a) => (marketing(a)?.suppression ?? []).length > 0);
    const listSuppressed = share((a) => (marketing(a)?.list_suppressions ?? []).length > 0);
    expect(suppressed).toBeGreaterThan(0.06);
    expect(suppressed).toBeLessThan(0.15);
    expect(listSuppressed).toBeGreaterThan(0.06);
    expect(listSuppressed).toBeLessThan(0.15);
    const named = all.flatMap((a) => (marketing(a)?.list_suppressions ?? []).map((entry) => entry.list_id));
    expect(new Set(named)).toEqual(new Set(LIST_IDS));
    const consentTimes = all.flatMap((a) => marketing(a)?.consent_timestamp ?? []);
    expect(consentTimes.some((t) => KLAVIYO_MICROS.test(t))).toBe(true);
    expect(consentTimes.some((t) => KLAVIYO_SECONDS.test(t))).toBe(true);
    for (const time of consentTimes) expect(time).toMatch(/^(.{25}|.{32})$/);
  });

  it('leaves channels out or null now and then, and has WhatsApp for about a fifth', () => {
    expect(share((a) => !Object.hasOwn(a.subscriptions ?? {}, 'sms'))).toBeGreaterThan(0.05);
    expect(share((a) => a.subscriptions?.sms === null)).toBeGreaterThan(0.05);
    expect(share((a) => !Object.hasOwn(a.subscriptions ?? {}, 'mobile_push'))).toBeGreaterThan(0.2);
    const whatsapp = share((a) => a.subscriptions?.whatsapp != null);
    expect(whatsapp).toBeGreaterThan(0.15);
    expect(whatsapp).toBeLessThan(0.25);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toFilterDateTime } from '../../src/common/datetime.js';
import { ConfigError } from '../../src/common/errors.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { rangeFilter } from '../../src/engine/range-scheduler.js';
import type { ProfileResource } from '../../src/klaviyo/types.js';
import { toProfileConsentRecord } from '../../src/streams/profile-consent/map-record.js';
import { parseProfileConsentState } from '../../src/streams/profile-consent/state.js';
import { validateRecord } from '../helpers/record-validator.js';

// Properties over arbitrary input: whatever arrives, parsing either succeeds with a valid result or fails
// with a ConfigError a person can read, and mapping never produces a record the schema rejects.

const anyJson = fc.jsonValue({ maxDepth: 4 });
const isoLike = fc.oneof(
  fc.date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+00:00')),
  fc.date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => `${d.toISOString().slice(0, 19)}.123456+00:00`),
  fc.string(),
  fc.constant(null),
);

describe('config parsing', () => {
  it('never throws anything but a ConfigError, and never echoes the key in its message', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('api_key', 'start_date', 'base_url', 'page_size', 'concurrency', 'requests_per_second', 'lookback_seconds', 'consent_events', 'other'), anyJson), (raw) => {
        try {
          const settings = parseConfig(raw);
          expect(settings.pageSize).toBeGreaterThanOrEqual(1);
          expect(settings.pageSize).toBeLessThanOrEqual(100);
          expect(settings.baseUrl.startsWith('https://') || /^http:\/\/(localhost|127\.|\[::1\])/.test(settings.baseUrl)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          if (typeof raw.api_key === 'string' && raw.api_key.trim().length >= 8) expect((error as Error).message).not.toContain(raw.api_key.trim());
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('state parsing', () => {
  it('accepts only states whose instants are date-times, and returns them normalized to UTC with Z', () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, fc.record({ updated: isoLike, events_since: isoLike }, { requiredKeys: [] })), (raw) => {
        try {
          const state = parseProfileConsentState(raw, 'state');
          for (const key of ['updated', 'events_since'] as const) {
            if (state[key] !== undefined) expect(state[key]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('range filters', () => {
  it('adjacent ranges cover every whole second exactly once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (lo, a, b) => {
        const split = lo + a;
        const hi = split + b;
        const inRange = (filter: string | undefined, second: number) => {
          const gt = /greater-than\(updated,([^)]+)\)/.exec(filter ?? '')?.[1];
          const lt = /less-than\(updated,([^)]+)\)/.exec(filter ?? '')?.[1];
          return (gt === undefined || second * 1000 > Date.parse(gt)) && (lt === undefined || second * 1000 < Date.parse(lt));
        };
        const lower = rangeFilter({ lo, hi: split }, toFilterDateTime);
        const upper = rangeFilter({ lo: split, hi }, toFilterDateTime);
        for (const second of [lo - 1, lo, split - 1, split, hi - 1, hi]) {
          const hits = Number(inRange(lower, second)) + Number(inRange(upper, second));
          expect(hits, `second ${second}`).toBe(second >= lo && second < hi ? 1 : 0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('record mapping', () => {
  const channel = (fields: Record<string, fc.Arbitrary<unknown>>) => fc.option(fc.record(fields, { requiredKeys: [] }), { nil: undefined });
  const value = fc.oneof(fc.string(), fc.boolean(), fc.constant('True'), fc.constant('false'), fc.integer(), fc.constant(null));
  const profile = fc.record({
    id: fc.string({ minLength: 1, maxLength: 26 }),
    attributes: fc.record(
      {
        email: fc.oneof(fc.emailAddress(), fc.constant(null), fc.integer()),
        updated: isoLike,
        created: isoLike,
        subscriptions: fc.option(
          fc.record(
            {
              email: fc.option(fc.record({ marketing: channel({ consent: value, can_receive_email_marketing: value, double_optin: value, consent_timestamp: isoLike, suppression: fc.oneof(fc.array(fc.record({ reason: value, timestamp: isoLike })), fc.constant(null), fc.string()), list_suppressions: fc.oneof(fc.array(fc.record({ list_id: value, reason: value, timestamp: isoLike })), fc.constant(null)) }) }), { nil: null }),
              sms: fc.option(fc.record({ marketing: channel({ consent: value, can_receive_sms_marketing: value, last_updated: isoLike }), transactional: channel({ consent: value, can_receive_sms_transactional: value }) }), { nil: null }),
              mobile_push: fc.option(fc.record({ marketing: channel({ consent: value, can_receive_push_marketing: value, consent_timestamp: isoLike }) }), { nil: null }),
              whatsapp: fc.option(fc.record({ marketing: channel({ consent: value, can_receive: value, consent_timestamp: isoLike }) }), { nil: null }),
            },
            { requiredKeys: [] },
          ),
          { nil: null },
        ),
      },
      { requiredKeys: [] },
    ),
  });

  it('any profile-shaped input maps to a record the schema accepts, with nulls for absent channels', () => {
    fc.assert(
      fc.property(profile, (raw) => {
        const record = toProfileConsentRecord({ type: 'profile', ...raw } as ProfileResource);
        expect(validateRecord(record), JSON.stringify(validateRecord.errors)).toBe(true);
        if (!raw.attributes.subscriptions?.sms) expect(record.sms_can_receive_marketing).toBeNull();
      }),
      { numRuns: 400 },
    );
  });
});

import { parseDateTime } from '../common/datetime.js';
import { WRITE_CHANNELS, type Decision, type Identifiers, type Outcome, type WriteChannel, type WriteRequest } from './decisions.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/** Klaviyo refuses a consented_at before this (Bulk Subscribe reference). */
const EARLIEST_MS = Date.parse('1990-01-01T00:00:00Z');
/** A few minutes of clock skew between the brand's systems and ours is not "the future". */
const FUTURE_SLACK_MS = 5 * 60_000;

const IDENTIFIER_COLUMNS = ['id', 'email', 'phone_number', 'external_id'] as const;

/** Any column a record may carry that this side reads; a record with none of them says nothing to Klaviyo. */
export const KNOWN_COLUMNS = new Set<string>([
  ...IDENTIFIER_COLUMNS,
  ...Object.values(WRITE_CHANNELS).flatMap((c) => [c.column, c.time]),
  'email_suppressed',
  'consent_last_changed',
]);

/** An RFC 3339 instant in ms (fractions of a second kept to the ms), or undefined when it is not one. */
export function instantMs(text: string): number | undefined {
  const parsed = parseDateTime(text);
  if (!parsed) return undefined;
  return parsed.secondsMs + Math.floor(Number(`0.${parsed.fraction || '0'}`) * 1000);
}

export type ReadResult = { request: WriteRequest } | { rejected: Outcome };

/**
 * Reads one record shaped like profile_consent (any subset of its columns). Every problem names its column:
 * a record is never dropped silently, and one bad record never stops the run.
 */
export function readRecord(data: unknown, position: number, stream: string, nowMs: number): ReadResult {
  const reject = (reason: string, identifiers: Identifiers = {}): ReadResult => ({ rejected: { position, stream, identifiers, subject: undefined, outcome: 'rejected', reason } });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return reject('the record is not a JSON object');
  const record = data as Record<string, unknown>;
  if (!Object.keys(record).some((column) => KNOWN_COLUMNS.has(column))) {
    return reject(`no usable column: a record needs an identifier (${IDENTIFIER_COLUMNS.join(', ')}) and a decision (email_consent, sms_consent, email_suppressed, ...); it has ${Object.keys(record).slice(0, 8).join(', ') || 'no column'}`);
  }

  const identifiers: Identifiers = {};
  for (const column of IDENTIFIER_COLUMNS) {
    const value = record[column];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') return reject(`${column}: must be a string, got ${JSON.stringify(value)}`);
    identifiers[column] = value.trim();
  }
  if (Object.keys(identifiers).length === 0) return reject(`no identifier: give at least one of ${IDENTIFIER_COLUMNS.join(', ')}`);
  // Reasons reach the logs: they describe a bad value without repeating it (the report holds the record's identifiers).
  if (identifiers.email !== undefined && !EMAIL.test(identifiers.email)) return reject('email: not an email address (name@domain, no spaces)', identifiers);
  if (identifiers.phone_number !== undefined && !E164.test(identifiers.phone_number)) {
    return reject('phone_number: not in E.164 form (+ then the country code and number, no spaces, e.g. +14155550100)', identifiers);
  }

  const time = (column: string): { ms: number | undefined } | { problem: string } => {
    const value = record[column];
    if (value === undefined || value === null || value === '') return { ms: undefined };
    const ms = typeof value === 'string' ? instantMs(value) : undefined;
    if (ms === undefined) return { problem: `${column}: ${JSON.stringify(value)} is not a date-time (use RFC 3339, e.g. 2026-05-01T12:00:00Z)` };
    if (ms > nowMs + FUTURE_SLACK_MS) return { problem: `${column}: ${String(value)} is in the future; check the time zone the column is written in (RFC 3339 needs Z or an offset) and the clock of the system that wrote it` };
    if (ms < EARLIEST_MS) return { problem: `${column}: ${String(value)} is before 1990-01-01, which Klaviyo does not accept as a consent time` };
    return { ms };
  };
  const fallback = time('consent_last_changed');
  if ('problem' in fallback) return reject(fallback.problem, identifiers);

  const decisions: Decision[] = [];
  for (const [subject, channel] of Object.entries(WRITE_CHANNELS) as Array<[WriteChannel, (typeof WRITE_CHANNELS)[WriteChannel]]>) {
    const value = record[channel.column];
    if (value === undefined || value === null || value === 'NEVER_SUBSCRIBED') continue;
    if (value !== 'SUBSCRIBED' && value !== 'UNSUBSCRIBED') {
      return reject(`${channel.column}: ${JSON.stringify(value)} is not a consent decision; use SUBSCRIBED, UNSUBSCRIBED, or null for none`, identifiers);
    }
    const own = time(channel.time);
    if ('problem' in own) return reject(own.problem, identifiers);
    decisions.push({ subject, consent: value, atMs: own.ms ?? fallback.ms });
  }
  const suppressed = record['email_suppressed'];
  if (suppressed !== undefined && suppressed !== null) {
    if (typeof suppressed !== 'boolean') return reject(`email_suppressed: must be true, false or null, got ${JSON.stringify(suppressed)}`, identifiers);
    decisions.push({ subject: 'email_suppression', suppressed, atMs: fallback.ms });
  }
  return { request: { position, stream, identifiers, decisions } };
}

// Klaviyo sends `2024-03-05T10:11:12+00:00` and `2024-03-05T10:11:12.123456+00:00`; users and Meltano send
// dates, offsets and fractions. Everything leaving the connector is RFC 3339 UTC with `Z`, and fractional
// digits are kept as sent (JavaScript's Date would silently drop microseconds).

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

export interface ParsedDateTime {
  /** Whole-second instant in ms since the epoch. */
  secondsMs: number;
  /** Fractional digits after the point, trailing zeros removed ('' for none). */
  fraction: string;
}

export function parseDateTime(text: string): ParsedDateTime | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2024-02-31 over into March; a round trip catches impossible dates.
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return { secondsMs: local - offsetMinutes * 60_000, fraction: frac.slice(1).replace(/0+$/, '') };
}

export function formatDateTime(parsed: ParsedDateTime): string {
  const whole = new Date(parsed.secondsMs).toISOString().slice(0, 19);
  return parsed.fraction ? `${whole}.${parsed.fraction}Z` : `${whole}Z`;
}

// Klaviyo's own form, already UTC: `2024-03-05T10:11:12+00:00`, optionally with a fraction. This is the hot
// path (about 15 timestamps a profile, a quarter of the mapping's time when it used a regular expression),
// so it checks characters in place and allocates only the result; anything else goes through the full parser.

const ZERO = 48;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The value of `count` decimal digits at `at`, or -1 if any is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i += 1) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** `text` in Klaviyo's UTC form, as `...Z` with trailing fraction zeros dropped; undefined for any other form. */
function normalizeKlaviyoUtc(text: string): string | undefined {
  const length = text.length;
  if (length < 25 || !text.endsWith('+00:00')) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  // Years before 100 are left to the full parser, which refuses them (Date.UTC reads them as 19xx).
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] ?? 0)) return undefined;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (length === 25) return `${text.slice(0, 19)}Z`;
  // A fraction: `.` then at least one digit before the zone.
  const end = length - 6;
  if (text[19] !== '.' || end < 21 || digits(text, 20, end - 20) < 0) return undefined;
  let last = end;
  while (last > 20 && text.charCodeAt(last - 1) === ZERO) last -= 1;
  return last === 20 ? `${text.slice(0, 19)}Z` : `${text.slice(0, last)}Z`;
}

/** RFC 3339 UTC (`...Z`) for any parseable date-time, or undefined. */
export function normalizeDateTime(text: string): string | undefined {
  const fast = normalizeKlaviyoUtc(text);
  if (fast !== undefined) return fast;
  const parsed = parseDateTime(text);
  return parsed ? formatDateTime(parsed) : undefined;
}

/** Whole-second UTC date-time as Klaviyo's filters take it, unquoted: `2024-01-01T00:00:00Z`. */
export function toFilterDateTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Orders two date-times produced by normalizeDateTime, fraction included. Runs per timestamp: no slices. */
export function compareNormalized(a: string, b: string): number {
  // The whole seconds, `YYYY-MM-DDTHH:MM:SS`, are fixed-width.
  for (let i = 0; i < 19; i += 1) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  // Then the fraction digits (after `.`, before `Z`), the shorter one padded with zeros.
  const digitsA = a.length > 20 ? a.length - 21 : 0;
  const digitsB = b.length > 20 ? b.length - 21 : 0;
  for (let i = 0; i < Math.max(digitsA, digitsB); i += 1) {
    const d = (i < digitsA ? a.charCodeAt(20 + i) : ZERO) - (i < digitsB ? b.charCodeAt(20 + i) : ZERO);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

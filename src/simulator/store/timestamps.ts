// Klaviyo writes datetimes as `2024-03-05T10:11:12+00:00`, and consent timestamps sometimes with
// microseconds, `2024-03-05T10:11:12.123456+00:00`. Instants are kept as epoch milliseconds; the
// fractional part carries the microseconds so that two spellings of one instant compare equal.

/** `2024-03-05T10:11:12+00:00` for a whole-second epoch value. */
export function formatSeconds(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19)}+00:00`;
}

/** `2024-03-05T10:11:12.123456+00:00`. */
export function formatWithMicros(epochSeconds: number, micros: number): string {
  const base = new Date(epochSeconds * 1000).toISOString().slice(0, 19);
  return `${base}.${String(micros).padStart(6, '0')}+00:00`;
}

export function truncateToSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Epoch milliseconds (fractional for sub-millisecond digits) of an ISO 8601 / RFC 3339 datetime in
 * the forms Klaviyo accepts: `T` or space separator, optional seconds and fraction, `Z`, an offset
 * or no zone at all (read as UTC). Undefined when the text is not such a datetime.
 */
export function parseInstant(text: string): number | undefined {
  const match = DATETIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wholeMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March; a real calendar date must survive the round trip.
  if (new Date(wholeMs).getUTCDate() !== day) return undefined;
  const offsetMinutes = parseOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  const fractionMs = fraction === '' ? 0 : Number(`0.${fraction}`) * 1000;
  return wholeMs - offsetMinutes * 60_000 + fractionMs;
}

function parseOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

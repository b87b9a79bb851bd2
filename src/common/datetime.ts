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

// Klaviyo's own form, already UTC: only the zone needs rewriting. This is the hot path (about 15 timestamps a
// profile), so it avoids Date entirely; anything else goes through the full parser.
const KLAVIYO_UTC = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?\+00:00$/;

/** RFC 3339 UTC (`...Z`) for any parseable date-time, or undefined. */
export function normalizeDateTime(text: string): string | undefined {
  const fast = KLAVIYO_UTC.exec(text);
  // Day 29-31 of a short month falls through to the full parser, which checks the calendar.
  if (fast && (fast[2] ?? '00') <= '28') {
    const fraction = fast[4];
    if (!fraction) return `${text.slice(0, 19)}Z`;
    const trimmed = fraction.replace(/0+$/, '');
    return trimmed === '.' ? `${text.slice(0, 19)}Z` : `${text.slice(0, 19)}${trimmed}Z`;
  }
  const parsed = parseDateTime(text);
  return parsed ? formatDateTime(parsed) : undefined;
}

/** Whole-second UTC date-time as Klaviyo's filters take it, unquoted: `2024-01-01T00:00:00Z`. */
export function toFilterDateTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Orders two date-times produced by normalizeDateTime, fraction included. */
export function compareNormalized(a: string, b: string): number {
  const wholeA = a.slice(0, 19);
  const wholeB = b.slice(0, 19);
  if (wholeA !== wholeB) return wholeA < wholeB ? -1 : 1;
  const fracA = a.length > 20 ? a.slice(20, -1) : '';
  const fracB = b.length > 20 ? b.slice(20, -1) : '';
  const width = Math.max(fracA.length, fracB.length);
  const padA = fracA.padEnd(width, '0');
  const padB = fracB.padEnd(width, '0');
  return padA === padB ? 0 : padA < padB ? -1 : 1;
}

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as datetime from '../../src/common/datetime.js';
import { compareNormalized, normalizeDateTime, toFilterDateTime } from '../../src/common/datetime.js';

describe('normalizeDateTime', () => {
  it.each([
    ['2024-03-05T10:11:12+00:00', '2024-03-05T10:11:12Z'],
    ['2024-03-05T10:11:12.123456+00:00', '2024-03-05T10:11:12.123456Z'],
    ['2024-03-05T10:11:12.120000+00:00', '2024-03-05T10:11:12.12Z'],
    ['2024-03-05T12:11:12+02:00', '2024-03-05T10:11:12Z'],
    ['2024-03-05T00:30:00-05:30', '2024-03-05T06:00:00Z'],
    ['2024-03-05', '2024-03-05T00:00:00Z'],
    ['2024-03-05 10:11', '2024-03-05T10:11:00Z'],
    ['2024-03-05T10:11:12z', '2024-03-05T10:11:12Z'],
  ])('%s -> %s', (input, output) => {
    expect(normalizeDateTime(input)).toBe(output);
  });

  it.each(['', 'yesterday', '2024-02-30', '2024-13-01', '2024-03-05T25:00:00Z', '2024-03-05T10:11:12+25:00', '03/05/2024'])('rejects %j', (input) => {
    expect(normalizeDateTime(input)).toBeUndefined();
  });
});

describe('compareNormalized', () => {
  it('orders by instant, fractions included', () => {
    const values = ['2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.25Z', '2023-12-31T23:59:59.999999Z'];
    expect([...values].sort(compareNormalized)).toEqual(['2023-12-31T23:59:59.999999Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.25Z', '2024-01-01T00:00:00.5Z']);
    expect(compareNormalized('2024-01-01T00:00:00.50Z', '2024-01-01T00:00:00.5Z')).toBe(0);
  });
});

describe('toFilterDateTime', () => {
  it('floors to whole seconds in the unquoted form Klaviyo filters take', () => {
    expect(toFilterDateTime(Date.parse('2024-01-01T00:00:01.999Z'))).toBe('2024-01-01T00:00:01Z');
  });
});

describe('normalizeDateTime fast path agrees with the full parser', () => {
  it.each(['2024-02-29T10:11:12+00:00', '2023-02-29T10:11:12+00:00', '2024-04-31T00:00:00+00:00', '2024-12-31T23:59:59.000000+00:00', '2024-01-01T00:00:00.100+00:00', '2024-01-01T24:00:00+00:00'])('%s', (input) => {
    const viaParser = (() => {
      const { parseDateTime, formatDateTime } = datetime;
      const parsed = parseDateTime(input);
      return parsed ? formatDateTime(parsed) : undefined;
    })();
    expect(normalizeDateTime(input)).toBe(viaParser);
  });
});

describe('the hot paths agree with the full parser on any Klaviyo timestamp', () => {
  const klaviyoTimestamp = fc
    .record({
      year: fc.oneof(fc.integer({ min: 1900, max: 2400 }), fc.integer({ min: 0, max: 9999 })),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      hour: fc.integer({ min: 0, max: 24 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 60 }),
      fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
    })
    .map(({ year, month, day, hour, minute, second, fraction }) => {
      const two = (n: number) => String(n).padStart(2, '0');
      return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${fraction === undefined ? '' : `.${fraction}`}+00:00`;
    });
  const viaParser = (input: string) => {
    const parsed = datetime.parseDateTime(input);
    return parsed ? datetime.formatDateTime(parsed) : undefined;
  };

  it('normalizeDateTime, impossible dates (Feb 29 of 1900, day 31 of April) included', () => {
    fc.assert(fc.property(klaviyoTimestamp, (input) => normalizeDateTime(input) === viaParser(input)), { numRuns: 2000 });
  });

  it('compareNormalized orders as the instants do', () => {
    const instant = (normalized: string) => {
      const fraction = normalized.length > 20 ? normalized.slice(20, -1) : '';
      return [Date.parse(`${normalized.slice(0, 19)}Z`), Number(`0.${fraction || '0'}`)] as const;
    };
    fc.assert(
      fc.property(klaviyoTimestamp, klaviyoTimestamp, (x, y) => {
        const a = normalizeDateTime(x);
        const b = normalizeDateTime(y);
        if (a === undefined || b === undefined) return true;
        const [secondsA, fractionA] = instant(a);
        const [secondsB, fractionB] = instant(b);
        const expected = secondsA !== secondsB ? Math.sign(secondsA - secondsB) : Math.sign(fractionA - fractionB);
        return compareNormalized(a, b) === expected;
      }),
      { numRuns: 2000 },
    );
  });
});

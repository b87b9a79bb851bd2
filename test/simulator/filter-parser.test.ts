import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/simulator/rules/filter-parser.js';
import { QueryError } from '../../src/simulator/rules/query-error.js';
import { parseInstant } from '../../src/simulator/store/timestamps.js';

const detailOf = (filter: string): string => {
  try {
    parseFilter(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).parameter).toBe('filter');
    return (error as QueryError).detail;
  }
  throw new Error(`expected ${filter} to be rejected`);
};

describe('parseFilter', () => {
  it('parses single, comma-joined and and() expressions into one flat list', () => {
    const at = Date.UTC(2024, 0, 1);
    expect(parseFilter('greater-than(updated,2024-01-01T00:00:00Z)')).toEqual([
      { kind: 'range', field: 'updated', operator: 'greater-than', instant: at },
    ]);
    const expected = [
      { kind: 'range', field: 'updated', operator: 'greater-than', instant: at },
      { kind: 'match', field: 'email', values: ['a@example.com'] },
    ];
    expect(parseFilter("greater-than(updated,2024-01-01T00:00:00Z),equals(email,'a@example.com')")).toEqual(expected);
    expect(parseFilter("and(greater-than(updated,2024-01-01T00:00:00Z),equals(email,\"a@example.com\"))")).toEqual(expected);
  });

  it('reads lists, both quote styles and escaped quotes', () => {
    expect(parseFilter(`any(id,["A", 'B'])`)).toEqual([{ kind: 'match', field: 'id', values: ['A', 'B'] }]);
    expect(parseFilter(`equals(external_id,'O\\'Brien')`)).toEqual([{ kind: 'match', field: 'external_id', values: ["O'Brien"] }]);
    expect(parseFilter(`equals(_kx,'x')`)).toEqual([{ kind: 'none', field: '_kx' }]);
  });

  it('accepts the datetime spellings Klaviyo documents, as instants', () => {
    const at = Date.UTC(2024, 2, 5, 10, 11, 12);
    for (const text of ['2024-03-05T10:11:12Z', '2024-03-05T10:11:12+00:00', '2024-03-05T12:11:12+02:00', '2024-03-05T10:11:12', '2024-03-05 10:11:12Z']) {
      expect(parseFilter(`less-than(created,${text})`), text).toEqual([{ kind: 'range', field: 'created', operator: 'less-than', instant: at }]);
    }
    expect(parseInstant('2024-03-05T10:11:12.123456+00:00')).toBeCloseTo(at + 123.456, 6);
    expect(parseInstant('2024-03-05T10:11:12.123456+00:00')).toBe(parseInstant('2024-03-05T10:11:12.1234560Z'));
    expect(parseInstant('2024-02-30T00:00:00Z')).toBeUndefined();
  });

  it('names the problem in the error detail', () => {
    expect(detailOf("equals(first_name,'x')")).toContain("'first_name' is not a valid field");
    expect(detailOf("greater-than(updated,'2024-01-01T00:00:00Z')")).toContain('must not be quoted');
    expect(detailOf('greater-or-equal(updated,2024-01-01T00:00:00Z)')).toContain("'greater-or-equal'");
    expect(detailOf("starts-with(email,'a')")).toContain('not supported');
    expect(detailOf("frobnicate(email,'a')")).toContain('not a valid filter operator');
    expect(detailOf('equals(email,42)')).toContain('quoted strings');
    expect(detailOf('greater-than(updated,2024-13-01T00:00:00Z)')).toContain('not a valid datetime');
    expect(detailOf("equals(email,'unterminated)")).toContain('not closed');
    expect(detailOf('any(id,[])')).toContain('empty');
  });
});

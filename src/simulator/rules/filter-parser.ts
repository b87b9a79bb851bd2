import { FILTER_FIELDS, type FilterField, type FilterFieldRule, type FilterOperator } from './api-contract.js';
import { QueryError } from './query-error.js';
import { parseInstant } from '../store/timestamps.js';

export type RangeOperator = 'greater-than' | 'greater-or-equal' | 'less-than' | 'less-or-equal';

/** Whether an instant (ms) satisfies a range condition's operator against its bound (ms). */
export function satisfiesRange(instant: number, operator: RangeOperator, bound: number): boolean {
  switch (operator) {
    case 'greater-than':
      return instant > bound;
    case 'greater-or-equal':
      return instant >= bound;
    case 'less-than':
      return instant < bound;
    case 'less-or-equal':
      return instant <= bound;
  }
}

/** One test a resource must pass; a filter is a list of these, all of which must hold. */
export type FilterCondition<F extends string = FilterField> =
  | { kind: 'match'; field: F; values: readonly string[] }
  /** `instant` is epoch ms, also for number fields such as an event's `timestamp` (given in seconds). */
  | { kind: 'range'; field: F; operator: RangeOperator; instant: number }
  /** `has(profile)`: the resource has that relationship. */
  | { kind: 'has'; field: F }
  /** `_kx` identifies a visitor by an exchange id this simulator never issues, so it matches nobody. */
  | { kind: 'none'; field: '_kx' };

/** The fields one endpoint's `filter` accepts (its `x-klaviyo-filters`), and the resource named in errors. */
export interface FilterVocabulary<F extends string> {
  resource: string;
  fields: Readonly<Record<F, FilterFieldRule>>;
}

const PROFILE_VOCABULARY: FilterVocabulary<FilterField> = { resource: 'profile', fields: FILTER_FIELDS };

// Operators of Klaviyo's filter language that an endpoint does not allow on any field; naming
// them separately gives "not allowed" instead of "unknown" as the error.
const OTHER_OPERATORS = new Set(['not', 'has', 'contains', 'contains-any', 'contains-all', 'starts-with', 'ends-with']);
const ALL_FIELD_OPERATORS = new Set<string>(['any', 'equals', 'greater-than', 'greater-or-equal', 'less-than', 'less-or-equal']);

type Value =
  | { kind: 'string'; text: string }
  | { kind: 'datetime'; text: string; instant: number }
  | { kind: 'number'; text: string }
  | { kind: 'literal'; text: 'true' | 'false' | 'null' }
  | { kind: 'list'; items: Value[] };

const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const DATETIME = /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?/y;
const NUMBER = /-?\d+(?:\.\d+)?/y;

/**
 * Parses Klaviyo's filter syntax for GET /api/profiles: `op(field,value)` expressions joined by
 * top-level commas or `and(...)`. Throws a QueryError (400, parameter `filter`) for anything Klaviyo would reject.
 */
export function parseFilter(text: string): FilterCondition[] {
  return new FilterParser(text, PROFILE_VOCABULARY).parse();
}

/** parseFilter for another endpoint's fields. */
export function parseFilterWith<F extends string>(text: string, vocabulary: FilterVocabulary<F>): FilterCondition<F>[] {
  return new FilterParser(text, vocabulary).parse();
}

class FilterParser<F extends string> {
  private pos = 0;
  /** Operators this endpoint allows without a value, e.g. `has`. */
  private readonly valueless: ReadonlySet<string>;

  constructor(
    private readonly text: string,
    private readonly vocabulary: FilterVocabulary<F>,
  ) {
    const rules: FilterFieldRule[] = Object.values(vocabulary.fields);
    this.valueless = new Set(rules.flatMap((rule) => rule.none ?? []));
  }

  parse(): FilterCondition<F>[] {
    if (this.text.trim() === '') this.fail('The filter is empty.');
    const conditions = this.expressionList();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`Unexpected '${this.text.charAt(this.pos)}' at position ${this.pos}.`);
    return conditions;
  }

  private expressionList(): FilterCondition<F>[] {
    const conditions = this.expression();
    while (this.eat(',')) conditions.push(...this.expression());
    return conditions;
  }

  private expression(): FilterCondition<F>[] {
    const operator = this.name('an operator such as equals or greater-than');
    this.expect('(');
    if (operator === 'and') {
      const conditions = this.expressionList();
      this.expect(')');
      return conditions;
    }
    const valueless = this.valueless.has(operator);
    if (operator === 'or' || (OTHER_OPERATORS.has(operator) && !valueless)) {
      this.fail(`The operator '${operator}' is not supported by this endpoint.`);
    }
    if (!ALL_FIELD_OPERATORS.has(operator) && !valueless) this.fail(`'${operator}' is not a valid filter operator.`);
    const field = this.name('a field name');
    if (valueless && this.eat(')')) return [this.valuelessCondition(operator as FilterOperator, field)];
    this.expect(',');
    const value = this.value();
    this.expect(')');
    return [this.condition(operator as FilterOperator, field, value)];
  }

  private rule(field: string): FilterFieldRule {
    if (!Object.hasOwn(this.vocabulary.fields, field)) {
      this.fail(`'${field}' is not a valid field for the resource '${this.vocabulary.resource}'.`);
    }
    return this.vocabulary.fields[field as F];
  }

  private valuelessCondition(operator: FilterOperator, field: string): FilterCondition<F> {
    const rule = this.rule(field);
    if (!(rule.none ?? []).includes(operator)) this.fail(`'${operator}' without a value is not allowed on field '${field}'.`);
    return { kind: 'has', field: field as F };
  }

  private condition(operator: FilterOperator, field: string, value: Value): FilterCondition<F> {
    const rule = this.rule(field);
    const isList = value.kind === 'list';
    const allowed: readonly FilterOperator[] = isList ? rule.list : rule.single;
    if (!allowed.includes(operator)) {
      const options = [
        ...rule.single.map((op) => `${op}(${field},value)`),
        ...rule.list.map((op) => `${op}(${field},[values])`),
        ...(rule.none ?? []).map((op) => `${op}(${field})`),
      ];
      this.fail(`'${operator}' with ${isList ? 'a list' : 'a single value'} is not allowed on field '${field}'. Allowed: ${options.join(', ')}.`);
    }
    if (rule.valueType === 'date-time') {
      if (value.kind === 'string' && parseInstant(value.text) !== undefined) {
        this.fail(`Datetime values in filters must not be quoted: use ${operator}(${field},${value.text}).`);
      }
      if (value.kind !== 'datetime') this.fail(`'${field}' must be compared with a datetime like 2024-01-01T00:00:00Z.`);
      return { kind: 'range', field: field as F, operator: operator as RangeOperator, instant: value.instant };
    }
    if (rule.valueType === 'number') {
      if (value.kind === 'string' && /^-?\d+(\.\d+)?$/.test(value.text)) {
        this.fail(`Numbers in filters must not be quoted: use ${operator}(${field},${value.text}).`);
      }
      if (value.kind !== 'number') this.fail(`'${field}' must be compared with a number like 1700000000.`);
      return { kind: 'range', field: field as F, operator: operator as RangeOperator, instant: Number(value.text) * 1000 };
    }
    const items = value.kind === 'list' ? value.items : [value];
    if (items.length === 0) this.fail(`The list given to '${operator}' on '${field}' is empty.`);
    const values = items.map((item) => {
      if (item.kind !== 'string') this.fail(`'${field}' takes quoted strings, got ${describe(item)}.`);
      return item.text;
    });
    if (field === '_kx') return { kind: 'none', field };
    return { kind: 'match', field: field as F, values };
  }

  private value(): Value {
    this.skipSpace();
    const char = this.text.charAt(this.pos);
    if (char === '[') {
      this.pos++;
      const items: Value[] = [];
      if (!this.eat(']')) {
        do items.push(this.value());
        while (this.eat(','));
        this.expect(']');
      }
      return { kind: 'list', items };
    }
    if (char === "'" || char === '"') return { kind: 'string', text: this.quoted(char) };
    const datetime = this.sticky(DATETIME);
    if (datetime !== undefined) {
      const instant = parseInstant(datetime);
      if (instant === undefined) this.fail(`'${datetime}' is not a valid datetime.`);
      return { kind: 'datetime', text: datetime, instant };
    }
    const number = this.sticky(NUMBER);
    if (number !== undefined) return { kind: 'number', text: number };
    const word = this.sticky(NAME);
    if (word === 'true' || word === 'false' || word === 'null') return { kind: 'literal', text: word };
    this.fail(word === undefined ? `Expected a value at position ${this.pos}.` : `'${word}' is not a valid value; quote strings.`);
  }

  private quoted(quote: string): string {
    let text = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const char = this.text.charAt(this.pos++);
      if (char === quote) return text;
      if (char === '\\' && this.pos < this.text.length) text += this.text.charAt(this.pos++);
      else text += char;
    }
    this.fail('A quoted string is not closed.');
  }

  private name(what: string): string {
    const name = this.sticky(NAME);
    if (name === undefined) this.fail(`Expected ${what} at position ${this.pos}.`);
    return name;
  }

  private sticky(pattern: RegExp): string | undefined {
    this.skipSpace();
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (!match) return undefined;
    this.pos = pattern.lastIndex;
    return match[0];
  }

  private eat(char: string): boolean {
    this.skipSpace();
    if (this.text.charAt(this.pos) !== char) return false;
    this.pos++;
    return true;
  }

  private expect(char: string): void {
    if (!this.eat(char)) {
      const found = this.pos < this.text.length ? `'${this.text.charAt(this.pos)}'` : 'the end';
      this.fail(`Expected '${char}' at position ${this.pos} but found ${found}.`);
    }
  }

  private skipSpace(): void {
    while (this.text.charAt(this.pos) === ' ') this.pos++;
  }

  private fail(reason: string): never {
    throw new QueryError('filter', `Invalid filter: ${reason}`);
  }
}

function describe(value: Value): string {
  if (value.kind === 'list') return 'a list';
  return value.text;
}

import { FILTER_FIELDS, isFilterField, type FilterField, type FilterOperator } from './api-contract.js';
import { QueryError } from './query-error.js';
import { parseInstant } from './timestamps.js';

export type RangeOperator = 'greater-than' | 'greater-or-equal' | 'less-than' | 'less-or-equal';

/** One test a profile must pass; a filter is a list of these, all of which must hold. */
export type FilterCondition =
  | { kind: 'match'; field: FilterField; values: readonly string[] }
  | { kind: 'range'; field: FilterField; operator: RangeOperator; instant: number }
  /** `_kx` identifies a visitor by an exchange id this simulator never issues, so it matches nobody. */
  | { kind: 'none'; field: '_kx' };

// Operators of Klaviyo's filter language that GET /api/profiles does not allow on any field; naming
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
 * Parses Klaviyo's filter syntax: `op(field,value)` expressions joined by top-level commas or
 * `and(...)`. Throws a QueryError (400, parameter `filter`) for anything Klaviyo would reject.
 */
export function parseFilter(text: string): FilterCondition[] {
  return new FilterParser(text).parse();
}

class FilterParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): FilterCondition[] {
    if (this.text.trim() === '') this.fail('The filter is empty.');
    const conditions = this.expressionList();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`Unexpected '${this.text.charAt(this.pos)}' at position ${this.pos}.`);
    return conditions;
  }

  private expressionList(): FilterCondition[] {
    const conditions = this.expression();
    while (this.eat(',')) conditions.push(...this.expression());
    return conditions;
  }

  private expression(): FilterCondition[] {
    const operator = this.name('an operator such as equals or greater-than');
    this.expect('(');
    if (operator === 'and') {
      const conditions = this.expressionList();
      this.expect(')');
      return conditions;
    }
    if (operator === 'or' || OTHER_OPERATORS.has(operator)) {
      this.fail(`The operator '${operator}' is not supported by this endpoint.`);
    }
    if (!ALL_FIELD_OPERATORS.has(operator)) this.fail(`'${operator}' is not a valid filter operator.`);
    const field = this.name('a field name');
    this.expect(',');
    const value = this.value();
    this.expect(')');
    return [this.condition(operator as FilterOperator, field, value)];
  }

  private condition(operator: FilterOperator, field: string, value: Value): FilterCondition {
    if (!isFilterField(field)) this.fail(`'${field}' is not a valid field for the resource 'profile'.`);
    const rule = FILTER_FIELDS[field];
    const isList = value.kind === 'list';
    const allowed: readonly FilterOperator[] = isList ? rule.list : rule.single;
    if (!allowed.includes(operator)) {
      const options = [...rule.single.map((op) => `${op}(${field},value)`), ...rule.list.map((op) => `${op}(${field},[values])`)];
      this.fail(`'${operator}' with ${isList ? 'a list' : 'a single value'} is not allowed on field '${field}'. Allowed: ${options.join(', ')}.`);
    }
    if (rule.valueType === 'date-time') {
      if (value.kind === 'string' && parseInstant(value.text) !== undefined) {
        this.fail(`Datetime values in filters must not be quoted: use ${operator}(${field},${value.text}).`);
      }
      if (value.kind !== 'datetime') this.fail(`'${field}' must be compared with a datetime like 2024-01-01T00:00:00Z.`);
      return { kind: 'range', field, operator: operator as RangeOperator, instant: value.instant };
    }
    const items = value.kind === 'list' ? value.items : [value];
    if (items.length === 0) this.fail(`The list given to '${operator}' on '${field}' is empty.`);
    const values = items.map((item) => {
      if (item.kind !== 'string') this.fail(`'${field}' takes quoted strings, got ${describe(item)}.`);
      return item.text;
    });
    if (field === '_kx') return { kind: 'none', field };
    return { kind: 'match', field, values };
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

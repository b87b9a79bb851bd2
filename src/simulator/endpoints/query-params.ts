import { InvalidCursorError } from '../rules/cursor.js';
import { QueryError } from '../rules/query-error.js';

/** Query parameter name -> the values it allows (undefined: free text). */
export type ParameterRules = Readonly<Record<string, readonly string[] | undefined>>;

/** Every parameter of the query, each given at most once and known to the operation. */
export function collectParameters(params: URLSearchParams, rules: ParameterRules, operation: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of params) {
    if (!Object.hasOwn(rules, name)) throw new QueryError(name, `'${name}' is not a valid query parameter for ${operation}.`);
    if (values.has(name)) throw new QueryError(name, `'${name}' was given more than once.`);
    values.set(name, value);
  }
  return values;
}

/** The comma-separated enum lists (sparse fieldsets, include, additional fields) among `values`; `sort` is left to the caller. */
export function parseListParameters(values: ReadonlyMap<string, string>, rules: ParameterRules): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const [name, allowed] of Object.entries(rules)) {
    const raw = values.get(name);
    if (allowed === undefined || raw === undefined || name === 'sort') continue;
    lists.set(name, parseList(name, raw, allowed));
  }
  return lists;
}

export function parsePageSize(raw: string | undefined, defaultSize: number, maxSize: number): number {
  if (raw === undefined) return defaultSize;
  const size = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(size >= 1 && size <= maxSize)) {
    throw new QueryError('page[size]', `page[size] must be an integer between 1 and ${maxSize}, got '${raw}'.`);
  }
  return size;
}

export function checkedCursor(raw: string | undefined): string | undefined {
  if (raw === '') throw new InvalidCursorError('it is empty');
  return raw;
}

function parseList(name: string, raw: string, allowed: readonly string[]): string[] {
  const items = raw.split(',');
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new QueryError(name, `'${item}' is not a valid value for '${name}'. Valid values: ${allowed.join(', ')}.`);
    }
  }
  return items;
}

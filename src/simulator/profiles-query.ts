import {
  ADDITIONAL_FIELDS,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  QUERY_PARAMETERS,
  SORT_VALUES,
  type SortField,
} from './api-contract.js';
import { decodeCursor, type CursorPosition } from './cursor.js';
import { parseFilter, type FilterCondition } from './filter-parser.js';
import { QueryError } from './query-error.js';

export type AdditionalField = (typeof ADDITIONAL_FIELDS)[number];

export interface ProfilesQuery {
  /** The `sort` value as given, e.g. `-updated`. */
  sort: string;
  sortField: SortField;
  descending: boolean;
  pageSize: number;
  cursor: string | undefined;
  conditions: FilterCondition[];
  additionalFields: ReadonlySet<AdditionalField>;
  /** `fields[profile]`, when given. */
  profileFields: readonly string[] | undefined;
  include: readonly string[];
}

/** Validates the query string of GET /api/profiles. Throws QueryError (400) naming the parameter. */
export function parseProfilesQuery(params: URLSearchParams): ProfilesQuery {
  const values = new Map<string, string>();
  for (const [name, value] of params) {
    if (!Object.hasOwn(QUERY_PARAMETERS, name)) {
      throw new QueryError(name, `'${name}' is not a valid query parameter for GET /api/profiles.`);
    }
    if (values.has(name)) throw new QueryError(name, `'${name}' was given more than once.`);
    values.set(name, value);
  }

  const pageSize = parsePageSize(values.get('page[size]'));
  const sort = values.get('sort') ?? 'id';
  if (!SORT_VALUES.includes(sort)) {
    throw new QueryError('sort', `'${sort}' is not a valid sort value. Valid values: ${SORT_VALUES.join(', ')}.`);
  }
  const descending = sort.startsWith('-');
  const sortField = (descending ? sort.slice(1) : sort) as SortField;

  const lists = new Map<string, string[]>();
  for (const [name, allowed] of Object.entries(QUERY_PARAMETERS)) {
    const raw = values.get(name);
    if (allowed === undefined || raw === undefined || name === 'sort') continue;
    lists.set(name, parseList(name, raw, allowed));
  }

  const filter = values.get('filter');
  const cursor = values.get('page[cursor]');
  if (cursor === '') throw new QueryError('page[cursor]', 'Invalid page cursor: it is empty.');
  return {
    sort,
    sortField,
    descending,
    pageSize,
    cursor,
    conditions: filter === undefined ? [] : parseFilter(filter),
    additionalFields: new Set((lists.get('additional-fields[profile]') ?? []) as AdditionalField[]),
    profileFields: lists.get('fields[profile]'),
    include: lists.get('include') ?? [],
  };
}

/** Decodes the query's cursor for an order whose keys are of `keyType`. */
export function cursorOf(query: ProfilesQuery, keyType: 'number' | 'string'): CursorPosition | undefined {
  return query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort, keyType);
}

function parsePageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const size = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw new QueryError('page[size]', `page[size] must be an integer between 1 and ${MAX_PAGE_SIZE}, got '${raw}'.`);
  }
  return size;
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

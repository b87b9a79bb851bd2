import {
  ADDITIONAL_FIELDS,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  QUERY_PARAMETERS,
  SORT_VALUES,
  type SortField,
} from '../rules/api-contract.js';
import { decodeCursor, type CursorPolicy, type CursorPosition } from '../rules/cursor.js';
import { parseFilter, type FilterCondition } from '../rules/filter-parser.js';
import { QueryError } from '../rules/query-error.js';
import { checkSuppressionRules } from '../rules/suppression-filters.js';
import { checkedCursor, collectParameters, parseListParameters, parsePageSize } from './query-params.js';

/** For queries parsed outside a request (included profiles), where no cursor is read. */
const NO_EXPIRY: CursorPolicy = { epoch: 0, nowMs: 0, maxAgeMs: undefined };

export type AdditionalField = (typeof ADDITIONAL_FIELDS)[number];

export interface ProfilesQuery {
  /** The `sort` value as given, e.g. `-updated`. */
  sort: string;
  sortField: SortField;
  descending: boolean;
  pageSize: number;
  cursor: string | undefined;
  /** Which cursors are still valid (see rules/cursor.ts). */
  cursorPolicy: CursorPolicy;
  conditions: FilterCondition[];
  additionalFields: ReadonlySet<AdditionalField>;
  /** `fields[profile]`, when given. */
  profileFields: readonly string[] | undefined;
  include: readonly string[];
}

/** Validates the query string of GET /api/profiles. Throws QueryError (400) naming the parameter. */
export function parseProfilesQuery(params: URLSearchParams, cursorPolicy: CursorPolicy = NO_EXPIRY): ProfilesQuery {
  const values = collectParameters(params, QUERY_PARAMETERS, 'GET /api/profiles');
  const pageSize = parsePageSize(values.get('page[size]'), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const sort = values.get('sort') ?? 'id';
  if (!SORT_VALUES.includes(sort)) {
    throw new QueryError('sort', `'${sort}' is not a valid sort value. Valid values: ${SORT_VALUES.join(', ')}.`);
  }
  const descending = sort.startsWith('-');
  const sortField = (descending ? sort.slice(1) : sort) as SortField;
  const lists = parseListParameters(values, QUERY_PARAMETERS);
  const filter = values.get('filter');
  const cursor = checkedCursor(values.get('page[cursor]'));
  const conditions = filter === undefined ? [] : parseFilter(filter);
  checkSuppressionRules(conditions, sort);
  return {
    sort,
    sortField,
    descending,
    pageSize,
    cursor,
    cursorPolicy,
    conditions,
    additionalFields: new Set((lists.get('additional-fields[profile]') ?? []) as AdditionalField[]),
    profileFields: lists.get('fields[profile]'),
    include: lists.get('include') ?? [],
  };
}

/** Decodes the query's cursor for an order whose keys are of `keyType`. */
export function cursorOf(query: ProfilesQuery, keyType: 'number' | 'string'): CursorPosition | undefined {
  return query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort, keyType, query.cursorPolicy);
}

import { decodeCursor, type CursorPolicy, type CursorPosition } from '../rules/cursor.js';
import { EVENTS_PAGE_SIZE_SINCE, revisionAtLeast } from '../rules/revisions.js';
import {
  EVENTS_DEFAULT_PAGE_SIZE,
  EVENTS_DEFAULT_SORT,
  EVENTS_FILTER_FIELDS,
  EVENTS_MAX_PAGE_SIZE,
  EVENTS_QUERY_PARAMETERS,
  EVENTS_SORT_VALUES,
  type EventsFilterField,
} from '../rules/events-contract.js';
import { parseFilterWith, type FilterCondition } from '../rules/filter-parser.js';
import { QueryError } from '../rules/query-error.js';
import { checkedCursor, collectParameters, parseListParameters, parsePageSize } from './query-params.js';

export interface EventsQuery {
  /** The effective sort, e.g. `-datetime`; `datetime` and `timestamp` order alike. */
  sort: string;
  descending: boolean;
  pageSize: number;
  after: CursorPosition | undefined;
  conditions: FilterCondition<EventsFilterField>[];
  eventFields: readonly string[] | undefined;
  metricFields: readonly string[] | undefined;
  profileFields: readonly string[] | undefined;
  include: readonly string[];
}

/**
 * Validates the query string of GET /api/events. Throws QueryError (400) naming the parameter. `page[size]`
 * exists from revision 2026-01-15 (klaviyo-rules.md); earlier revisions refuse it as unknown and page by 200.
 */
export function parseEventsQuery(params: URLSearchParams, cursors: CursorPolicy, revision: string): EventsQuery {
  const values = collectParameters(params, EVENTS_QUERY_PARAMETERS, 'GET /api/events');
  if (values.has('page[size]') && !revisionAtLeast(revision, EVENTS_PAGE_SIZE_SINCE)) {
    throw new QueryError('page[size]', `'page[size]' is not a valid query parameter for GET /api/events in revision ${revision}; it exists from revision ${EVENTS_PAGE_SIZE_SINCE}.`);
  }
  const pageSize = parsePageSize(values.get('page[size]'), EVENTS_DEFAULT_PAGE_SIZE, EVENTS_MAX_PAGE_SIZE);
  const sort = values.get('sort') ?? EVENTS_DEFAULT_SORT;
  if (!EVENTS_SORT_VALUES.includes(sort)) {
    throw new QueryError('sort', `'${sort}' is not a valid sort value. Valid values: ${EVENTS_SORT_VALUES.join(', ')}.`);
  }
  const lists = parseListParameters(values, EVENTS_QUERY_PARAMETERS);
  const filter = values.get('filter');
  const cursor = checkedCursor(values.get('page[cursor]'));
  return {
    sort,
    descending: sort.startsWith('-'),
    pageSize,
    after: cursor === undefined ? undefined : decodeCursor(cursor, sort, 'number', cursors),
    conditions: filter === undefined ? [] : parseFilterWith(filter, { resource: 'event', fields: EVENTS_FILTER_FIELDS }),
    eventFields: lists.get('fields[event]'),
    metricFields: lists.get('fields[metric]'),
    profileFields: lists.get('fields[profile]'),
    include: lists.get('include') ?? [],
  };
}

import { decodeCursor, type CursorPosition } from '../rules/cursor.js';
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

/** Validates the query string of GET /api/events. Throws QueryError (400) naming the parameter. */
export function parseEventsQuery(params: URLSearchParams, cursorEpoch = 0): EventsQuery {
  const values = collectParameters(params, EVENTS_QUERY_PARAMETERS, 'GET /api/events');
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
    after: cursor === undefined ? undefined : decodeCursor(cursor, sort, 'number', cursorEpoch),
    conditions: filter === undefined ? [] : parseFilterWith(filter, { resource: 'event', fields: EVENTS_FILTER_FIELDS }),
    eventFields: lists.get('fields[event]'),
    metricFields: lists.get('fields[metric]'),
    profileFields: lists.get('fields[profile]'),
    include: lists.get('include') ?? [],
  };
}

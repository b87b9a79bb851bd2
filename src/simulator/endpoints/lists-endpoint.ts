import type { IncomingHttpHeaders } from 'node:http';
import type { CursorPolicy, CursorPosition } from '../rules/cursor.js';
import { decodeCursor } from '../rules/cursor.js';
import type { SimulatedResponse } from '../rules/error-responses.js';
import { parseFilterWith, satisfiesRange, type FilterCondition } from '../rules/filter-parser.js';
import {
  LISTS_DEFAULT_PAGE_SIZE,
  LISTS_FILTER_FIELDS,
  LISTS_MAX_PAGE_SIZE,
  LISTS_QUERY_PARAMETERS,
  LISTS_SCOPE,
  type ListsFilterField,
} from '../rules/lists-contract.js';
import { QueryError } from '../rules/query-error.js';
import type { GuardContext } from '../rules/request-guard.js';
import type { List, ListCatalog } from '../store/list-catalog.js';
import { parseInstant } from '../store/timestamps.js';
import { collectionLinks } from './collection-links.js';
import { readEndpoint } from './read-endpoint.js';
import { checkedCursor, collectParameters, parseListParameters, parsePageSize } from './query-params.js';

export interface ListsContext extends GuardContext {
  baseUrl: string;
  lists: ListCatalog;
  cursors: CursorPolicy;
}

/** GET /api/lists: authentication, scope (lists:read), rate limit, revision, parameters; at most 10 a page. */
export function getLists(request: { url: string; headers: IncomingHttpHeaders }, context: ListsContext, now: number): SimulatedResponse {
  return readEndpoint(request, context, { scope: LISTS_SCOPE, endpoint: 'lists', now }, (url) => listsPage(context, url));
}

type SortField = 'created' | 'id' | 'name' | 'updated';

function listsPage(context: ListsContext, url: URL): string {
  const values = collectParameters(url.searchParams, LISTS_QUERY_PARAMETERS, 'GET /api/lists');
  const lists = parseListParameters(values, LISTS_QUERY_PARAMETERS);
  const pageSize = parsePageSize(values.get('page[size]'), LISTS_DEFAULT_PAGE_SIZE, LISTS_MAX_PAGE_SIZE);
  const sort = values.get('sort') ?? 'id';
  if (!(LISTS_QUERY_PARAMETERS['sort'] ?? []).includes(sort)) throw new QueryError('sort', `'${sort}' is not a valid sort value.`);
  const descending = sort.startsWith('-');
  const field = (descending ? sort.slice(1) : sort) as SortField;
  const filter = values.get('filter');
  const conditions = filter === undefined ? [] : parseFilterWith(filter, { resource: 'list', fields: LISTS_FILTER_FIELDS });
  const rawCursor = checkedCursor(values.get('page[cursor]'));
  const after = rawCursor === undefined ? undefined : decodeCursor(rawCursor, sort, 'string', context.cursors);

  // Ties on the sort field are broken by id, so every list has one place in the order.
  const compare = (a: List, b: List): number => {
    const byField = a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0;
    const ordered = byField !== 0 ? byField : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return descending ? -ordered : ordered;
  };
  const position = (list: List): CursorPosition => ({ sort, key: list[field], id: list.id });
  const ordered = context.lists
    .all()
    .filter((list) => conditions.every((condition) => matches(list, condition)))
    .sort(compare)
    .filter((list) => after === undefined || compare(list, { ...list, [field]: after.key, id: after.id }) > 0);
  const page = ordered.slice(0, pageSize);
  const last = page.at(-1);
  const next = ordered.length > pageSize && last ? position(last) : undefined;
  const fields = lists.get('fields[list]');
  const include = lists.get('include') ?? [];
  const data = page.map((list) => listResource(list, context.baseUrl, fields));
  return JSON.stringify({ data, links: collectionLinks(context.baseUrl, url, next, context.cursors), ...(include.length > 0 ? { included: [] } : {}) });
}

function matches(list: List, condition: FilterCondition<ListsFilterField>): boolean {
  switch (condition.kind) {
    case 'match':
      return condition.values.includes(condition.field === 'id' ? list.id : list.name);
    case 'range': {
      const instant = parseInstant(condition.field === 'created' ? list.created : list.updated);
      return instant !== undefined && satisfiesRange(instant, condition.operator, condition.instant);
    }
    default:
      return false;
  }
}

/** A list as GET /api/lists returns it; no tags, flows or memberships are simulated. */
function listResource(list: List, baseUrl: string, fields: readonly string[] | undefined) {
  const url = `${baseUrl}/api/lists/${list.id}`;
  const all = { name: list.name, created: list.created, updated: list.updated, opt_in_process: list.opt_in_process };
  const attributes = fields ? Object.fromEntries(Object.entries(all).filter(([name]) => fields.includes(name))) : all;
  const links = (name: string) => ({ links: { self: `${url}/relationships/${name}/`, related: `${url}/${name}/` } });
  return {
    type: 'list',
    id: list.id,
    attributes,
    relationships: { profiles: links('profiles'), tags: links('tags'), 'flow-triggers': links('flow-triggers') },
    links: { self: `${url}/` },
  };
}

import type { IncomingHttpHeaders } from 'node:http';
import { collectionLinks } from './collection-links.js';
import { decodeCursor, type CursorPolicy, type CursorPosition } from '../rules/cursor.js';
import type { SimulatedResponse } from '../rules/error-responses.js';
import { METRICS_FILTER_FIELDS, METRICS_PAGE_SIZE, METRICS_QUERY_PARAMETERS, METRICS_SCOPE, type MetricsFilterField } from '../rules/events-contract.js';
import { parseFilterWith, type FilterCondition } from '../rules/filter-parser.js';
import type { Metric, MetricCatalog } from '../store/metric-catalog.js';
import { metricResource } from './metric-resource.js';
import { checkedCursor, collectParameters, parseListParameters } from './query-params.js';
import type { GuardContext } from '../rules/request-guard.js';
import { readEndpoint } from './read-endpoint.js';

export interface MetricsContext extends GuardContext {
  baseUrl: string;
  metrics: MetricCatalog;
  /** Which cursors are still valid (see rules/cursor.ts). */
  cursors: CursorPolicy;
}

const SORT = 'id';

/** GET /api/metrics: authentication, scope, rate limit, revision, parameters; pages of 200 by id. */
export function getMetrics(request: { url: string; headers: IncomingHttpHeaders }, context: MetricsContext, now: number): SimulatedResponse {
  return readEndpoint(request, context, { scope: METRICS_SCOPE, endpoint: 'metrics', now }, (url) => metricsPage(context, url));
}

function metricsPage(context: MetricsContext, url: URL): string {
  const values = collectParameters(url.searchParams, METRICS_QUERY_PARAMETERS, 'GET /api/metrics');
  const lists = parseListParameters(values, METRICS_QUERY_PARAMETERS);
  const filter = values.get('filter');
  const conditions = filter === undefined ? [] : parseFilterWith(filter, { resource: 'metric', fields: METRICS_FILTER_FIELDS });
  const rawCursor = checkedCursor(values.get('page[cursor]'));
  const after = rawCursor === undefined ? undefined : decodeCursor(rawCursor, SORT, 'string', context.cursors);

  const found: Metric[] = [];
  for (const metric of context.metrics.all()) {
    if (found.length > METRICS_PAGE_SIZE) break;
    if (after && metric.id <= after.id) continue;
    if (conditions.every((condition) => matches(metric, condition))) found.push(metric);
  }
  const page = found.slice(0, METRICS_PAGE_SIZE);
  const last = page.at(-1);
  const next: CursorPosition | undefined = found.length > METRICS_PAGE_SIZE && last ? { sort: SORT, key: last.id, id: last.id } : undefined;
  const include = lists.get('include') ?? [];
  const options = { fields: lists.get('fields[metric]'), includeFlowTriggers: include.includes('flow-triggers') };
  const data = page.map((metric) => metricResource(metric, context.baseUrl, options));
  return JSON.stringify({ data, links: collectionLinks(context.baseUrl, url, next, context.cursors), ...(include.length > 0 ? { included: [] } : {}) });
}

function matches(metric: Metric, condition: FilterCondition<MetricsFilterField>): boolean {
  switch (condition.kind) {
    case 'match': {
      const value = condition.field === 'integration.name' ? metric.integration.name : metric.integration.category;
      return condition.values.includes(value);
    }
    case 'none':
      return false;
    default:
      return true;
  }
}

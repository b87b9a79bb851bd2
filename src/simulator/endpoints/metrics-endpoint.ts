import type { IncomingHttpHeaders } from 'node:http';
import { collectionLinks } from './collection-links.js';
import { decodeCursor, type CursorPosition } from '../rules/cursor.js';
import { JSON_API, invalidParameter, type SimulatedResponse } from '../rules/error-responses.js';
import { METRICS_FILTER_FIELDS, METRICS_PAGE_SIZE, METRICS_QUERY_PARAMETERS, METRICS_SCOPE, type MetricsFilterField } from '../rules/events-contract.js';
import { parseFilterWith, type FilterCondition } from '../rules/filter-parser.js';
import type { Metric, MetricCatalog } from '../store/metric-catalog.js';
import { metricResource } from './metric-resource.js';
import { QueryError } from '../rules/query-error.js';
import { checkedCursor, collectParameters, parseListParameters } from './query-params.js';
import { checkCredentials, checkRevision } from '../rules/request-guard.js';

export interface MetricsContext {
  apiKeys: ReadonlyMap<string, readonly string[]>;
  baseUrl: string;
  metrics: MetricCatalog;
  /** Cursors of earlier epochs are refused as expired (see rules/cursor.ts). */
  cursorEpoch: number;
}

const SORT = 'id';

/** GET /api/metrics: authentication, scope, revision, parameters; pages of 200 by id. Not rate-limited. */
export function getMetrics(request: { url: string; headers: IncomingHttpHeaders }, context: MetricsContext): SimulatedResponse {
  const refused = checkCredentials(request.headers, context.apiKeys, [METRICS_SCOPE]) ?? checkRevision(request.headers);
  if (refused) return refused;
  const url = new URL(request.url, context.baseUrl);
  try {
    return { status: 200, headers: { 'Content-Type': JSON_API }, body: metricsPage(context, url) };
  } catch (error) {
    if (error instanceof QueryError) return invalidParameter(error.parameter, error.detail);
    throw error;
  }
}

function metricsPage(context: MetricsContext, url: URL): string {
  const values = collectParameters(url.searchParams, METRICS_QUERY_PARAMETERS, 'GET /api/metrics');
  const lists = parseListParameters(values, METRICS_QUERY_PARAMETERS);
  const filter = values.get('filter');
  const conditions = filter === undefined ? [] : parseFilterWith(filter, { resource: 'metric', fields: METRICS_FILTER_FIELDS });
  const rawCursor = checkedCursor(values.get('page[cursor]'));
  const after = rawCursor === undefined ? undefined : decodeCursor(rawCursor, SORT, 'string', context.cursorEpoch);

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
  return JSON.stringify({ data, links: collectionLinks(context.baseUrl, url, next, context.cursorEpoch), ...(include.length > 0 ? { included: [] } : {}) });
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

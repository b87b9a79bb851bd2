import type { KlaviyoClient } from './client.js';
import { jsonApiPages } from './pages.js';
import { EVENTS_PAGE_SIZE_SINCE, revisionAtLeast } from './revisions.js';

export interface MetricResource {
  type: 'metric';
  id: string;
  attributes?: { name?: string };
}

export interface EventResource {
  type: 'event';
  id: string;
  attributes?: { datetime?: string; timestamp?: number };
  relationships?: { profile?: { data?: { type?: string; id?: string } | null } };
}

/** Every metric of the account (Get Metrics, 200 a page; it takes no page[size]). */
export async function listMetrics(client: KlaviyoClient): Promise<MetricResource[]> {
  const metrics: MetricResource[] = [];
  for await (const page of jsonApiPages<MetricResource>(client, client.url('/api/metrics'), 'Get Metrics')) metrics.push(...page.data);
  return metrics;
}

/**
 * `page[size]` for Get Events under the client's revision: 1000 (the most) from 2026-01-15, nothing before,
 * where the parameter does not exist and Klaviyo refuses it (pages are then 200).
 */
export function eventsPageSize(client: KlaviyoClient, size = 1000): { 'page[size]'?: number } {
  return revisionAtLeast(client.revision, EVENTS_PAGE_SIZE_SINCE) ? { 'page[size]': size } : {};
}

/** Pages of one metric's events after an instant, oldest first. */
export function eventPages(client: KlaviyoClient, metricId: string, afterDateTime: string, metricName: string) {
  const url = client.url('/api/events', {
    filter: `equals(metric_id,${JSON.stringify(metricId)}),greater-than(datetime,${afterDateTime})`,
    sort: 'datetime',
    ...eventsPageSize(client),
  });
  return jsonApiPages<EventResource>(client, url, `Get Events (${metricName})`);
}

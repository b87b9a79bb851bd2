import type { KlaviyoClient } from './client.js';
import { jsonApiPages } from './pages.js';

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

/** Every metric of the account (Get Metrics, 200 a page). */
export async function listMetrics(client: KlaviyoClient): Promise<MetricResource[]> {
  const metrics: MetricResource[] = [];
  for await (const page of jsonApiPages<MetricResource>(client, client.url('/api/metrics'), 'Get Metrics')) metrics.push(...page.data);
  return metrics;
}

/** Pages of one metric's events after an instant (Get Events allows 1000 a page), oldest first. */
export function eventPages(client: KlaviyoClient, metricId: string, afterDateTime: string, metricName: string) {
  const url = client.url('/api/events', {
    filter: `equals(metric_id,${JSON.stringify(metricId)}),greater-than(datetime,${afterDateTime})`,
    sort: 'datetime',
    'page[size]': 1000,
  });
  return jsonApiPages<EventResource>(client, url, `Get Events (${metricName})`);
}

import { parseDateTime } from '../common/datetime.js';
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
  attributes?: { datetime?: string | null; timestamp?: number | null; event_properties?: Record<string, unknown> | null };
  relationships?: { profile?: { data?: { type?: string; id?: string } | null }; metric?: { data?: { type?: string; id?: string } | null } };
}

/** A profile Get Events includes with `include=profile`: its identifiers as they are now. */
export interface IncludedProfile {
  type: 'profile';
  id: string;
  attributes?: { email?: string | null; phone_number?: string | null; external_id?: string | null };
}

export interface EventPage {
  data: EventResource[];
  included?: Array<IncludedProfile | { type: string; id: string }>;
  links?: { next?: string | null };
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

/**
 * Pages of one metric's events dated after `afterDateTime` (when given) and before `beforeDateTime` (when given),
 * oldest first (Get Events supports greater-than and less-than on datetime with sort=datetime, klaviyo-rules.md).
 * With `includeProfiles`, each page carries its profiles' identifiers (`include=profile`, three fields).
 */
export function eventPages(
  client: KlaviyoClient,
  metricId: string,
  window: { afterDateTime?: string; beforeDateTime?: string; includeProfiles?: boolean },
  metricName: string,
  signal?: AbortSignal,
) {
  const conditions = [
    `equals(metric_id,${JSON.stringify(metricId)})`,
    ...(window.afterDateTime === undefined ? [] : [`greater-than(datetime,${window.afterDateTime})`]),
    ...(window.beforeDateTime === undefined ? [] : [`less-than(datetime,${window.beforeDateTime})`]),
  ];
  const url = client.url('/api/events', {
    filter: conditions.join(','),
    sort: 'datetime',
    ...eventsPageSize(client),
    ...(window.includeProfiles ? { include: 'profile', 'fields[profile]': 'email,phone_number,external_id' } : {}),
  });
  return jsonApiPages<EventResource>(client, url, `Get Events (${metricName})`, signal) as AsyncGenerator<EventPage>;
}

/**
 * Whole-second epoch ms of an event's time: its `datetime`, else its `timestamp` (epoch seconds; the spec lets
 * either be null), or undefined when Klaviyo sent neither in a form we can read.
 */
export function eventSecondsMs(event: EventResource): number | undefined {
  const text = event.attributes?.datetime;
  const parsed = typeof text === 'string' ? parseDateTime(text)?.secondsMs : undefined;
  if (parsed !== undefined) return parsed;
  const seconds = event.attributes?.timestamp;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? Math.floor(seconds) * 1000 : undefined;
}

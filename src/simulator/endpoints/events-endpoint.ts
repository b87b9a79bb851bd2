import type { IncomingHttpHeaders } from 'node:http';
import { collectionLinks } from './collection-links.js';
import type { CursorPolicy } from '../rules/cursor.js';
import type { SimulatedResponse } from '../rules/error-responses.js';
import { selectEventPage } from './event-page.js';
import { eventResource } from './event-resource.js';
import type { EventStore } from '../store/event-store.js';
import { EVENTS_SCOPE } from '../rules/events-contract.js';
import { parseEventsQuery, type EventsQuery } from './events-query.js';
import type { MetricCatalog } from '../store/metric-catalog.js';
import { metricResource } from './metric-resource.js';
import { profileResource } from './profile-resource.js';
import type { ProfileStore } from '../store/profile-store.js';
import { parseProfilesQuery } from './profiles-query.js';
import type { GuardContext } from '../rules/request-guard.js';
import { readEndpoint } from './read-endpoint.js';

export interface EventsContext extends GuardContext {
  baseUrl: string;
  events: EventStore;
  metrics: MetricCatalog;
  store: ProfileStore;
  /** Which cursors are still valid (see rules/cursor.ts). */
  cursors: CursorPolicy;
}

/** GET /api/events: authentication, scope, rate limit, revision, parameters. */
export function getEvents(request: { url: string; headers: IncomingHttpHeaders }, context: EventsContext, now: number): SimulatedResponse {
  return readEndpoint(request, context, { scope: EVENTS_SCOPE, endpoint: 'events', now }, (url, revision) =>
    eventsPage(context, url, parseEventsQuery(url.searchParams, context.cursors, revision)),
  );
}

function eventsPage(context: EventsContext, url: URL, query: EventsQuery): string {
  const { events, baseUrl } = context;
  const page = selectEventPage(events, query);
  const options = { fields: query.eventFields, includeAttributions: query.include.includes('attributions') };
  const data = page.rows.map((row) => eventResource(events, row, baseUrl, options));
  const document: Record<string, unknown> = { data, links: collectionLinks(baseUrl, url, page.next, context.cursors) };
  if (query.include.length > 0) document['included'] = included(context, query, page.rows);
  return JSON.stringify(document);
}

/** The metrics and profiles of the page's events, each once. */
function included(context: EventsContext, query: EventsQuery, rows: readonly number[]): unknown[] {
  const { events, metrics, store, baseUrl } = context;
  const resources: unknown[] = [];
  if (query.include.includes('metric')) {
    for (const id of new Set(rows.map((row) => events.metricIdOf(row)))) {
      const metric = metrics.byId(id);
      if (metric) resources.push(metricResource(metric, baseUrl, { fields: query.metricFields }));
    }
  }
  if (query.include.includes('profile')) {
    // An included profile is served as GET /api/profiles would serve it with no extras: no subscriptions.
    const profileQuery = { ...parseProfilesQuery(new URLSearchParams()), profileFields: query.profileFields };
    for (const id of new Set(rows.map((row) => events.profileIdOf(row)))) {
      const slot = store.slotOf(id);
      if (slot !== undefined) resources.push(profileResource(store, slot, profileQuery, baseUrl));
    }
  }
  return resources;
}

import type { IncomingHttpHeaders } from 'node:http';
import { collectionLinks } from './collection-links.js';
import { JSON_API, invalidParameter, type SimulatedResponse } from '../rules/error-responses.js';
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
import { QueryError } from '../rules/query-error.js';
import { checkCredentials, checkRevision } from '../rules/request-guard.js';

export interface EventsContext {
  apiKeys: ReadonlyMap<string, readonly string[]>;
  baseUrl: string;
  events: EventStore;
  metrics: MetricCatalog;
  store: ProfileStore;
  /** Cursors of earlier epochs are refused as expired (see rules/cursor.ts). */
  cursorEpoch: number;
}

/** GET /api/events: authentication, scope, revision, parameters. Not rate-limited. */
export function getEvents(request: { url: string; headers: IncomingHttpHeaders }, context: EventsContext): SimulatedResponse {
  const refused = checkCredentials(request.headers, context.apiKeys, [EVENTS_SCOPE]) ?? checkRevision(request.headers);
  if (refused) return refused;
  const url = new URL(request.url, context.baseUrl);
  try {
    const query = parseEventsQuery(url.searchParams, context.cursorEpoch);
    return { status: 200, headers: { 'Content-Type': JSON_API }, body: eventsPage(context, url, query) };
  } catch (error) {
    if (error instanceof QueryError) return invalidParameter(error.parameter, error.detail);
    throw error;
  }
}

function eventsPage(context: EventsContext, url: URL, query: EventsQuery): string {
  const { events, baseUrl } = context;
  const page = selectEventPage(events, query);
  const options = { fields: query.eventFields, includeAttributions: query.include.includes('attributions') };
  const data = page.rows.map((row) => eventResource(events, row, baseUrl, options));
  const document: Record<string, unknown> = { data, links: collectionLinks(baseUrl, url, page.next, context.cursorEpoch) };
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

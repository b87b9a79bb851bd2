import type { IncomingHttpHeaders } from 'node:http';
import { REQUIRED_SCOPE } from '../rules/api-contract.js';
import { collectionLinks } from './collection-links.js';
import { JSON_API, invalidParameter, throttled, type SimulatedResponse } from '../rules/error-responses.js';
import { selectPage } from './page-selector.js';
import { profileResource } from './profile-resource.js';
import type { ProfileStore } from '../store/profile-store.js';
import { parseProfilesQuery, type ProfilesQuery } from './profiles-query.js';
import { QueryError } from '../rules/query-error.js';
import type { SlidingWindowLimiter } from '../rules/rate-limiter.js';
import { checkCredentials, checkRevision } from '../rules/request-guard.js';

export interface EndpointContext {
  store: ProfileStore;
  apiKeys: ReadonlyMap<string, readonly string[]>;
  limiter: SlidingWindowLimiter;
  baseUrl: string;
  /** Cursors of earlier epochs are refused as expired (see rules/cursor.ts). */
  cursorEpoch: number;
}

/** GET /api/profiles, checked in Klaviyo's order: authentication, scope, rate limit, revision, parameters. */
export function getProfiles(
  request: { url: string; headers: IncomingHttpHeaders },
  context: EndpointContext,
  now: number,
): SimulatedResponse {
  const refused = checkCredentials(request.headers, context.apiKeys, [REQUIRED_SCOPE]);
  if (refused) return refused;

  const decision = context.limiter.tryAcquire(now);
  if (!decision.allowed) return throttled(decision.retryAfterSeconds);

  const badRevision = checkRevision(request.headers);
  if (badRevision) return badRevision;

  const url = new URL(request.url, context.baseUrl);
  let query: ProfilesQuery;
  let body: string;
  try {
    query = parseProfilesQuery(url.searchParams, context.cursorEpoch);
    body = pageBody(context, url, query);
  } catch (error) {
    if (error instanceof QueryError) return invalidParameter(error.parameter, error.detail);
    throw error;
  }
  return { status: 200, headers: { 'Content-Type': JSON_API, ...decision.headers }, body };
}

function pageBody(context: EndpointContext, url: URL, query: ProfilesQuery): string {
  const page = selectPage(context.store, query);
  const links = collectionLinks(context.baseUrl, url, page.next, context.cursorEpoch);
  // Everything that changes how a resource is serialized.
  const shape = JSON.stringify([[...query.additionalFields].sort(), query.profileFields ?? null, query.include, context.baseUrl]);
  const data = page.slots.map((slot) => context.store.serializedResource(slot, shape, () => JSON.stringify(profileResource(context.store, slot, query, context.baseUrl))));
  // No conversations or push tokens are simulated, so an include adds an empty compound list.
  const included = query.include.length > 0 ? ',"included":[]' : '';
  return `{"data":[${data.join(',')}],"links":${JSON.stringify(links)}${included}}`;
}

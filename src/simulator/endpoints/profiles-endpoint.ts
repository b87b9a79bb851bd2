import type { IncomingHttpHeaders } from 'node:http';
import { REQUIRED_SCOPE } from '../rules/api-contract.js';
import type { CursorPolicy } from '../rules/cursor.js';
import { JSON_API, refusedQuery, type SimulatedResponse } from '../rules/error-responses.js';
import { admit, type GuardContext } from '../rules/request-guard.js';
import type { ProfileStore } from '../store/profile-store.js';
import { collectionLinks } from './collection-links.js';
import { selectPage } from './page-selector.js';
import { profileResource } from './profile-resource.js';
import { parseProfilesQuery, type ProfilesQuery } from './profiles-query.js';

export interface EndpointContext extends GuardContext {
  store: ProfileStore;
  baseUrl: string;
  /** Which cursors are still valid (see rules/cursor.ts). */
  cursors: CursorPolicy;
}

/** GET /api/profiles, checked in Klaviyo's order: authentication, scope, rate limit, revision, parameters. */
export function getProfiles(
  request: { url: string; headers: IncomingHttpHeaders },
  context: EndpointContext,
  now: number,
): SimulatedResponse {
  const admission = admit(request.headers, context, [REQUIRED_SCOPE], 'profiles', now);
  if (admission.refused) return admission.refused;

  const url = new URL(request.url, context.baseUrl);
  let query: ProfilesQuery;
  let body: string;
  try {
    query = parseProfilesQuery(url.searchParams, context.cursors);
    body = pageBody(context, url, query);
  } catch (error) {
    const refused = refusedQuery(error);
    if (refused) return refused;
    throw error;
  }
  return { status: 200, headers: { 'Content-Type': JSON_API, ...admission.rateHeaders }, body };
}

function pageBody(context: EndpointContext, url: URL, query: ProfilesQuery): string {
  const page = selectPage(context.store, query);
  const links = collectionLinks(context.baseUrl, url, page.next, context.cursors);
  // Everything that changes how a resource is serialized.
  const shape = JSON.stringify([[...query.additionalFields].sort(), query.profileFields ?? null, query.include, context.baseUrl]);
  const data = page.slots.map((slot) => context.store.serializedResource(slot, shape, () => JSON.stringify(profileResource(context.store, slot, query, context.baseUrl))));
  // No conversations or push tokens are simulated, so an include adds an empty compound list.
  const included = query.include.length > 0 ? ',"included":[]' : '';
  return `{"data":[${data.join(',')}],"links":${JSON.stringify(links)}${included}}`;
}

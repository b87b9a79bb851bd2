import type { IncomingHttpHeaders } from 'node:http';
import { JSON_API, refusedQuery, type SimulatedResponse } from '../rules/error-responses.js';
import type { LimitedEndpoint } from '../rules/rate-limits.js';
import { admit, type GuardContext } from '../rules/request-guard.js';

/**
 * A GET endpoint in Klaviyo's order: authentication, scope, the endpoint's rate limit, revision, then the
 * query, which `page` validates (throwing a QueryError or InvalidCursorError for a 400) and answers.
 */
export function readEndpoint(
  request: { url: string; headers: IncomingHttpHeaders },
  context: GuardContext & { baseUrl: string },
  access: { scope: string; endpoint: LimitedEndpoint; now: number },
  page: (url: URL, revision: string) => string,
): SimulatedResponse {
  const admission = admit(request.headers, context, [access.scope], access.endpoint, access.now);
  if (admission.refused) return admission.refused;
  try {
    const body = page(new URL(request.url, context.baseUrl), admission.revision);
    return { status: 200, headers: { 'Content-Type': JSON_API, ...admission.rateHeaders }, body };
  } catch (error) {
    const refused = refusedQuery(error);
    if (refused) return refused;
    throw error;
  }
}

import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from './client.js';
import { isExpiredCursor } from './errors.js';

export interface JsonApiPage<T> {
  data: T[];
  links?: { self?: string; next?: string | null };
}

/**
 * Pages of any Klaviyo JSON:API list, following `links.next` until Klaviyo gives none. `what` names the
 * request in errors and logs; `signal` stops the paging without another request (see KlaviyoClient.getJson).
 */
export async function* jsonApiPages<T>(client: KlaviyoClient, firstUrl: string, what: string, signal?: AbortSignal): AsyncGenerator<JsonApiPage<T>> {
  let url: string | undefined = firstUrl;
  const seen = new Set<string>();
  while (url) {
    // A server that hands back a cursor we already followed would loop forever.
    if (seen.has(url)) throw new Error(`Klaviyo returned a next link already followed (${url}) for ${what}; stopping to avoid an endless loop.`);
    seen.add(url);
    if (seen.size > 10_000) seen.clear();
    const page: JsonApiPage<T> = await client.getJson<JsonApiPage<T>>(url, what, signal);
    if (!page || !Array.isArray(page.data)) throw new Error(`${what} answered without a data array.`);
    yield page;
    url = page.links?.next ?? undefined;
  }
}

/** How often one scan may start over after Klaviyo refused its cursor, so a server refusing every cursor ends the run. */
export const MAX_CURSOR_RESTARTS = 5;

/**
 * Runs a scan from its first page and starts it over when Klaviyo refuses an expired page cursor. For scans
 * whose consumer skips what it has already seen (the detectors keep the ids they emitted), so a restart
 * costs requests, never a duplicate record.
 */
export async function* restartingOnExpiredCursor<T>(open: () => AsyncGenerator<T>, logger: Logger, what: string): AsyncGenerator<T> {
  for (let restarts = 0; ; restarts += 1) {
    try {
      yield* open();
      return;
    } catch (error) {
      if (!isExpiredCursor(error) || restarts >= MAX_CURSOR_RESTARTS) throw error;
      logger.warn(`${what}: Klaviyo refused a page cursor (expired); starting this scan again (restart ${restarts + 1} of ${MAX_CURSOR_RESTARTS})`);
    }
  }
}

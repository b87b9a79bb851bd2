import type { KlaviyoClient } from './client.js';

export interface JsonApiPage<T> {
  data: T[];
  links?: { self?: string; next?: string | null };
}

/**
 * Pages of any Klaviyo JSON:API list, following `links.next` until Klaviyo gives none. `what` names the
 * request in errors and logs.
 */
export async function* jsonApiPages<T>(client: KlaviyoClient, firstUrl: string, what: string): AsyncGenerator<JsonApiPage<T>> {
  let url: string | undefined = firstUrl;
  const seen = new Set<string>();
  while (url) {
    // A server that hands back a cursor we already followed would loop forever.
    if (seen.has(url)) throw new Error(`Klaviyo returned a next link already followed (${url}) for ${what}; stopping to avoid an endless loop.`);
    seen.add(url);
    if (seen.size > 10_000) seen.clear();
    const page: JsonApiPage<T> = await client.getJson<JsonApiPage<T>>(url, what);
    if (!page || !Array.isArray(page.data)) throw new Error(`${what} answered without a data array.`);
    yield page;
    url = page.links?.next ?? undefined;
  }
}

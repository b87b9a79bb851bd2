import { encodeCursor, type CursorPolicy, type CursorPosition } from '../rules/cursor.js';

export interface CollectionLinks {
  self: string;
  next?: string;
}

/**
 * `links` of a list response. Both links are re-encoded, so brackets and commas arrive
 * percent-encoded as in Klaviyo's links and the values are valid `uri`s whatever the client sent.
 */
export function collectionLinks(baseUrl: string, url: URL, next: CursorPosition | undefined, cursors: CursorPolicy): CollectionLinks {
  const self = url.searchParams.size > 0 ? `${url.pathname}?${url.searchParams.toString()}` : url.pathname;
  const links: CollectionLinks = { self: `${baseUrl}${self}` };
  if (next) {
    const params = new URLSearchParams(url.searchParams);
    params.set('page[cursor]', encodeCursor(next, cursors));
    links.next = `${baseUrl}${url.pathname}?${params.toString()}`;
  }
  return links;
}

import type { KlaviyoClient } from './client.js';
import { jsonApiPages } from './pages.js';

export interface ListResource {
  type: 'list';
  id: string;
  attributes?: { name?: string | null };
}

/** Klaviyo serves at most 10 lists a page (klaviyo-rules.md; OpenAPI: page[size] 1 to 10). */
export const LISTS_PAGE_SIZE = 10;

/**
 * The account's list ids (Get Lists, 10 a page), or, when it has more than `atMost`, undefined after reading
 * just enough pages to know: an account with 1,000 lists costs 100 requests to enumerate, which a caller that
 * would not use them should not pay.
 */
export async function listIds(client: KlaviyoClient, atMost: number): Promise<{ ids: string[] | undefined }> {
  const ids: string[] = [];
  const url = client.url('/api/lists', { 'fields[list]': 'name', 'page[size]': LISTS_PAGE_SIZE });
  for await (const page of jsonApiPages<ListResource>(client, url, 'Get Lists')) {
    for (const list of page.data) if (typeof list?.id === 'string' && list.id !== '') ids.push(list.id);
    if (ids.length > atMost) return { ids: undefined };
  }
  return { ids };
}

/** Every list of the account by name (names need not be unique: each maps to all its lists' ids). */
export async function listsByName(client: KlaviyoClient): Promise<Map<string, string[]>> {
  const byName = new Map<string, string[]>();
  const url = client.url('/api/lists', { 'fields[list]': 'name', 'page[size]': LISTS_PAGE_SIZE });
  for await (const page of jsonApiPages<ListResource>(client, url, 'Get Lists (list names of list events)')) {
    for (const list of page.data) {
      const name = list?.attributes?.name;
      if (typeof list?.id === 'string' && typeof name === 'string') byName.set(name, [...(byName.get(name) ?? []), list.id]);
    }
  }
  return byName;
}

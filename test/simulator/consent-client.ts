// Test helpers for the simulator's metrics, events and consent-job endpoints: real HTTP over 127.0.0.1.
import type { KlaviyoSimulator } from '../../src/simulator/index.js';
import { authHeaders, get, timedFetch, type RawResponse } from './simulator-client.js';

export interface ListPage<T> {
  data: T[];
  links: { self: string; next?: string | null };
  included?: Array<{ type: string; id: string; attributes: Record<string, unknown> }>;
}

export interface MetricWire {
  type: 'metric';
  id: string;
  attributes: { name: string; created: string; updated: string; integration: { id: string; name: string; category: string } };
}

export interface EventWire {
  type: 'event';
  id: string;
  attributes: { timestamp: number; datetime: string; uuid: string; event_properties: Record<string, unknown> };
  relationships: { profile: { data: { type: 'profile'; id: string } }; metric: { data: { type: 'metric'; id: string } } };
  links: { self: string };
}

export function apiUrl(simulator: KlaviyoSimulator, path: string, query: Record<string, string> = {}): string {
  const params = new URLSearchParams(query).toString();
  return `${simulator.baseUrl}${path}${params ? `?${params}` : ''}`;
}

export async function getList<T>(url: string): Promise<ListPage<T>> {
  const response = await get(url);
  if (response.status !== 200) throw new Error(`GET ${url} -> ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as ListPage<T>;
}

/** Follows links.next from `url`, at most `maxPages` pages. */
export async function walkList<T>(url: string, maxPages: number): Promise<Array<ListPage<T>>> {
  const pages: Array<ListPage<T>> = [];
  let next: string | null | undefined = url;
  while (next) {
    if (pages.length >= maxPages) throw new Error(`still more pages after ${maxPages}`);
    const page: ListPage<T> = await getList<T>(next);
    pages.push(page);
    next = page.links.next;
  }
  return pages;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = jsonApiHeaders()): Promise<RawResponse> {
  return timedFetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

export function jsonApiHeaders(key?: string): Record<string, string> {
  return { ...authHeaders(key), 'Content-Type': 'application/vnd.api+json' };
}

type Attributes = Record<string, unknown>;

export function subscribeBody(profiles: Attributes[], options: { listId?: string; extra?: Attributes } = {}): unknown {
  return {
    data: {
      type: 'profile-subscription-bulk-create-job',
      attributes: { ...options.extra, profiles: { data: profiles.map((attributes) => ({ type: 'profile', attributes })) } },
      ...(options.listId ? { relationships: { list: { data: { type: 'list', id: options.listId } } } } : {}),
    },
  };
}

export function unsubscribeBody(profiles: Attributes[], options: { listId?: string } = {}): unknown {
  return {
    data: {
      type: 'profile-subscription-bulk-delete-job',
      attributes: { profiles: { data: profiles.map((attributes) => ({ type: 'profile', attributes })) } },
      ...(options.listId ? { relationships: { list: { data: { type: 'list', id: options.listId } } } } : {}),
    },
  };
}

export function suppressBody(emails: string[], type = 'profile-suppression-bulk-create-job'): unknown {
  return {
    data: {
      type,
      attributes: { profiles: { data: emails.map((email) => ({ type: 'profile', attributes: { email } })) } },
    },
  };
}

export const unsuppressBody = (emails: string[]): unknown => suppressBody(emails, 'profile-suppression-bulk-delete-job');

export const EMAIL_MARKETING = { email: { marketing: { consent: 'SUBSCRIBED' } } };
export const EMAIL_MARKETING_OFF = { email: { marketing: { consent: 'UNSUBSCRIBED' } } };
export const SMS_MARKETING = { sms: { marketing: { consent: 'SUBSCRIBED' } } };
export const SMS_MARKETING_OFF = { sms: { marketing: { consent: 'UNSUBSCRIBED' } } };

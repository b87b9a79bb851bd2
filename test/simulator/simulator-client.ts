// Test helpers: real HTTP over 127.0.0.1 with fetch, and bounded page walks.
import { KlaviyoSimulator, SIMULATOR_API_KEY, type SimulatorOptions } from '../../src/simulator/index.js';
import type { KlaviyoErrorBody, ProfileResource } from '../../src/klaviyo/types.js';
import type { CliIo } from '../../src/simulator/cli.js';

export const REVISION = '2026-07-15';

export interface Page {
  data: Array<ProfileResource & { relationships?: unknown; links?: { self: string } }>;
  links: { self: string; next?: string | null; prev?: string | null };
  included?: unknown[];
}

/** A CliIo that keeps what the simulator's CLI prints. */
export function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}

export function authHeaders(key = SIMULATOR_API_KEY): Record<string, string> {
  return { Authorization: `Klaviyo-API-Key ${key}`, revision: REVISION };
}

/**
 * A simulator for tests of its parameters, paging and bodies, which fire requests back to back: without
 * Klaviyo's rate limits, which have tests of their own (latency-and-limits, klaviyo-rules-contract).
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<KlaviyoSimulator> {
  return KlaviyoSimulator.start({ profiles: 200, rateLimits: 'none', ...options });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
  elapsedMs: number;
}

export async function get(url: string, headers: Record<string, string> = authHeaders()): Promise<RawResponse> {
  return timedFetch(url, { headers });
}

/** One request with its status, headers, parsed body and how long it took. */
export async function timedFetch(url: string, init: RequestInit): Promise<RawResponse> {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    elapsedMs: performance.now() - started,
  };
}

export async function getPage(url: string): Promise<Page> {
  const response = await get(url);
  if (response.status !== 200) throw new Error(`GET ${url} -> ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as Page;
}

export function errorOf(response: RawResponse): KlaviyoErrorBody['errors'][number] {
  const body = response.body as KlaviyoErrorBody;
  const first = body.errors[0];
  if (!first) throw new Error(`no error in ${JSON.stringify(body)}`);
  return first;
}

/** Follows links.next from `url`, at most `maxPages` pages, and returns every page fetched. */
export async function walk(url: string, maxPages: number, onPage?: (page: Page, index: number) => void): Promise<Page[]> {
  const pages: Page[] = [];
  let next: string | null | undefined = url;
  while (next) {
    if (pages.length >= maxPages) throw new Error(`still more pages after ${maxPages}`);
    const page = await getPage(next);
    onPage?.(page, pages.length);
    pages.push(page);
    next = page.links.next;
  }
  return pages;
}

/** `/api/profiles?…` with the query given as pairs, encoded the way a careful client would. */
export function profilesUrl(simulator: KlaviyoSimulator, query: Record<string, string> = {}): string {
  const params = new URLSearchParams(query).toString();
  return `${simulator.baseUrl}/api/profiles${params ? `?${params}` : ''}`;
}

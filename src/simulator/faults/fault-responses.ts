import { errorResponse, JSON_API, throttled, type SimulatedResponse } from '../rules/error-responses.js';
import { pick, randomInt, type Rng } from '../generation/prng.js';

/** What a resource of the faulted endpoint is called, so a truncated page looks like that endpoint's. */
export type FaultedResource = 'profile' | 'metric' | 'event' | 'list';

/** Short, so that tests which retry after it stay fast. */
export const INJECTED_RETRY_AFTER_SECONDS = 1;

export const injectedThrottle = (): SimulatedResponse => throttled(INJECTED_RETRY_AFTER_SECONDS);

// Klaviyo's 5xx bodies follow Django REST framework's defaults, as its 500 does.
const SERVER_ERRORS: ReadonlyArray<readonly [number, string, string]> = [
  [500, 'error', 'A server error occurred.'],
  [502, 'bad_gateway', 'Bad gateway.'],
  [503, 'service_unavailable', 'Service temporarily unavailable, try again later.'],
  [504, 'gateway_timeout', 'Gateway timeout.'],
];

export function injectedServerError(rng: Rng): SimulatedResponse {
  const [status, code, title] = pick(rng, SERVER_ERRORS);
  return errorResponse(status, code, title, title);
}

const GARBAGE_KINDS = ['truncated', 'html', 'empty'] as const;

/**
 * A 200 that claims to be JSON:API but does not parse: a page cut off mid-way (a dropped upstream
 * connection), a proxy's HTML error page, or nothing at all.
 */
export function injectedGarbage(rng: Rng, resource: FaultedResource, selfUrl: string): SimulatedResponse {
  const kind = pick(rng, GARBAGE_KINDS);
  const body = kind === 'html' ? HTML_ERROR_PAGE : kind === 'empty' ? '' : truncatedPage(rng, resource, selfUrl);
  return { status: 200, headers: { 'Content-Type': JSON_API }, body };
}

/** Every strict prefix of a JSON object is invalid JSON: its closing brace is the last character. */
function truncatedPage(rng: Rng, resource: FaultedResource, selfUrl: string): string {
  const page = JSON.stringify({
    data: [
      {
        type: resource,
        id: '01JCHAOS0TRUNCATED0PAGE000',
        attributes: { name: 'Truncated by the simulator', created: '2026-10-01T00:00:00+00:00', updated: '2026-10-01T00:00:00+00:00' },
        links: { self: selfUrl },
      },
    ],
    links: { self: selfUrl, next: null },
  });
  return page.slice(0, randomInt(rng, 1, page.length - 1));
}

const HTML_ERROR_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
  '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n';

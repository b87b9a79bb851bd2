import type { RateLimits } from './rate-limiter.js';

/** The Klaviyo endpoints this connector calls, each with a rate limit of its own. */
export type Endpoint = 'profiles' | 'metrics' | 'events' | 'lists' | 'subscribe' | 'unsubscribe' | 'suppress' | 'unsuppress';

/**
 * Klaviyo counts requests per account *and per endpoint* (klaviyo-rules.md, "Rate limits"; the OpenAPI file's
 * x-klaviyo-ratelimit), so each endpoint gets its own limiter. Get Profiles' limits come from the config
 * (requests_per_second, requests_per_minute): it carries nearly all of a sync's requests, and an account
 * that shares its quota with other apps may want less. The others are Klaviyo's published limits.
 */
export const OTHER_ENDPOINT_LIMITS: Readonly<Record<Exclude<Endpoint, 'profiles'>, RateLimits>> = {
  metrics: { perSecond: 10, perMinute: 150 },
  events: { perSecond: 350, perMinute: 3500 },
  lists: { perSecond: 75, perMinute: 750 },
  // The consent jobs: 750/m from revision 2026-01-15, 700/m before; 700 is safe under both.
  subscribe: { perSecond: 75, perMinute: 700 },
  unsubscribe: { perSecond: 75, perMinute: 700 },
  suppress: { perSecond: 75, perMinute: 700 },
  unsuppress: { perSecond: 75, perMinute: 700 },
};

/** The endpoint a URL calls (under any base_url path prefix); Get Profiles for anything else. */
export function endpointOf(url: string): Endpoint {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  if (path.endsWith('/api/metrics')) return 'metrics';
  if (path.endsWith('/api/events')) return 'events';
  if (path.endsWith('/api/lists') || /\/api\/lists\/[^/]+$/.test(path)) return 'lists';
  // A job and its status (`.../profile-suppression-bulk-create-jobs/{id}`) count together, as the simulator counts them.
  if (/\/api\/profile-subscription-bulk-create-jobs(\/[^/]+)?$/.test(path)) return 'subscribe';
  if (/\/api\/profile-subscription-bulk-delete-jobs(\/[^/]+)?$/.test(path)) return 'unsubscribe';
  if (/\/api\/profile-suppression-bulk-create-jobs(\/[^/]+)?$/.test(path)) return 'suppress';
  if (/\/api\/profile-suppression-bulk-delete-jobs(\/[^/]+)?$/.test(path)) return 'unsuppress';
  return 'profiles';
}

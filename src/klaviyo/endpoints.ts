import type { RateLimits } from './rate-limiter.js';

/** The Klaviyo endpoints this connector calls, each with a rate limit of its own. */
export type Endpoint = 'profiles' | 'metrics' | 'events' | 'lists';

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
};

/** The endpoint a URL calls (under any base_url path prefix); Get Profiles for anything else. */
export function endpointOf(url: string): Endpoint {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  if (path.endsWith('/api/metrics')) return 'metrics';
  if (path.endsWith('/api/events')) return 'events';
  if (path.endsWith('/api/lists')) return 'lists';
  return 'profiles';
}

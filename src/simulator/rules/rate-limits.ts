// Klaviyo's rate limits, per account and per endpoint, each endpoint counted apart (klaviyo-rules.md, "Rate
// limits"; the OpenAPI file's x-klaviyo-ratelimit). The simulator enforces them by default, so a connector
// that would be throttled by the real Klaviyo is throttled here too.
import { STEADY_750_SINCE, revisionAtLeast } from './revisions.js';
import { SlidingWindowLimiter, type RateDecision, type RateLimit } from './rate-limiter.js';

/** The endpoints with a limit of their own. */
export const LIMITED_ENDPOINTS = ['profiles', 'metrics', 'events', 'lists', 'subscribe', 'unsubscribe', 'suppress', 'unsuppress'] as const;
export type LimitedEndpoint = (typeof LIMITED_ENDPOINTS)[number];

/**
 * `'klaviyo'` (the default): Klaviyo's published limits. `'none'`: no limit at all (throughput benchmarks).
 * An object: Klaviyo's limits, with the windows it gives replaced for the endpoints it names
 * (`{ profiles: { perSecond: 2 } }` keeps Klaviyo's per-minute window); `null`: that endpoint unlimited.
 */
export type RateLimitsOption = 'klaviyo' | 'none' | Partial<Record<LimitedEndpoint, RateLimit | null>>;

/** Klaviyo's limit for an endpoint under a revision. */
export function klaviyoLimit(endpoint: LimitedEndpoint, revision: string): RateLimit {
  const steady = revisionAtLeast(revision, STEADY_750_SINCE) ? 750 : 700;
  switch (endpoint) {
    case 'profiles':
    case 'subscribe':
    case 'unsubscribe':
    case 'suppress':
    case 'unsuppress':
      return { perSecond: 75, perMinute: steady };
    case 'lists':
      return { perSecond: 75, perMinute: 750 };
    case 'metrics':
      return { perSecond: 10, perMinute: 150 };
    case 'events':
      return { perSecond: 350, perMinute: 3500 };
  }
}

/** One sliding window per endpoint, judged with the limit the option and the request's revision give. */
export class EndpointRateLimits {
  private readonly windows = new Map<LimitedEndpoint, SlidingWindowLimiter>();
  private option: RateLimitsOption = 'klaviyo';

  constructor(option: RateLimitsOption = 'klaviyo') {
    this.configure(option);
  }

  /** Replaces the option; counts so far are kept, as Klaviyo keeps counting whatever a client changes. */
  configure(option: RateLimitsOption): void {
    if (typeof option === 'object') {
      for (const [endpoint, limit] of Object.entries(option)) {
        if (!(LIMITED_ENDPOINTS as readonly string[]).includes(endpoint)) {
          throw new RangeError(`rateLimits.${endpoint}: not an endpoint with a rate limit (${LIMITED_ENDPOINTS.join(', ')})`);
        }
        if (limit !== null) SlidingWindowLimiter.validate(limit, `rateLimits.${endpoint}`);
      }
    } else if (option !== 'klaviyo' && option !== 'none') {
      throw new RangeError(`rateLimits must be 'klaviyo', 'none' or an object of limits per endpoint, got ${String(option)}`);
    }
    this.option = option;
  }

  /** The limit in force for a request to `endpoint` sent with `revision`; undefined: unlimited. */
  limitFor(endpoint: LimitedEndpoint, revision: string): RateLimit | undefined {
    if (this.option === 'none') return undefined;
    if (typeof this.option === 'object' && Object.hasOwn(this.option, endpoint)) {
      const override = this.option[endpoint];
      return override === null || override === undefined ? undefined : { ...klaviyoLimit(endpoint, revision), ...override };
    }
    return klaviyoLimit(endpoint, revision);
  }

  tryAcquire(endpoint: LimitedEndpoint, revision: string, now: number): RateDecision {
    let window = this.windows.get(endpoint);
    if (!window) {
      window = new SlidingWindowLimiter();
      this.windows.set(endpoint, window);
    }
    return window.tryAcquire(now, this.limitFor(endpoint, revision));
  }
}

// A local stand-in for Klaviyo's GET /api/profiles, GET /api/metrics, GET /api/events, GET /api/lists and the
// bulk consent jobs (revision 2026-07-15), as strict as Klaviyo's published rules (klaviyo-rules.md): the
// connector's tests, demo and benchmarks run against it instead of a real Klaviyo account.
export {
  KlaviyoSimulator,
  SIMULATOR_API_KEY,
  SIMULATOR_API_KEY_SCOPES,
  SIMULATOR_NO_SCOPE_API_KEY,
  type FaultRates,
  type PushConsent,
  type RateLimitsOption,
  type SimulatedEvent,
  type SimulatorOptions,
  type SmsMetricNaming,
} from './klaviyo-simulator.js';
export type { RequestLogEntry, RequestStats } from './http/request-recorder.js';
export type { FaultCounts } from './faults/fault-rates.js';
export type { RateLimit } from './rules/rate-limiter.js';
export { klaviyoLimit, LIMITED_ENDPOINTS, type LimitedEndpoint } from './rules/rate-limits.js';
export { EVENTS_PAGE_SIZE_SINCE, STEADY_750_SINCE } from './rules/revisions.js';
export { LISTS_DEFAULT_PAGE_SIZE, LISTS_MAX_PAGE_SIZE, LISTS_SCOPE } from './rules/lists-contract.js';
export { DEFAULT_ANCHOR, generateProfiles, type GeneratedProfiles } from './generation/profile-generator.js';
export {
  FILTER_FIELDS,
  SORT_VALUES,
  QUERY_PARAMETERS,
  PROFILE_FIELDS,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from './rules/api-contract.js';
export type { ProfileWireResource } from './endpoints/profile-resource.js';
export {
  EVENTS_DEFAULT_PAGE_SIZE,
  EVENTS_MAX_PAGE_SIZE,
  EVENTS_SCOPE,
  EVENTS_SORT_VALUES,
  METRICS_PAGE_SIZE,
  METRICS_SCOPE,
} from './rules/events-contract.js';
export { SUBSCRIBE_PATH, SUPPRESS_PATH, UNSUBSCRIBE_PATH } from './rules/bulk-jobs-contract.js';

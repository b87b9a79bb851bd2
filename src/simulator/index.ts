// A local stand-in for Klaviyo's GET /api/profiles, GET /api/metrics, GET /api/events and the bulk
// consent jobs (revision 2026-07-15): the connector's tests, demo and benchmarks run against it
// instead of a real Klaviyo account.
export {
  KlaviyoSimulator,
  SIMULATOR_API_KEY,
  SIMULATOR_API_KEY_SCOPES,
  SIMULATOR_NO_SCOPE_API_KEY,
  type FaultRates,
  type PushConsent,
  type SimulatedEvent,
  type SimulatorOptions,
  type SmsMetricNaming,
} from './klaviyo-simulator.js';
export type { RequestLogEntry, RequestStats } from './request-recorder.js';
export type { FaultCounts } from './fault-rates.js';
export type { RateLimit } from './rate-limiter.js';
export { DEFAULT_ANCHOR, generateProfiles, type GeneratedProfiles } from './profile-generator.js';
export {
  FILTER_FIELDS,
  SORT_VALUES,
  QUERY_PARAMETERS,
  PROFILE_FIELDS,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from './api-contract.js';
export type { ProfileWireResource } from './profile-resource.js';
export {
  EVENTS_DEFAULT_PAGE_SIZE,
  EVENTS_MAX_PAGE_SIZE,
  EVENTS_SCOPE,
  EVENTS_SORT_VALUES,
  METRICS_PAGE_SIZE,
  METRICS_SCOPE,
} from './events-contract.js';
export { SUBSCRIBE_PATH, SUPPRESS_PATH, UNSUBSCRIBE_PATH } from './bulk-jobs-contract.js';

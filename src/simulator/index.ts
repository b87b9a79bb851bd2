// A local stand-in for Klaviyo's GET /api/profiles (revision 2026-07-15): the connector's tests,
// demo and benchmarks run against it instead of a real Klaviyo account.
export {
  KlaviyoSimulator,
  SIMULATOR_API_KEY,
  SIMULATOR_NO_SCOPE_API_KEY,
  type SimulatorOptions,
} from './klaviyo-simulator.js';
export type { RequestLogEntry, RequestStats } from './request-recorder.js';
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

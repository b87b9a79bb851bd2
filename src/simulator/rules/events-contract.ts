// What GET /api/metrics and GET /api/events accept, per Klaviyo's OpenAPI spec (revision 2026-07-15).
// The conformance test compares these with the spec itself, so drift shows up as a failing test.
import type { FilterFieldRule } from './api-contract.js';
import type { ParameterRules } from '../endpoints/query-params.js';

export const METRICS_SCOPE = 'metrics:read';
export const EVENTS_SCOPE = 'events:read';

/** GET /api/metrics has no page[size]: every page holds up to 200 metrics. */
export const METRICS_PAGE_SIZE = 200;
export const EVENTS_DEFAULT_PAGE_SIZE = 200;
export const EVENTS_MAX_PAGE_SIZE = 1000;

const METRIC_FIELDS = ['created', 'id', 'integration', 'name', 'updated'];

export const METRICS_FILTER_FIELDS = {
  'integration.name': { valueType: 'string', single: ['equals'], list: [] },
  'integration.category': { valueType: 'string', single: ['equals'], list: [] },
} as const satisfies Record<string, FilterFieldRule>;

export type MetricsFilterField = keyof typeof METRICS_FILTER_FIELDS;

export const METRICS_QUERY_PARAMETERS: ParameterRules = {
  'fields[flow]': ['archived', 'created', 'id', 'name', 'status', 'trigger_type', 'updated'],
  'fields[metric]': METRIC_FIELDS,
  filter: undefined,
  include: ['flow-triggers'],
  'page[cursor]': undefined,
};

const TIME_RANGE = ['greater-or-equal', 'greater-than', 'less-or-equal', 'less-than'] as const;

export const EVENTS_FILTER_FIELDS = {
  metric_id: { valueType: 'string', single: ['equals'], list: ['equals'] },
  profile_id: { valueType: 'string', single: ['equals'], list: [] },
  profile: { valueType: 'none', single: [], list: [], none: ['has'] },
  metric: { valueType: 'none', single: [], list: [], none: ['has'] },
  datetime: { valueType: 'date-time', single: TIME_RANGE, list: [] },
  timestamp: { valueType: 'number', single: TIME_RANGE, list: [] },
} as const satisfies Record<string, FilterFieldRule>;

export type EventsFilterField = keyof typeof EVENTS_FILTER_FIELDS;

export const EVENTS_SORT_VALUES: readonly string[] = ['datetime', '-datetime', 'timestamp', '-timestamp'];

/**
 * Without `sort`, newest first. The spec names no default; this is the simulator's choice, so a
 * connector should always send `sort`.
 */
export const EVENTS_DEFAULT_SORT = '-datetime';

export const EVENT_FIELDS: readonly string[] = ['datetime', 'event_properties', 'id', 'timestamp', 'uuid'];

/** `fields[profile]` of GET /api/events: the profile's own fields, without subscriptions or predictive analytics. */
const EVENT_PROFILE_FIELDS = [
  'created', 'email', 'external_id', 'first_name', 'id', 'image', 'last_event_date', 'last_name', 'locale', 'location',
  'location.address1', 'location.address2', 'location.city', 'location.country', 'location.ip', 'location.latitude',
  'location.longitude', 'location.region', 'location.timezone', 'location.zip', 'organization', 'phone_number',
  'properties', 'title', 'updated',
];

export const EVENTS_QUERY_PARAMETERS: ParameterRules = {
  'fields[attribution]': ['id'],
  'fields[event]': EVENT_FIELDS,
  'fields[metric]': METRIC_FIELDS,
  'fields[profile]': EVENT_PROFILE_FIELDS,
  filter: undefined,
  include: ['attributions', 'metric', 'profile'],
  'page[cursor]': undefined,
  'page[size]': undefined,
  sort: EVENTS_SORT_VALUES,
};

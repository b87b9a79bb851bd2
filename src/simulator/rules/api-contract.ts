// What GET /api/profiles accepts, per Klaviyo's OpenAPI spec (revision 2026-07-15). The
// conformance test compares these lists with the spec itself, so drift shows up as a failing test.

export const REQUIRED_SCOPE = 'profiles:read';
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export type FilterOperator =
  | 'any'
  | 'equals'
  | 'greater-than'
  | 'greater-or-equal'
  | 'less-than'
  | 'less-or-equal'
  | 'has';

export interface FilterFieldRule {
  /** `none` for fields that only take value-less operators such as `has(profile)`. */
  valueType: 'string' | 'date-time' | 'number' | 'none';
  /** Operators that take one value. */
  single: readonly FilterOperator[];
  /** Operators that take a list, `any(id,["a","b"])`. */
  list: readonly FilterOperator[];
  /** Operators that take no value, `has(profile)`. */
  none?: readonly FilterOperator[];
}

const IDENTIFIER: FilterFieldRule = { valueType: 'string', single: ['equals'], list: ['any', 'equals'] };
const STRICT_RANGE: FilterFieldRule = { valueType: 'date-time', single: ['greater-than', 'less-than'], list: [] };
const FULL_RANGE: FilterFieldRule = {
  valueType: 'date-time',
  single: ['greater-or-equal', 'greater-than', 'less-or-equal', 'less-than'],
  list: [],
};
const SINGLE_EQUALS: FilterFieldRule = { valueType: 'string', single: ['equals'], list: [] };

export const FILTER_FIELDS = {
  id: IDENTIFIER,
  email: IDENTIFIER,
  phone_number: IDENTIFIER,
  external_id: IDENTIFIER,
  _kx: SINGLE_EQUALS,
  created: STRICT_RANGE,
  updated: STRICT_RANGE,
  'subscriptions.email.marketing.list_suppressions.reason': SINGLE_EQUALS,
  'subscriptions.email.marketing.list_suppressions.timestamp': FULL_RANGE,
  'subscriptions.email.marketing.list_suppressions.list_id': SINGLE_EQUALS,
  'subscriptions.email.marketing.suppression.reason': SINGLE_EQUALS,
  'subscriptions.email.marketing.suppression.timestamp': FULL_RANGE,
} as const satisfies Record<string, FilterFieldRule>;

export type FilterField = keyof typeof FILTER_FIELDS;

export function isFilterField(name: string): name is FilterField {
  return Object.hasOwn(FILTER_FIELDS, name);
}

export const SORT_FIELDS = [
  'created',
  'email',
  'id',
  'subscriptions.email.marketing.list_suppressions.timestamp',
  'subscriptions.email.marketing.suppression.timestamp',
  'updated',
] as const;

export type SortField = (typeof SORT_FIELDS)[number];

/** The spec's `sort` enum: each field ascending, and descending with a leading `-`. */
export const SORT_VALUES: readonly string[] = SORT_FIELDS.flatMap((field) => [field, `-${field}`]);

export const ADDITIONAL_FIELDS = ['subscriptions', 'predictive_analytics'] as const;
export const INCLUDE_VALUES = ['conversations', 'push-tokens'] as const;
export const CONVERSATION_FIELDS = ['channel', 'id'] as const;

const PUSH_TOKEN_METADATA = [
  'app_build', 'app_id', 'app_name', 'app_version', 'device_id', 'device_model', 'environment',
  'klaviyo_sdk', 'manufacturer', 'os_name', 'os_version', 'sdk_version',
];
export const PUSH_TOKEN_FIELDS: readonly string[] = [
  'background', 'created', 'enablement_status', 'id', 'metadata',
  ...PUSH_TOKEN_METADATA.map((name) => `metadata.${name}`),
  'platform', 'recorded_date', 'token', 'vendor',
];

// The sparse-fieldset vocabulary of `fields[profile]` as a tree: a key with children also allows
// every dotted path below it.
type FieldTree = { readonly [name: string]: FieldTree | null };
const WHATSAPP_PERMISSION: FieldTree = {
  can_receive: null, consent: null, consent_timestamp: null, created_timestamp: null,
  last_updated: null, metadata: null, phone_number: null, valid_until: null,
};
const PROFILE_FIELD_TREE: FieldTree = {
  created: null, email: null, external_id: null, first_name: null, id: null, image: null,
  last_event_date: null, last_name: null, locale: null,
  location: {
    address1: null, address2: null, city: null, country: null, ip: null, latitude: null,
    longitude: null, region: null, timezone: null, zip: null,
  },
  organization: null, phone_number: null,
  predictive_analytics: {
    average_days_between_orders: null, average_order_value: null, churn_probability: null,
    expected_date_of_next_order: null, historic_clv: null, historic_number_of_orders: null,
    predicted_clv: null, predicted_number_of_orders: null, ranked_channel_affinity: null, total_clv: null,
  },
  properties: null,
  subscriptions: {
    email: {
      marketing: {
        can_receive_email_marketing: null, consent: null, consent_timestamp: null, custom_method_detail: null,
        double_optin: null, last_updated: null, list_suppressions: null, method: null, method_detail: null,
        suppression: null,
      },
      open_tracking: {
        can_receive: null, consent: null, consent_timestamp: null, created_timestamp: null,
        last_updated: null, metadata: null, valid_until: null,
      },
    },
    mobile_push: { marketing: { can_receive_push_marketing: null, consent: null, consent_timestamp: null } },
    sms: {
      marketing: {
        can_receive_sms_marketing: null, consent: null, consent_timestamp: null, last_updated: null,
        method: null, method_detail: null,
      },
      transactional: {
        can_receive_sms_transactional: null, consent: null, consent_timestamp: null, last_updated: null,
        method: null, method_detail: null,
      },
    },
    whatsapp: { conversational: WHATSAPP_PERMISSION, marketing: WHATSAPP_PERMISSION, transactional: WHATSAPP_PERMISSION },
  },
  title: null, updated: null,
};

function flattenTree(tree: FieldTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([name, children]) => {
    const path = prefix + name;
    return children === null ? [path] : [path, ...flattenTree(children, `${path}.`)];
  });
}

export const PROFILE_FIELDS: readonly string[] = flattenTree(PROFILE_FIELD_TREE);

/** Every query parameter of GET /api/profiles, each with the values it allows (undefined: free text). */
export const QUERY_PARAMETERS: Readonly<Record<string, readonly string[] | undefined>> = {
  'additional-fields[profile]': ADDITIONAL_FIELDS,
  'fields[conversation]': CONVERSATION_FIELDS,
  'fields[profile]': PROFILE_FIELDS,
  'fields[push-token]': PUSH_TOKEN_FIELDS,
  filter: undefined,
  include: INCLUDE_VALUES,
  'page[cursor]': undefined,
  'page[size]': undefined,
  sort: SORT_VALUES,
};

/** `YYYY-MM-DD[.suffix]`, the format of the required `revision` header. */
export const REVISION_PATTERN = /^\d{4}-\d{2}-\d{2}(\.[A-Za-z0-9_-]+)?$/;

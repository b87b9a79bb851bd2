// The four consent-writing operations and the suppression jobs' status reads, per Klaviyo's OpenAPI spec
// (revision 2026-07-15) and klaviyo-rules.md.

export const SUBSCRIBE_PATH = '/api/profile-subscription-bulk-create-jobs';
export const UNSUBSCRIBE_PATH = '/api/profile-subscription-bulk-delete-jobs';
export const SUPPRESS_PATH = '/api/profile-suppression-bulk-create-jobs';
export const UNSUPPRESS_PATH = '/api/profile-suppression-bulk-delete-jobs';

export const SUBSCRIBE_JOB_TYPE = 'profile-subscription-bulk-create-job';
export const UNSUBSCRIBE_JOB_TYPE = 'profile-subscription-bulk-delete-job';
export const SUPPRESS_JOB_TYPE = 'profile-suppression-bulk-create-job';
export const UNSUPPRESS_JOB_TYPE = 'profile-suppression-bulk-delete-job';

export const SUBSCRIBE_SCOPES: readonly string[] = ['lists:write', 'profiles:write', 'subscriptions:write'];
export const UNSUBSCRIBE_SCOPES: readonly string[] = ['lists:write', 'profiles:write', 'subscriptions:write'];
export const SUPPRESS_SCOPES: readonly string[] = ['profiles:write', 'subscriptions:write'];
export const UNSUPPRESS_SCOPES: readonly string[] = ['subscriptions:write'];
/** GET of a suppression or unsuppression job (subscription jobs have no status endpoint). */
export const JOB_READ_SCOPES: readonly string[] = ['subscriptions:read'];

/** Profiles per request, from each operation's description. */
export const MAX_SUBSCRIBE_PROFILES = 1000;
export const MAX_UNSUBSCRIBE_PROFILES = 100;
export const MAX_SUPPRESS_PROFILES = 100;
export const MAX_UNSUPPRESS_PROFILES = 100;

/** `consented_at` of a historical import may be no earlier than this (Bulk Subscribe reference). */
export const EARLIEST_CONSENTED_AT_MS = Date.parse('1990-01-01T00:00:00Z');

export const SUPPRESS_JOB_FIELDS: readonly string[] = [
  'completed_at', 'completed_count', 'created_at', 'id', 'skipped_count', 'status', 'total_count',
];

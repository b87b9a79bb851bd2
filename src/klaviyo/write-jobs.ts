// Klaviyo's four consent jobs and the suppression jobs' status, as the write side sends them (revision
// 2026-07-15; payloads per the OpenAPI file, limits per klaviyo-rules.md).
import type { KlaviyoClient } from './client.js';

export const JOB_PATHS = {
  subscribe: '/api/profile-subscription-bulk-create-jobs',
  unsubscribe: '/api/profile-subscription-bulk-delete-jobs',
  suppress: '/api/profile-suppression-bulk-create-jobs',
  unsuppress: '/api/profile-suppression-bulk-delete-jobs',
} as const;

export type JobKind = keyof typeof JOB_PATHS;

/** Profiles per request (klaviyo-rules.md): subscribe 1000, the others 100. */
export const JOB_LIMITS: Readonly<Record<JobKind, number>> = { subscribe: 1000, unsubscribe: 100, suppress: 100, unsuppress: 100 };

/** What the job's request is called in errors and logs (and which scope a 403 names). */
export const JOB_NAMES: Readonly<Record<JobKind, string>> = {
  subscribe: 'Bulk Subscribe',
  unsubscribe: 'Bulk Unsubscribe',
  suppress: 'Bulk Suppress',
  unsuppress: 'Bulk Unsuppress',
};

/** `subscriptions` of one profile of a subscribe or unsubscribe job: channel -> message type -> parameters. */
export type JobSubscriptions = Record<string, Record<string, { consent: 'SUBSCRIBED' | 'UNSUBSCRIBED'; consented_at?: string }>>;

export interface JobProfile {
  id?: string;
  email?: string;
  phone_number?: string;
  subscriptions?: JobSubscriptions;
}

/** The JSON:API document of a job over `profiles`. */
export function jobBody(kind: JobKind, profiles: JobProfile[], options: { listId?: string; historicalImport?: boolean } = {}): unknown {
  const type = { subscribe: 'profile-subscription-bulk-create-job', unsubscribe: 'profile-subscription-bulk-delete-job', suppress: 'profile-suppression-bulk-create-job', unsuppress: 'profile-suppression-bulk-delete-job' }[kind];
  const data = profiles.map(({ id, ...attributes }) => ({ type: 'profile', ...(id !== undefined && kind === 'subscribe' ? { id } : {}), attributes }));
  const attributes: Record<string, unknown> = { profiles: { data } };
  if (kind === 'subscribe' && options.historicalImport) attributes['historical_import'] = true;
  // Only subscribes name a list: an unsubscribe with a list id unsubscribes globally anyone not in it.
  const relationships = kind === 'subscribe' && options.listId !== undefined ? { relationships: { list: { data: { type: 'list', id: options.listId } } } } : {};
  return { data: { type, attributes, ...relationships } };
}

/** POSTs one job; resolves with the job's id for a suppression job (it has a status endpoint), else undefined. */
export async function postJob(client: KlaviyoClient, kind: JobKind, body: unknown): Promise<string | undefined> {
  const answer = await client.postJson<{ data?: { id?: string } }>(client.url(JOB_PATHS[kind]), body, JOB_NAMES[kind]);
  return typeof answer?.data?.id === 'string' ? answer.data.id : undefined;
}

/** A suppression or unsuppression job's status: queued, processing, complete or cancelled. */
export async function suppressionJobStatus(client: KlaviyoClient, kind: 'suppress' | 'unsuppress', id: string): Promise<string | undefined> {
  const answer = await client.getJson<{ data?: { attributes?: { status?: string } } }>(client.url(`${JOB_PATHS[kind]}/${encodeURIComponent(id)}`), `${JOB_NAMES[kind]} job status`);
  return answer?.data?.attributes?.status;
}

import type { IncomingHttpHeaders } from 'node:http';
import { BodyError } from './body-reader.js';
import { parseSubscribeBody, parseSuppressBody, parseUnsubscribeBody, type ProfileEntry, type SubscribeJob } from './bulk-job-bodies.js';
import {
  JOB_READ_SCOPES,
  SUBSCRIBE_PATH,
  SUBSCRIBE_SCOPES,
  SUPPRESS_JOB_FIELDS,
  SUPPRESS_JOB_TYPE,
  SUPPRESS_PATH,
  SUPPRESS_SCOPES,
  UNSUBSCRIBE_PATH,
  UNSUBSCRIBE_SCOPES,
  UNSUPPRESS_JOB_TYPE,
  UNSUPPRESS_PATH,
  UNSUPPRESS_SCOPES,
} from '../rules/bulk-jobs-contract.js';
import { smsRegionRefusal } from '../rules/sms-regions.js';
import { consentTimestamp, subscribe, suppress, unsubscribe, unsuppress, type Channel, type ConsentEvent } from '../store/consent-changes.js';
import type { ConsentWriter } from '../store/consent-writer.js';
import {
  JSON_API,
  errorResponse,
  invalidBody,
  invalidParameter,
  malformedBody,
  notFound,
  unsupportedMediaType,
  type SimulatedResponse,
} from '../rules/error-responses.js';
import { makeProfileId } from '../store/ids.js';
import type { Rng } from '../generation/prng.js';
import type { ListCatalog } from '../store/list-catalog.js';
import type { ProfileStore } from '../store/profile-store.js';
import { QueryError } from '../rules/query-error.js';
import { collectParameters, parseListParameters, type ParameterRules } from './query-params.js';
import { admit, type GuardContext } from '../rules/request-guard.js';
import type { LimitedEndpoint } from '../rules/rate-limits.js';

export const BULK_JOB_PATHS: readonly string[] = [SUBSCRIBE_PATH, UNSUBSCRIBE_PATH, SUPPRESS_PATH, UNSUPPRESS_PATH];

/** A suppression or unsuppression job, as its status endpoint reports it. */
interface SuppressionJob {
  type: typeof SUPPRESS_JOB_TYPE | typeof UNSUPPRESS_JOB_TYPE;
  id: string;
  status: 'queued' | 'complete';
  createdAt: string;
  completedAt: string | null;
  total: number;
  listId?: string;
  segmentId?: string;
}

/** A subscribe waiting for the person to confirm it (double opt-in). */
export interface PendingOptIn {
  slot: number;
  channel: Channel;
  listId?: string;
  customSource: string | null;
}

export interface WriteContext extends GuardContext {
  baseUrl: string;
  lists: ListCatalog;
  store: ProfileStore;
  writer: ConsentWriter;
  jobIds: Rng;
  /** Runs an accepted job's changes: at once, or after the simulator's write delay (Klaviyo applies jobs asynchronously). */
  schedule(apply: (atMs: number) => void): void;
  /** Suppression jobs by id, for their status endpoint. */
  jobs: Map<string, SuppressionJob>;
  /** Double opt-in subscribes waiting for confirmation (KlaviyoSimulator.confirmDoubleOptIns). */
  pendingOptIns: PendingOptIn[];
  /** With no list given, whether the account's default opt-in process is double opt-in. */
  doubleOptInByDefault: boolean;
  /** Countries (ISO 3166 alpha-2) with an SMS sending number; undefined: every country. */
  smsCountries: ReadonlySet<string> | undefined;
}

interface WriteRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const MEDIA_TYPES = new Set(['application/vnd.api+json', 'application/json']);
const SUPPRESS_PARAMETERS: ParameterRules = { [`fields[${SUPPRESS_JOB_TYPE}]`]: SUPPRESS_JOB_FIELDS };
const UNSUPPRESS_PARAMETERS: ParameterRules = { [`fields[${UNSUPPRESS_JOB_TYPE}]`]: SUPPRESS_JOB_FIELDS };

const OPERATIONS: Record<string, { scopes: readonly string[]; endpoint: LimitedEndpoint; parameters: ParameterRules }> = {
  [SUBSCRIBE_PATH]: { scopes: SUBSCRIBE_SCOPES, endpoint: 'subscribe', parameters: {} },
  [UNSUBSCRIBE_PATH]: { scopes: UNSUBSCRIBE_SCOPES, endpoint: 'unsubscribe', parameters: {} },
  [SUPPRESS_PATH]: { scopes: SUPPRESS_SCOPES, endpoint: 'suppress', parameters: SUPPRESS_PARAMETERS },
  [UNSUPPRESS_PATH]: { scopes: UNSUPPRESS_SCOPES, endpoint: 'unsuppress', parameters: UNSUPPRESS_PARAMETERS },
};

/**
 * POST of one of the four consent jobs, checked in Klaviyo's order (authentication, scopes, the job's own rate
 * limit, revision, then the request). The whole request is validated before anything changes: one invalid
 * profile refuses the batch with 400 (klaviyo-rules.md). An accepted job answers 202 and is applied through
 * `context.schedule`, as Klaviyo applies jobs asynchronously.
 */
export function postBulkJob(path: string, request: WriteRequest, context: WriteContext, nowMs: number): SimulatedResponse {
  const operation = OPERATIONS[path];
  if (!operation) return notFound();
  const admission = admit(request.headers, context, operation.scopes, operation.endpoint, nowMs);
  if (admission.refused) return admission.refused;
  try {
    const url = new URL(request.url, context.baseUrl);
    const parameters = collectParameters(url.searchParams, operation.parameters, `POST ${path}`);
    const mediaType = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
    if (mediaType === undefined || !MEDIA_TYPES.has(mediaType)) return unsupportedMediaType(request.headers['content-type']);
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch (error) {
      return malformedBody(`JSON parse error - ${error instanceof Error ? error.message : String(error)}`);
    }
    if (path === SUBSCRIBE_PATH) return acceptSubscribe(body, context, nowMs);
    if (path === UNSUBSCRIBE_PATH) return acceptUnsubscribe(body, context);
    const type = path === SUPPRESS_PATH ? SUPPRESS_JOB_TYPE : UNSUPPRESS_JOB_TYPE;
    return acceptSuppression(type, body, context, nowMs, parseListParameters(parameters, operation.parameters).get(`fields[${type}]`));
  } catch (error) {
    if (error instanceof BodyError) return invalidBody(error.pointer, error.detail);
    if (error instanceof QueryError) return invalidParameter(error.parameter, error.detail);
    throw error;
  }
}

/** GET of a suppression or unsuppression job by id (subscription jobs have no status endpoint). */
export function getSuppressionJob(path: string, request: { url: string; headers: IncomingHttpHeaders }, context: WriteContext, nowMs: number): SimulatedResponse {
  const base = path.startsWith(`${SUPPRESS_PATH}/`) ? SUPPRESS_PATH : UNSUPPRESS_PATH;
  const admission = admit(request.headers, context, JOB_READ_SCOPES, base === SUPPRESS_PATH ? 'suppress' : 'unsuppress', nowMs);
  if (admission.refused) return admission.refused;
  const id = path.slice(base.length + 1).replace(/\/$/, '');
  const job = context.jobs.get(id);
  const type = base === SUPPRESS_PATH ? SUPPRESS_JOB_TYPE : UNSUPPRESS_JOB_TYPE;
  if (!job || job.type !== type) return errorResponse(404, 'not_found', 'Not found.', `No ${type} with id ${id}.`, { pointer: '/data/' });
  return { status: 200, headers: { 'Content-Type': JSON_API, ...admission.rateHeaders }, body: JSON.stringify(jobDocument(job, context.baseUrl, base, undefined)) };
}

const ACCEPTED: SimulatedResponse = { status: 202, headers: {}, body: '' };

/**
 * A list relationship naming no list of the account. Klaviyo's exact answer is not documented; a 404 keeps the
 * simulator's data whole (every list suppression names a list Get Lists serves) and is no more lenient than
 * Klaviyo could be.
 */
const unknownList = (id: string): SimulatedResponse =>
  errorResponse(404, 'not_found', 'Not found.', `A list with id ${id} does not exist in this account.`, { pointer: '/data/relationships/list/data/id' });

/** A list event's properties as Klaviyo's list events carry them: the list's name (`List`), no id. */
function listProperties(context: WriteContext, listId: string): { List: string } {
  return { List: context.lists.byId(listId)?.name ?? listId };
}

function isDoubleOptIn(job: { listId?: string }, context: WriteContext): boolean {
  if (job.listId === undefined) return context.doubleOptInByDefault;
  return context.lists.byId(job.listId)?.opt_in_process === 'double_opt_in';
}

function acceptSubscribe(body: unknown, context: WriteContext, nowMs: number): SimulatedResponse {
  const job = parseSubscribeBody(body, nowMs);
  if (job.listId !== undefined && !context.lists.byId(job.listId)) return unknownList(job.listId);
  const doubleOptIn = isDoubleOptIn(job, context);
  const resolved = job.profiles.map((entry) => resolve(entry, context.store));
  for (const [i, entry] of job.profiles.entries()) checkSms(entry, resolved[i], job, doubleOptIn, context);
  context.schedule((atMs) => applySubscribe(job, doubleOptIn, context, atMs));
  return ACCEPTED;
}

/**
 * Klaviyo's SMS refusals (klaviyo-rules.md, SDK changelogs for 2024-05-15): a subscribe carrying consented_at
 * to a double opt-in list, and a phone number whose region has no sending number on the account.
 */
function checkSms(entry: ProfileEntry, slot: number | undefined, job: SubscribeJob, doubleOptIn: boolean, context: WriteContext): void {
  const sms = entry.channels.filter((channel) => channel.startsWith('sms.'));
  if (sms.length === 0) return;
  const pointer = `${entry.pointer}/attributes/subscriptions/sms`;
  if (doubleOptIn && sms.some((channel) => entry.consentedAtMs[channel] !== undefined)) {
    throw new BodyError(`${pointer}/marketing/consented_at`, `consented_at cannot be given for SMS to a double opt-in list${job.listId ? ` (${job.listId})` : ''}.`);
  }
  const phone = entry.phoneNumber ?? (slot === undefined ? undefined : context.store.attributesOf(slot).phone_number ?? undefined);
  const refusal = phone === undefined ? undefined : smsRegionRefusal(phone, context.smsCountries);
  if (refusal) throw new BodyError(`${entry.pointer}/attributes/phone_number`, refusal);
}

function applySubscribe(job: SubscribeJob, doubleOptIn: boolean, context: WriteContext, atMs: number): void {
  for (const entry of job.profiles) {
    const slot = resolveQuietly(entry, context.store) ?? findOrCreate(entry, context, atMs);
    // A double opt-in subscribe waits for the person's confirmation; a historical import records consent
    // collected elsewhere and skips it (Bulk Subscribe reference).
    const pending = entry.channels.filter((channel) => doubleOptIn && (channel === 'email.marketing' || channel === 'sms.marketing') && entry.consentedAtMs[channel] === undefined);
    for (const channel of pending) context.pendingOptIns.push({ slot, channel, ...(job.listId === undefined ? {} : { listId: job.listId }), customSource: job.customSource });
    context.writer.apply(slot, atMs, (attributes) => {
      adoptIdentifiers(attributes, entry);
      const events: ConsentEvent[] = entry.channels
        .filter((channel) => !pending.includes(channel))
        .flatMap((channel) =>
          subscribe(attributes, channel, atMs, {
            ...(job.listId === undefined ? {} : { listId: job.listId }),
            customSource: job.customSource,
            ...(entry.consentedAtMs[channel] === undefined ? {} : { consentedAtMs: entry.consentedAtMs[channel] }),
          }),
        );
      if (job.listId !== undefined && pending.length < entry.channels.length) {
        // Dated as the subscribe it goes with: at the consent's own time for a historical import.
        const consentedAtMs = Object.values(entry.consentedAtMs).find((at) => at !== undefined);
        events.push({ metric: 'subscribedToList', properties: listProperties(context, job.listId), ...(consentedAtMs === undefined ? {} : { atMs: consentedAtMs }) });
      }
      return events;
    });
  }
}

/** The person confirms every pending double opt-in: each is subscribed then, with double_optin true. */
export function confirmPendingOptIns(context: WriteContext, atMs: number): number {
  const pending = context.pendingOptIns.splice(0);
  for (const optIn of pending) {
    context.writer.apply(optIn.slot, atMs, (attributes) => {
      const events = subscribe(attributes, optIn.channel, atMs, { ...(optIn.listId === undefined ? {} : { listId: optIn.listId }), customSource: optIn.customSource });
      const marketing = attributes.subscriptions?.email?.marketing;
      if (optIn.channel === 'email.marketing' && marketing) marketing.double_optin = true;
      if (optIn.listId !== undefined) events.push({ metric: 'subscribedToList', properties: listProperties(context, optIn.listId) });
      return events;
    });
  }
  return pending.length;
}

function acceptUnsubscribe(body: unknown, context: WriteContext): SimulatedResponse {
  const job = parseUnsubscribeBody(body);
  if (job.listId !== undefined && !context.lists.byId(job.listId)) return unknownList(job.listId);
  for (const entry of job.profiles) resolve(entry, context.store);
  context.schedule((atMs) => {
    for (const entry of job.profiles) {
      const slot = resolveQuietly(entry, context.store) ?? findOrCreate(entry, context, atMs);
      context.writer.apply(slot, atMs, (attributes) => {
        adoptIdentifiers(attributes, entry);
        const listOption = job.listId === undefined ? {} : { listId: job.listId, listName: context.lists.byId(job.listId)?.name ?? job.listId };
        return entry.channels.flatMap((channel) => unsubscribe(attributes, channel, atMs, listOption));
      });
    }
  });
  return ACCEPTED;
}

function acceptSuppression(type: SuppressionJob['type'], body: unknown, context: WriteContext, nowMs: number, fields: readonly string[] | undefined): SimulatedResponse {
  const parsed = parseSuppressBody(body, type);
  if (parsed.listId !== undefined && !context.lists.byId(parsed.listId)) return unknownList(parsed.listId);
  const job: SuppressionJob = {
    type,
    id: makeProfileId(nowMs, context.jobIds),
    status: 'queued',
    createdAt: consentTimestamp(nowMs),
    completedAt: null,
    total: parsed.emails.length,
    ...(parsed.listId === undefined ? {} : { listId: parsed.listId }),
    ...(parsed.segmentId === undefined ? {} : { segmentId: parsed.segmentId }),
  };
  context.jobs.set(job.id, job);
  context.schedule((atMs) => {
    for (const { email } of parsed.emails) {
      const existing = context.store.slotByIdentity('email', email);
      if (type === SUPPRESS_JOB_TYPE) {
        const slot = existing ?? context.writer.createProfile({ email }, atMs);
        context.writer.apply(slot, atMs, (attributes) => suppress(attributes, 'USER_SUPPRESSED', atMs));
      } else if (existing !== undefined) {
        context.writer.apply(existing, atMs, (attributes) => unsuppress(attributes, atMs));
      }
    }
    // List and segment membership is not simulated: suppressing a list's members suppresses nobody.
    job.status = 'complete';
    job.completedAt = consentTimestamp(atMs);
  });
  const base = type === SUPPRESS_JOB_TYPE ? SUPPRESS_PATH : UNSUPPRESS_PATH;
  return { status: 202, headers: { 'Content-Type': JSON_API }, body: JSON.stringify(jobDocument(job, context.baseUrl, base, fields)) };
}

function jobDocument(job: SuppressionJob, baseUrl: string, base: string, fields: readonly string[] | undefined) {
  const complete = job.status === 'complete';
  const attributes: Record<string, unknown> = {
    status: job.status,
    created_at: job.createdAt,
    total_count: job.total,
    completed_count: complete ? job.total : 0,
    completed_at: job.completedAt,
    skipped_count: 0,
  };
  const selected = fields ? Object.fromEntries(Object.entries(attributes).filter(([name]) => fields.includes(name))) : attributes;
  const url = `${baseUrl}${base}/${job.id}`;
  const related = (name: string) => ({ self: `${url}/relationships/${name}/`, related: `${url}/${name}/` });
  return {
    data: {
      type: job.type,
      id: job.id,
      attributes: selected,
      relationships: {
        lists: { data: job.listId === undefined ? [] : [{ type: 'list', id: job.listId }], links: related('lists') },
        segments: { data: job.segmentId === undefined ? [] : [{ type: 'segment', id: job.segmentId }], links: related('segments') },
      },
      links: { self: `${url}/` },
    },
    links: { self: `${baseUrl}${base}/` },
  };
}

/**
 * The existing profile an entry names (by id, else email, else phone number), checking before anything
 * is written that the profile will have the identifier each of its channels needs.
 */
function resolve(entry: ProfileEntry, store: ProfileStore): number | undefined {
  let slot: number | undefined;
  if (entry.id !== undefined) {
    slot = store.slotOf(entry.id);
    if (slot === undefined) throw new BodyError(`${entry.pointer}/id`, `There is no profile with id '${entry.id}'.`);
  }
  if (slot === undefined && entry.email !== undefined) slot = store.slotByIdentity('email', entry.email);
  if (slot === undefined && entry.phoneNumber !== undefined) slot = store.slotByIdentity('phone_number', entry.phoneNumber);
  const existing = slot === undefined ? undefined : store.attributesOf(slot);
  const hasEmail = entry.email !== undefined || typeof existing?.email === 'string';
  const hasPhone = entry.phoneNumber !== undefined || typeof existing?.phone_number === 'string';
  for (const channel of entry.channels) {
    if (channel.startsWith('email.') && !hasEmail) {
      throw new BodyError(`${entry.pointer}/attributes/email`, `An email is required for the email channel.`);
    }
    if ((channel.startsWith('sms.') || channel.startsWith('whatsapp.')) && !hasPhone) {
      throw new BodyError(`${entry.pointer}/attributes/phone_number`, `A phone_number is required for the ${channel.split('.')[0]} channel.`);
    }
  }
  return slot;
}

/** At apply time: the profile may have been deleted, or created by another job, since the request was accepted. */
function resolveQuietly(entry: ProfileEntry, store: ProfileStore): number | undefined {
  return (
    (entry.id === undefined ? undefined : store.slotOf(entry.id)) ??
    (entry.email === undefined ? undefined : store.slotByIdentity('email', entry.email)) ??
    (entry.phoneNumber === undefined ? undefined : store.slotByIdentity('phone_number', entry.phoneNumber))
  );
}

/** An entry with no existing profile: found now if an earlier entry of the same request created it, else created. */
function findOrCreate(entry: ProfileEntry, context: WriteContext, nowMs: number): number {
  const { store, writer } = context;
  const found =
    (entry.email === undefined ? undefined : store.slotByIdentity('email', entry.email)) ??
    (entry.phoneNumber === undefined ? undefined : store.slotByIdentity('phone_number', entry.phoneNumber));
  if (found !== undefined) return found;
  return writer.createProfile(
    { ...(entry.email === undefined ? {} : { email: entry.email }), ...(entry.phoneNumber === undefined ? {} : { phone_number: entry.phoneNumber }) },
    nowMs,
  );
}

/** Identifiers given for a profile that lacks them, or has others, become the profile's. */
function adoptIdentifiers(attributes: { email?: string | null; phone_number?: string | null }, entry: ProfileEntry): void {
  if (entry.email !== undefined && attributes.email?.toLowerCase() !== entry.email.toLowerCase()) attributes.email = entry.email;
  if (entry.phoneNumber !== undefined && attributes.phone_number !== entry.phoneNumber) attributes.phone_number = entry.phoneNumber;
}

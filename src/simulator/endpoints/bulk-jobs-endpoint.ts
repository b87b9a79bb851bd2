import type { IncomingHttpHeaders } from 'node:http';
import { BodyError } from './body-reader.js';
import { parseSubscribeBody, parseSuppressBody, parseUnsubscribeBody, type ProfileEntry } from './bulk-job-bodies.js';
import {
  SUBSCRIBE_PATH,
  SUBSCRIBE_SCOPES,
  SUPPRESS_JOB_FIELDS,
  SUPPRESS_JOB_TYPE,
  SUPPRESS_PATH,
  SUPPRESS_SCOPES,
  UNSUBSCRIBE_PATH,
  UNSUBSCRIBE_SCOPES,
} from '../rules/bulk-jobs-contract.js';
import { consentTimestamp, subscribe, suppress, unsubscribe, type ConsentEvent } from '../store/consent-changes.js';
import type { ConsentWriter } from '../store/consent-writer.js';
import {
  JSON_API,
  errorResponse,
  invalidBody,
  invalidParameter,
  malformedBody,
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

export const BULK_JOB_PATHS: readonly string[] = [SUBSCRIBE_PATH, UNSUBSCRIBE_PATH, SUPPRESS_PATH];

export interface WriteContext extends GuardContext {
  baseUrl: string;
  lists: ListCatalog;
  store: ProfileStore;
  writer: ConsentWriter;
  jobIds: Rng;
}

interface WriteRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const MEDIA_TYPES = new Set(['application/vnd.api+json', 'application/json']);
const SUPPRESS_PARAMETERS: ParameterRules = { [`fields[${SUPPRESS_JOB_TYPE}]`]: SUPPRESS_JOB_FIELDS };

/**
 * POST of one of the three consent jobs, checked in Klaviyo's order (authentication, scopes, the job's own
 * rate limit, revision, then the request) and applied at once: the jobs complete before the response. A
 * request with any invalid profile changes nothing.
 */
export function postBulkJob(path: string, request: WriteRequest, context: WriteContext, nowMs: number): SimulatedResponse {
  const scopes = path === SUPPRESS_PATH ? SUPPRESS_SCOPES : path === SUBSCRIBE_PATH ? SUBSCRIBE_SCOPES : UNSUBSCRIBE_SCOPES;
  const endpoint = path === SUPPRESS_PATH ? 'suppress' : path === SUBSCRIBE_PATH ? 'subscribe' : 'unsubscribe';
  const admission = admit(request.headers, context, scopes, endpoint, nowMs);
  if (admission.refused) return admission.refused;
  try {
    const url = new URL(request.url, context.baseUrl);
    const parameters = collectParameters(url.searchParams, path === SUPPRESS_PATH ? SUPPRESS_PARAMETERS : {}, `POST ${path}`);
    const mediaType = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
    if (mediaType === undefined || !MEDIA_TYPES.has(mediaType)) return unsupportedMediaType(request.headers['content-type']);
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch (error) {
      return malformedBody(`JSON parse error - ${error instanceof Error ? error.message : String(error)}`);
    }
    if (path === SUBSCRIBE_PATH) return applySubscribe(body, context, nowMs);
    if (path === UNSUBSCRIBE_PATH) return applyUnsubscribe(body, context, nowMs);
    return applySuppress(body, context, nowMs, parseListParameters(parameters, SUPPRESS_PARAMETERS).get(`fields[${SUPPRESS_JOB_TYPE}]`));
  } catch (error) {
    if (error instanceof BodyError) return invalidBody(error.pointer, error.detail);
    if (error instanceof QueryError) return invalidParameter(error.parameter, error.detail);
    throw error;
  }
}

const ACCEPTED: SimulatedResponse = { status: 202, headers: {}, body: '' };

/**
 * A list relationship naming no list of the account. Klaviyo's exact answer is not documented; a 404 keeps the
 * simulator's data whole (every list suppression names a list Get Lists serves) and is no more lenient than
 * Klaviyo could be.
 */
const unknownList = (id: string): SimulatedResponse =>
  errorResponse(404, 'not_found', 'Not found.', `A list with id ${id} does not exist in this account.`, { pointer: '/data/relationships/list/data/id' });

function applySubscribe(body: unknown, context: WriteContext, nowMs: number): SimulatedResponse {
  const job = parseSubscribeBody(body, nowMs);
  if (job.listId !== undefined && !context.lists.byId(job.listId)) return unknownList(job.listId);
  const resolved = job.profiles.map((entry) => resolve(entry, context.store));
  for (const [i, entry] of job.profiles.entries()) {
    const slot = resolved[i] ?? findOrCreate(entry, context, nowMs);
    context.writer.apply(slot, nowMs, (attributes) => {
      adoptIdentifiers(attributes, entry);
      const events: ConsentEvent[] = entry.channels.flatMap((channel) =>
        subscribe(attributes, channel, nowMs, {
          ...(job.listId === undefined ? {} : { listId: job.listId }),
          customSource: job.customSource,
          ...(entry.consentedAtMs[channel] === undefined ? {} : { consentedAtMs: entry.consentedAtMs[channel] }),
        }),
      );
      if (job.listId !== undefined) events.push({ metric: 'subscribedToList', properties: { list_id: job.listId } });
      return events;
    });
  }
  return ACCEPTED;
}

function applyUnsubscribe(body: unknown, context: WriteContext, nowMs: number): SimulatedResponse {
  const job = parseUnsubscribeBody(body);
  if (job.listId !== undefined && !context.lists.byId(job.listId)) return unknownList(job.listId);
  const resolved = job.profiles.map((entry) => resolve(entry, context.store));
  for (const [i, entry] of job.profiles.entries()) {
    const slot = resolved[i] ?? findOrCreate(entry, context, nowMs);
    context.writer.apply(slot, nowMs, (attributes) => {
      adoptIdentifiers(attributes, entry);
      const listOption = job.listId === undefined ? {} : { listId: job.listId };
      return entry.channels.flatMap((channel) => unsubscribe(attributes, channel, nowMs, listOption));
    });
  }
  return ACCEPTED;
}

function applySuppress(body: unknown, context: WriteContext, nowMs: number, fields: readonly string[] | undefined): SimulatedResponse {
  const job = parseSuppressBody(body);
  if (job.listId !== undefined && !context.lists.byId(job.listId)) return unknownList(job.listId);
  for (const { email } of job.emails) {
    const slot = context.store.slotByIdentity('email', email) ?? context.writer.createProfile({ email }, nowMs);
    context.writer.apply(slot, nowMs, (attributes) => suppress(attributes, 'USER_SUPPRESSED', nowMs));
  }
  // List and segment membership is not simulated: suppressing a list's members suppresses nobody.
  const id = makeProfileId(nowMs, context.jobIds);
  const at = consentTimestamp(nowMs);
  const count = job.emails.length;
  const attributes: Record<string, unknown> = {
    status: 'complete',
    created_at: at,
    total_count: count,
    completed_count: count,
    completed_at: at,
    skipped_count: 0,
  };
  const selected = fields ? Object.fromEntries(Object.entries(attributes).filter(([name]) => fields.includes(name))) : attributes;
  const url = `${context.baseUrl}${SUPPRESS_PATH}/${id}`;
  const related = (name: string) => ({ self: `${url}/relationships/${name}/`, related: `${url}/${name}/` });
  const document = {
    data: {
      type: SUPPRESS_JOB_TYPE,
      id,
      attributes: selected,
      relationships: {
        lists: { data: job.listId === undefined ? [] : [{ type: 'list', id: job.listId }], links: related('lists') },
        segments: { data: job.segmentId === undefined ? [] : [{ type: 'segment', id: job.segmentId }], links: related('segments') },
      },
      links: { self: `${url}/` },
    },
    links: { self: `${context.baseUrl}${SUPPRESS_PATH}/` },
  };
  return { status: 202, headers: { 'Content-Type': JSON_API }, body: JSON.stringify(document) };
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

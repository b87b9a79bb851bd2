import {
  BodyError,
  arrayAt,
  checkEmail,
  checkPhoneNumber,
  dateTimeAt,
  expectConstant,
  objectAt,
  oneOf,
  optionalBoolean,
  optionalString,
  relationshipId,
  required,
  type JsonObject,
} from './body-reader.js';
import {
  EARLIEST_CONSENTED_AT_MS,
  MAX_SUBSCRIBE_PROFILES,
  MAX_SUPPRESS_PROFILES,
  MAX_UNSUBSCRIBE_PROFILES,
  SUBSCRIBE_JOB_TYPE,
  SUPPRESS_JOB_TYPE,
  UNSUBSCRIBE_JOB_TYPE,
} from '../rules/bulk-jobs-contract.js';
import type { Channel } from '../store/consent-changes.js';

/** One profile of a subscribe or unsubscribe job, with the channels it names. */
export interface ProfileEntry {
  pointer: string;
  id?: string;
  email?: string;
  phoneNumber?: string;
  channels: Channel[];
  /** Historical imports only: `consented_at` per channel. */
  consentedAtMs: Partial<Record<Channel, number>>;
}

export interface SubscribeJob {
  listId?: string;
  customSource: string | null;
  profiles: ProfileEntry[];
}

export interface UnsubscribeJob {
  listId?: string;
  profiles: ProfileEntry[];
}

export interface SuppressJob {
  emails: Array<{ pointer: string; email: string }>;
  listId?: string;
  segmentId?: string;
}

type Direction = 'subscribe' | 'unsubscribe';

/** The channels and message types each direction accepts, as in SubscriptionChannels / UnsubscriptionChannels. */
const CHANNEL_KINDS: Record<Direction, Record<string, readonly string[]>> = {
  subscribe: { email: ['marketing', 'open_tracking'], sms: ['marketing', 'transactional'], whatsapp: ['marketing', 'transactional'], push: ['marketing'] },
  unsubscribe: {
    email: ['marketing', 'open_tracking'],
    sms: ['marketing', 'transactional'],
    whatsapp: ['marketing', 'transactional', 'conversational'],
    push: ['marketing'],
  },
};

/** POST /api/profile-subscription-bulk-create-jobs, per SubscriptionCreateJobCreateQuery. */
export function parseSubscribeBody(body: unknown, nowMs: number): SubscribeJob {
  const data = jobData(body, SUBSCRIBE_JOB_TYPE);
  const attributes = objectAt(required(data, 'attributes', '/data', SUBSCRIBE_JOB_TYPE), '/data/attributes', SUBSCRIBE_JOB_TYPE, [
    'custom_source',
    'profiles',
    'historical_import',
  ]);
  const historical = optionalBoolean(attributes, 'historical_import', '/data/attributes') === true;
  const customSource = optionalString(attributes, 'custom_source', '/data/attributes') ?? null;
  const listId = listOf(data);
  const items = profilesData(attributes, MAX_SUBSCRIBE_PROFILES, true);
  const profiles = items.map((item, i) => profileEntry(item, `/data/attributes/profiles/data/${i}`, 'subscribe', { historical, nowMs }));
  return { ...(listId === undefined ? {} : { listId }), customSource, profiles };
}

/** POST /api/profile-subscription-bulk-delete-jobs, per SubscriptionDeleteJobCreateQuery. */
export function parseUnsubscribeBody(body: unknown): UnsubscribeJob {
  const data = jobData(body, UNSUBSCRIBE_JOB_TYPE);
  const attributes = objectAt(required(data, 'attributes', '/data', UNSUBSCRIBE_JOB_TYPE), '/data/attributes', UNSUBSCRIBE_JOB_TYPE, ['profiles']);
  const listId = listOf(data);
  const items = profilesData(attributes, MAX_UNSUBSCRIBE_PROFILES, true);
  const profiles = items.map((item, i) => profileEntry(item, `/data/attributes/profiles/data/${i}`, 'unsubscribe', { historical: false, nowMs: 0 }));
  return { ...(listId === undefined ? {} : { listId }), profiles };
}

/**
 * POST /api/profile-suppression-bulk-create-jobs (SuppressionCreateJobCreateQuery) or, with the delete-job
 * type, /api/profile-suppression-bulk-delete-jobs (SuppressionDeleteJobCreateQuery): the same shape.
 */
export function parseSuppressBody(body: unknown, type: string = SUPPRESS_JOB_TYPE): SuppressJob {
  const data = jobData(body, type);
  const attributes = objectAt(required(data, 'attributes', '/data', type), '/data/attributes', type, ['profiles']);
  const relationships = data['relationships'] === undefined ? {} : objectAt(data['relationships'], '/data/relationships', type, ['list', 'segment']);
  const listId = relationships['list'] === undefined ? undefined : relationshipId(relationships['list'], '/data/relationships/list', 'list');
  const segmentId = relationships['segment'] === undefined ? undefined : relationshipId(relationships['segment'], '/data/relationships/segment', 'segment');
  const items = attributes['profiles'] === undefined || attributes['profiles'] === null ? [] : profilesData(attributes, MAX_SUPPRESS_PROFILES, false);
  if (items.length === 0 && listId === undefined && segmentId === undefined) {
    const verb = type === SUPPRESS_JOB_TYPE ? 'suppress' : 'unsuppress';
    throw new BodyError('/data/attributes/profiles', `Give profiles to ${verb}, or a list or segment whose members to ${verb}.`);
  }
  const emails = items.map((item, i) => {
    const pointer = `/data/attributes/profiles/data/${i}`;
    const profile = objectAt(item, pointer, 'profile', ['type', 'attributes']);
    expectConstant(required(profile, 'type', pointer, 'profile'), 'profile', `${pointer}/type`);
    const profileAttributes = objectAt(required(profile, 'attributes', pointer, 'profile'), `${pointer}/attributes`, 'profile', ['email']);
    required(profileAttributes, 'email', `${pointer}/attributes`, 'profile');
    const email = optionalString(profileAttributes, 'email', `${pointer}/attributes`, false) ?? '';
    return { pointer: `${pointer}/attributes/email`, email: checkEmail(email, `${pointer}/attributes/email`) };
  });
  return { emails, ...(listId === undefined ? {} : { listId }), ...(segmentId === undefined ? {} : { segmentId }) };
}

function jobData(body: unknown, type: string): JsonObject {
  const document = objectAt(body, '', type, ['data']);
  const data = objectAt(required(document, 'data', '', type), '/data', type, ['type', 'attributes', 'relationships']);
  expectConstant(required(data, 'type', '/data', type), type, '/data/type');
  return data;
}

function listOf(data: JsonObject): string | undefined {
  if (data['relationships'] === undefined) return undefined;
  const relationships = objectAt(data['relationships'], '/data/relationships', String(data['type']), ['list']);
  return relationships['list'] === undefined ? undefined : relationshipId(relationships['list'], '/data/relationships/list', 'list');
}

function profilesData(attributes: JsonObject, max: number, isRequired: boolean): unknown[] {
  const pointer = '/data/attributes/profiles';
  const value = isRequired ? required(attributes, 'profiles', '/data/attributes', 'profiles') : attributes['profiles'];
  const profiles = objectAt(value, pointer, 'profiles', ['data']);
  return arrayAt(required(profiles, 'data', pointer, 'profiles'), `${pointer}/data`, 1, max);
}

function profileEntry(item: unknown, pointer: string, direction: Direction, context: { historical: boolean; nowMs: number }): ProfileEntry {
  const subscribing = direction === 'subscribe';
  const profile = objectAt(item, pointer, 'profile', subscribing ? ['type', 'id', 'attributes'] : ['type', 'attributes']);
  expectConstant(required(profile, 'type', pointer, 'profile'), 'profile', `${pointer}/type`);
  const attributesPointer = `${pointer}/attributes`;
  const allowed = subscribing ? ['email', 'phone_number', 'subscriptions', 'age_gated_date_of_birth'] : ['email', 'phone_number', 'subscriptions'];
  const attributes = objectAt(required(profile, 'attributes', pointer, 'profile'), attributesPointer, 'profile', allowed);

  const id = subscribing ? optionalString(profile, 'id', pointer) : undefined;
  const email = optionalString(attributes, 'email', attributesPointer);
  const phoneNumber = optionalString(attributes, 'phone_number', attributesPointer);
  if (typeof email === 'string') checkEmail(email, `${attributesPointer}/email`);
  if (typeof phoneNumber === 'string') checkPhoneNumber(phoneNumber, `${attributesPointer}/phone_number`);
  const birth = optionalString(attributes, 'age_gated_date_of_birth', attributesPointer);
  if (typeof birth === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(birth)) {
    throw new BodyError(`${attributesPointer}/age_gated_date_of_birth`, `'${birth}' is not a date like 1990-01-31.`);
  }
  if (!id && !email && !phoneNumber) {
    throw new BodyError(attributesPointer, subscribing ? 'Give an id, an email or a phone_number for each profile.' : 'Give an email or a phone_number for each profile.');
  }

  const subscriptionsPointer = `${attributesPointer}/subscriptions`;
  const subscriptions = objectAt(required(attributes, 'subscriptions', attributesPointer, 'profile'), subscriptionsPointer, 'subscriptions', [
    'email',
    'sms',
    'whatsapp',
    'push',
  ]);
  const channels: Channel[] = [];
  const consentedAtMs: Partial<Record<Channel, number>> = {};
  for (const [channelName, kinds] of Object.entries(CHANNEL_KINDS[direction])) {
    const raw = subscriptions[channelName];
    if (raw === undefined || raw === null) continue;
    const channelPointer = `${subscriptionsPointer}/${channelName}`;
    const extra = channelName === 'push' ? (subscribing ? ['tokens', 'anonymous_id'] : ['tokens']) : [];
    const channel = objectAt(raw, channelPointer, channelName, [...kinds, ...extra]);
    if (channelName === 'push') checkPush(channel, channelPointer, subscribing);
    for (const kind of kinds) {
      const parameters = channel[kind];
      if (parameters === undefined || parameters === null) continue;
      const name = `${channelName}.${kind}` as Channel;
      const consentedAt = consentParameters(parameters, `${channelPointer}/${kind}`, direction, kind === 'open_tracking' ? false : context.historical, context.nowMs);
      channels.push(name);
      if (consentedAt !== undefined) consentedAtMs[name] = consentedAt;
    }
  }
  if (channels.length === 0) throw new BodyError(subscriptionsPointer, 'Name at least one channel and message type, e.g. {"email": {"marketing": {...}}}.');
  return {
    pointer,
    ...(id ? { id } : {}),
    ...(email ? { email } : {}),
    ...(phoneNumber ? { phoneNumber } : {}),
    channels,
    consentedAtMs,
  };
}

/** SubscriptionParameters / UnsubscriptionParameters; returns `consented_at` of a historical import. */
function consentParameters(value: unknown, pointer: string, direction: Direction, historical: boolean, nowMs: number): number | undefined {
  const allowsConsentedAt = direction === 'subscribe' && !pointer.endsWith('/open_tracking');
  const parameters = objectAt(value, pointer, 'subscription', allowsConsentedAt ? ['consent', 'consented_at'] : ['consent']);
  oneOf(required(parameters, 'consent', pointer, 'subscription'), [direction === 'subscribe' ? 'SUBSCRIBED' : 'UNSUBSCRIBED'], `${pointer}/consent`);
  const raw = parameters['consented_at'];
  if (raw === undefined || raw === null) {
    if (historical) throw new BodyError(`${pointer}/consented_at`, 'consented_at is required when historical_import is true.');
    return undefined;
  }
  if (!historical) throw new BodyError(`${pointer}/consented_at`, 'consented_at may only be given when historical_import is true.');
  const consentedAt = dateTimeAt(raw, `${pointer}/consented_at`);
  if (consentedAt >= nowMs) throw new BodyError(`${pointer}/consented_at`, 'consented_at must be in the past.');
  if (consentedAt < EARLIEST_CONSENTED_AT_MS) throw new BodyError(`${pointer}/consented_at`, 'consented_at must be no earlier than 1990-01-01.');
  return consentedAt;
}

/** PushSubscriptionParameters / PushUnsubscriptionParameters: marketing is required, and tokens too when unsubscribing. */
function checkPush(push: JsonObject, pointer: string, subscribing: boolean): void {
  required(push, 'marketing', pointer, 'push');
  const tokens = subscribing ? push['tokens'] : required(push, 'tokens', pointer, 'push');
  if (tokens === undefined || tokens === null) return;
  arrayAt(tokens, `${pointer}/tokens`, 0, 1000).forEach((token, i) => {
    const tokenPointer = `${pointer}/tokens/${i}`;
    const entry = objectAt(token, tokenPointer, 'push-token', ['token', 'platform', 'vendor', 'enablement_status', 'background', 'device_metadata']);
    required(entry, 'token', tokenPointer, 'push-token');
    optionalString(entry, 'token', tokenPointer, false);
    oneOf(required(entry, 'platform', tokenPointer, 'push-token'), ['android', 'ios'], `${tokenPointer}/platform`);
    oneOf(required(entry, 'vendor', tokenPointer, 'push-token'), ['apns', 'fcm'], `${tokenPointer}/vendor`);
  });
  if (subscribing) optionalString(push, 'anonymous_id', pointer);
}

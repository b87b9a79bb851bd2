import type { KlaviyoClient } from '../klaviyo/client.js';
import { keyOf, lookupProfiles, type LookupField } from '../klaviyo/profile-lookup.js';
import type { ProfileResource } from '../klaviyo/types.js';
import type { WriteRequest } from './decisions.js';

/** Which profile a record speaks for, as Klaviyo's identifiers resolve it. */
export type Resolution =
  | { kind: 'found'; profile: ProfileResource }
  /** No profile has any of the record's identifiers: a subscribe may create one. */
  | { kind: 'none' }
  /** The record names a Klaviyo id that no profile has. */
  | { kind: 'missing-id' }
  /** Its identifiers find different profiles: one record cannot speak for two people. */
  | { kind: 'ambiguous'; reason: string };

const FIELDS: readonly LookupField[] = ['id', 'email', 'phone_number', 'external_id'];

function valueOf(profile: ProfileResource, field: LookupField): string | undefined {
  const value = field === 'id' ? profile.id : profile.attributes[field];
  return typeof value === 'string' ? value : undefined;
}

function sameValue(field: LookupField, a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && keyOf(field, a) === keyOf(field, b);
}

/**
 * Resolves every record of a batch to the profile it speaks for, looking up each identifier it carries: the
 * first (id, else email, else phone number, else external id) for every record, then, only where the profile
 * found does not already hold the record's other identifiers, those too (a synced-out table's rows need no
 * second lookup). Klaviyo keeps emails, phone numbers and external ids unique per profile, so a record whose
 * identifiers find two profiles is ambiguous, and a record found by any identifier is judged against that
 * profile's consent: an opt-out recorded under the phone number is never overturned because the email was new.
 */
export async function resolveProfiles(client: KlaviyoClient, batch: readonly WriteRequest[]): Promise<Map<WriteRequest, Resolution>> {
  const found = new Map<string, ProfileResource>();
  const lookup = async (wanted: Map<LookupField, Set<string>>) => {
    for (const [field, values] of wanted) {
      const fresh = [...values].filter((value) => !found.has(`${field}:${keyOf(field, value)}`));
      if (fresh.length === 0) continue;
      for (const [key, profile] of await lookupProfiles(client, field, fresh)) found.set(`${field}:${key}`, profile);
    }
  };
  const want = (wanted: Map<LookupField, Set<string>>, field: LookupField, value: string) => wanted.set(field, (wanted.get(field) ?? new Set()).add(value));

  const first = new Map<LookupField, Set<string>>();
  for (const request of batch) {
    const field = FIELDS.find((f) => request.identifiers[f] !== undefined);
    if (field) want(first, field, request.identifiers[field] as string);
  }
  await lookup(first);

  const second = new Map<LookupField, Set<string>>();
  for (const request of batch) {
    const primary = FIELDS.find((f) => request.identifiers[f] !== undefined);
    if (!primary) continue;
    const profile = found.get(`${primary}:${keyOf(primary, request.identifiers[primary] as string)}`);
    if (primary === 'id' && !profile) continue;
    for (const field of FIELDS) {
      const value = request.identifiers[field];
      if (field === primary || value === undefined || field === 'id') continue;
      if (profile && sameValue(field, valueOf(profile, field), value)) continue;
      want(second, field, value);
    }
  }
  await lookup(second);

  const resolutions = new Map<WriteRequest, Resolution>();
  for (const request of batch) {
    const hits: Array<[LookupField, ProfileResource]> = [];
    for (const field of FIELDS) {
      const value = request.identifiers[field];
      if (value === undefined) continue;
      const profile = found.get(`${field}:${keyOf(field, value)}`);
      if (profile) hits.push([field, profile]);
      else if (field === 'id') {
        resolutions.set(request, { kind: 'missing-id' });
        break;
      }
    }
    if (resolutions.has(request)) continue;
    const ids = new Set(hits.map(([, profile]) => profile.id));
    if (ids.size > 1) {
      const said = hits.map(([field, profile]) => `${field} finds profile ${profile.id}`).join(', ');
      resolutions.set(request, { kind: 'ambiguous', reason: `its identifiers name different Klaviyo profiles (${said}); one record cannot speak for two people: split it, or correct the identifier` });
    } else if (hits[0]) resolutions.set(request, { kind: 'found', profile: hits[0][1] });
    else resolutions.set(request, { kind: 'none' });
  }
  return resolutions;
}

/** The keys a record is known by before any lookup: `field:value`, emails in lower case. */
export function identifierKeys(identifiers: WriteRequest['identifiers']): string[] {
  return FIELDS.flatMap((field) => (identifiers[field] === undefined ? [] : [`${field}:${keyOf(field, identifiers[field] as string)}`]));
}

/**
 * The keys under which a record claims a profile in a batch: the profile's id and every identifier it or the
 * profile has. Two records sharing a key are about the same person and are written one after the other.
 */
export function claimKeys(request: WriteRequest, resolution: Resolution): string[] {
  const keys = identifierKeys(request.identifiers);
  if (resolution.kind === 'found') {
    for (const field of FIELDS) {
      const value = valueOf(resolution.profile, field);
      if (value !== undefined) keys.push(`${field}:${keyOf(field, value)}`);
    }
  }
  return keys;
}

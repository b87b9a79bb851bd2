import { sleep } from '../common/sleep.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { keyOf, lookupProfiles } from '../klaviyo/profile-lookup.js';
import type { ProfileResource } from '../klaviyo/types.js';
import { suppressionJobStatus } from '../klaviyo/write-jobs.js';
import { currentConsent } from './current.js';
import type { WriteChannel } from './decisions.js';
import type { SentChange } from './send.js';

export type Confirmation = 'confirmed' | 'pending' | 'unconfirmed';

/** Whether Klaviyo's profile now shows the change. */
function shows(sent: SentChange, profile: ProfileResource | undefined): boolean {
  if (!profile) return false;
  const now = currentConsent(profile);
  const { change } = sent;
  switch (change.action) {
    case 'subscribe':
      return now.channels[change.subject as WriteChannel].consent === 'SUBSCRIBED';
    case 'unsubscribe':
      return now.channels[change.subject as WriteChannel].consent === 'UNSUBSCRIBED';
    case 'suppress':
      return now.suppressions.length > 0;
    case 'unsuppress':
      return !now.suppressions.some((s) => s.reason === 'USER_SUPPRESSED');
  }
}

/**
 * Klaviyo answers 202 and applies later, and its subscribe and unsubscribe jobs have no status endpoint: the
 * only confirmation is reading the profiles back (klaviyo-rules.md). Polls the suppression jobs until
 * complete, then the profiles, backing off from 250 ms to 2 s, until every change shows or `timeoutMs` passes.
 * A subscribe sent without historical_import that never shows is pending: a double opt-in waits for the person.
 */
export async function confirmChanges(client: KlaviyoClient, sent: SentChange[], timeoutMs: number): Promise<Map<SentChange, Confirmation>> {
  const result = new Map<SentChange, Confirmation>();
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  const jobs = new Map<string, 'suppress' | 'unsuppress'>();
  for (const s of sent) if (s.jobId !== undefined && (s.kind === 'suppress' || s.kind === 'unsuppress')) jobs.set(s.jobId, s.kind);
  while (jobs.size > 0 && Date.now() < deadline) {
    for (const [id, kind] of [...jobs]) {
      const status = await suppressionJobStatus(client, kind, id);
      if (status === 'complete' || status === 'cancelled') jobs.delete(id);
    }
    if (jobs.size > 0) {
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      delay = Math.min(2000, delay * 2);
    }
  }
  let open = [...sent];
  delay = 250;
  for (;;) {
    const byId = await lookupProfiles(client, 'id', open.flatMap((s) => (s.change.profileId === undefined ? [] : [s.change.profileId])));
    const emails = open.filter((s) => s.change.profileId === undefined && s.change.address.includes('@')).map((s) => s.change.address);
    const phones = open.filter((s) => s.change.profileId === undefined && !s.change.address.includes('@')).map((s) => s.change.address);
    const byEmail = emails.length > 0 ? await lookupProfiles(client, 'email', emails) : new Map<string, ProfileResource>();
    const byPhone = phones.length > 0 ? await lookupProfiles(client, 'phone_number', phones) : new Map<string, ProfileResource>();
    open = open.filter((s) => {
      const profile =
        s.change.profileId !== undefined
          ? byId.get(s.change.profileId)
          : s.change.address.includes('@')
            ? byEmail.get(keyOf('email', s.change.address))
            : byPhone.get(s.change.address);
      if (!shows(s, profile)) return true;
      result.set(s, 'confirmed');
      return false;
    });
    if (open.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(2000, delay * 2);
  }
  for (const s of open) {
    const optIn = s.immediate && (s.change.subject === 'email' || s.change.subject === 'sms');
    result.set(s, optIn ? 'pending' : 'unconfirmed');
  }
  return result;
}

import type { Logger } from '../common/logger.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { KlaviyoBadRequestError } from '../klaviyo/errors.js';
import { JOB_LIMITS, jobBody, postJob, type JobKind, type JobProfile, type JobSubscriptions } from '../klaviyo/write-jobs.js';
import { WRITE_CHANNELS, type SubjectChange, type WriteChannel } from './decisions.js';

/** One profile of a job, and the changes it carries. */
interface Entry {
  profile: JobProfile;
  changes: SubjectChange[];
}

export interface SentChange {
  change: SubjectChange;
  /** A subscribe sent without historical_import: a double opt-in may hold it. */
  immediate: boolean;
  /** The suppression job that carries it, to poll. */
  jobId?: string;
  kind: JobKind;
}

export interface SendResult {
  accepted: SentChange[];
  rejected: Array<{ change: SubjectChange; reason: string }>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function subscriptionsOf(changes: SubjectChange[], consent: 'SUBSCRIBED' | 'UNSUBSCRIBED'): JobSubscriptions {
  const subscriptions: JobSubscriptions = {};
  for (const change of changes) {
    const [channel, kind] = WRITE_CHANNELS[change.subject as WriteChannel].path;
    const parameters = { consent, ...(change.consentedAtMs === undefined ? {} : { consented_at: iso(change.consentedAtMs) }) };
    (subscriptions[channel] ??= {})[kind] = parameters;
  }
  return subscriptions;
}

/** The job entries of one kind: one profile per record (and, for subscribes, per historical or not). */
function entriesOf(kind: JobKind, changes: SubjectChange[]): Array<{ historical: boolean; entry: Entry }> {
  const groups = new Map<string, SubjectChange[]>();
  for (const change of changes) {
    const historical = change.consentedAtMs !== undefined;
    const key = `${change.request.position}:${kind === 'subscribe' && historical ? 'h' : 'n'}:${kind === 'suppress' || kind === 'unsuppress' ? change.address : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as SubjectChange;
    const historical = first.consentedAtMs !== undefined;
    if (kind === 'suppress' || kind === 'unsuppress') return { historical: false, entry: { profile: { email: first.address }, changes: group } };
    const email = group.find((c) => WRITE_CHANNELS[c.subject as WriteChannel].needs === 'email')?.address;
    const phone = group.find((c) => WRITE_CHANNELS[c.subject as WriteChannel].needs === 'phone_number')?.address;
    const profile: JobProfile = {
      ...(kind === 'subscribe' && first.profileId !== undefined ? { id: first.profileId } : {}),
      ...(email === undefined ? {} : { email }),
      ...(phone === undefined ? {} : { phone_number: phone }),
      subscriptions: subscriptionsOf(group, kind === 'subscribe' ? 'SUBSCRIBED' : 'UNSUBSCRIBED'),
    };
    return { historical, entry: { profile, changes: group } };
  });
}

/**
 * Sends the changes as Klaviyo's jobs, within its per-request limits. A job refused with 400 fails as a whole
 * (klaviyo-rules.md), so the entry Klaviyo's error points at is taken out, reported with Klaviyo's reason, and
 * the rest is sent again; where the error names no entry, the batch is halved until the bad one is alone.
 */
export async function sendChanges(client: KlaviyoClient, changes: SubjectChange[], options: { listId: string | undefined; logger: Logger }): Promise<SendResult> {
  const result: SendResult = { accepted: [], rejected: [] };
  // Opt-outs first: if a run dies half-way, what reached Klaviyo is the safer half.
  for (const kind of ['unsubscribe', 'suppress', 'unsuppress', 'subscribe'] as const) {
    const mine = changes.filter((change) => change.action === kind);
    if (mine.length === 0) continue;
    const entries = entriesOf(kind, mine);
    for (const historical of [true, false]) {
      const group = entries.filter((e) => e.historical === historical).map((e) => e.entry);
      for (let i = 0; i < group.length; i += JOB_LIMITS[kind]) {
        await sendIsolating(client, kind, group.slice(i, i + JOB_LIMITS[kind]), { listId: options.listId, historical }, result);
      }
    }
  }
  return result;
}

async function sendIsolating(client: KlaviyoClient, kind: JobKind, entries: Entry[], options: { listId: string | undefined; historical: boolean }, result: SendResult): Promise<void> {
  let pending = entries;
  while (pending.length > 0) {
    const body = jobBody(
      kind,
      pending.map((e) => e.profile),
      { ...(options.listId === undefined ? {} : { listId: options.listId }), historicalImport: kind === 'subscribe' && options.historical },
    );
    try {
      const jobId = await postJob(client, kind, body);
      for (const entry of pending) {
        for (const change of entry.changes) result.accepted.push({ change, kind, immediate: kind === 'subscribe' && !options.historical, ...(jobId === undefined ? {} : { jobId }) });
      }
      return;
    } catch (error) {
      if (!(error instanceof KlaviyoBadRequestError) || error.cursorRefused) throw error;
      const reason = `Klaviyo refused it: ${error.said ?? error.message}`;
      const index = Number(/\/data\/attributes\/profiles\/data\/(\d+)/.exec(error.field ?? '')?.[1]);
      if (Number.isInteger(index) && index < pending.length) {
        for (const change of (pending[index] as Entry).changes) result.rejected.push({ change, reason });
        pending = pending.filter((_, i) => i !== index);
        continue;
      }
      if (pending.length === 1) {
        for (const change of (pending[0] as Entry).changes) result.rejected.push({ change, reason });
        return;
      }
      const middle = Math.ceil(pending.length / 2);
      await sendIsolating(client, kind, pending.slice(0, middle), options, result);
      await sendIsolating(client, kind, pending.slice(middle), options, result);
      return;
    }
  }
}

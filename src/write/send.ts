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

/**
 * Klaviyo refuses a consented_at that is not in the past; input allows a few minutes of clock skew, so a time
 * just ahead of ours is sent as a second ago.
 */
const consentedAt = (ms: number) => iso(Math.min(ms, Date.now() - 1000));

/** Whether a change is an SMS subscribe carrying a consent time (a historical import). */
const isTimedSms = (change: SubjectChange) => change.consentedAtMs !== undefined && WRITE_CHANNELS[change.subject as WriteChannel]?.needs === 'phone_number';

function subscriptionsOf(changes: SubjectChange[], consent: 'SUBSCRIBED' | 'UNSUBSCRIBED'): JobSubscriptions {
  const subscriptions: JobSubscriptions = {};
  for (const change of changes) {
    const [channel, kind] = WRITE_CHANNELS[change.subject as WriteChannel].path;
    const parameters = { consent, ...(change.consentedAtMs === undefined ? {} : { consented_at: consentedAt(change.consentedAtMs) }) };
    (subscriptions[channel] ??= {})[kind] = parameters;
  }
  return subscriptions;
}

/** How a group of entries is sent: as a historical import or not, and into the configured list or not. */
interface Route {
  historical: boolean;
  withList: boolean;
}

/**
 * The job entries of one kind: one profile per record, split by route. With a double opt-in list, Klaviyo
 * refuses an SMS subscribe carrying consented_at (klaviyo-rules.md), so timed SMS subscribes go without the list.
 */
function entriesOf(kind: JobKind, changes: SubjectChange[], listDoubleOptIn: boolean): Array<{ route: Route; entry: Entry }> {
  const groups = new Map<string, { route: Route; changes: SubjectChange[] }>();
  for (const change of changes) {
    const route: Route = { historical: kind === 'subscribe' && change.consentedAtMs !== undefined, withList: !(kind === 'subscribe' && listDoubleOptIn && isTimedSms(change)) };
    const key = `${change.request.position}:${route.historical}:${route.withList}:${kind === 'suppress' || kind === 'unsuppress' ? change.address : ''}`;
    const group = groups.get(key) ?? { route, changes: [] };
    group.changes.push(change);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ route, changes: group }) => ({ route, entry: entryOf(kind, group) }));
}

function entryOf(kind: JobKind, group: SubjectChange[]): Entry {
  const first = group[0] as SubjectChange;
  if (kind === 'suppress' || kind === 'unsuppress') return { profile: { email: first.address }, changes: group };
  const email = group.find((c) => WRITE_CHANNELS[c.subject as WriteChannel].needs === 'email')?.address;
  const phone = group.find((c) => WRITE_CHANNELS[c.subject as WriteChannel].needs === 'phone_number')?.address;
  const profile: JobProfile = {
    ...(kind === 'subscribe' && first.profileId !== undefined ? { id: first.profileId } : {}),
    ...(email === undefined ? {} : { email }),
    ...(phone === undefined ? {} : { phone_number: phone }),
    subscriptions: subscriptionsOf(group, kind === 'subscribe' ? 'SUBSCRIBED' : 'UNSUBSCRIBED'),
  };
  return { profile, changes: group };
}

/**
 * Sends the changes as Klaviyo's jobs, within its per-request limits. A job refused with 400 fails as a whole
 * (klaviyo-rules.md), so the entry Klaviyo's error points at is taken out, reported with Klaviyo's reason, and
 * the rest is sent again; where the error names no entry, the batch is halved until the bad one is alone.
 */
export async function sendChanges(
  client: KlaviyoClient,
  changes: SubjectChange[],
  options: { listId: string | undefined; listDoubleOptIn?: boolean; logger: Logger },
): Promise<SendResult> {
  const result: SendResult = { accepted: [], rejected: [] };
  // Opt-outs first: if a run dies half-way, what reached Klaviyo is the safer half.
  for (const kind of ['unsubscribe', 'suppress', 'unsuppress', 'subscribe'] as const) {
    const mine = changes.filter((change) => change.action === kind);
    if (mine.length === 0) continue;
    const entries = entriesOf(kind, mine, options.listId !== undefined && options.listDoubleOptIn === true);
    for (const historical of [true, false]) {
      for (const withList of [true, false]) {
        const group = entries.filter((e) => e.route.historical === historical && e.route.withList === withList).map((e) => e.entry);
        if (!withList && options.listId !== undefined) {
          for (const change of group.flatMap((e) => e.changes)) {
            change.note = [change.note, `subscribed without list ${options.listId}: it asks for double opt-in, and Klaviyo refuses an SMS consent time (historical import) into such a list`].filter(Boolean).join('; ');
          }
        }
        const listId = withList ? options.listId : undefined;
        for (let i = 0; i < group.length; i += JOB_LIMITS[kind]) {
          await sendIsolating(client, kind, group.slice(i, i + JOB_LIMITS[kind]), { listId, historical }, result);
        }
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
        const bad = pending[index] as Entry;
        pending = pending.filter((_, i) => i !== index);
        if (bad.changes.length > 1) {
          for (const change of bad.changes) await sendIsolating(client, kind, [entryOf(kind, [change])], options, result);
        } else for (const change of bad.changes) result.rejected.push({ change, reason });
        continue;
      }
      if (pending.length === 1) {
        const only = pending[0] as Entry;
        if (only.changes.length > 1) {
          // One profile's email and SMS go in one entry; Klaviyo refusing one channel must not take the other down.
          for (const change of only.changes) await sendIsolating(client, kind, [entryOf(kind, [change])], options, result);
          return;
        }
        for (const change of only.changes) result.rejected.push({ change, reason });
        return;
      }
      const middle = Math.ceil(pending.length / 2);
      await sendIsolating(client, kind, pending.slice(0, middle), options, result);
      await sendIsolating(client, kind, pending.slice(middle), options, result);
      return;
    }
  }
}

import type { Logger } from '../common/logger.js';
import type { DestinationSettings } from '../config/parse-destination-config.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { keyOf, lookupProfiles, type LookupField } from '../klaviyo/profile-lookup.js';
import type { ProfileResource } from '../klaviyo/types.js';
import { confirmChanges } from './confirm.js';
import { currentConsent } from './current.js';
import type { Outcome, OutcomeKind, SubjectChange, WriteRequest } from './decisions.js';
import { readRecord } from './input.js';
import { planRecord } from './plan.js';
import { sendChanges } from './send.js';

/** The settings the engine reads: the destination's, whichever face parsed them. */
export type WriteOptions = Pick<DestinationSettings, 'mode' | 'listId' | 'historicalImport' | 'dryRun' | 'verify' | 'verifyTimeoutSeconds'>;

/** Records planned and written together: as many as one subscribe job takes. */
export const BATCH_RECORDS = 1000;

/** Which identifier finds a record's profile: Klaviyo's id first, then email, phone number, external id. */
function lookupKey(identifiers: WriteRequest['identifiers']): [LookupField, string] {
  if (identifiers.id) return ['id', identifiers.id];
  if (identifiers.email) return ['email', identifiers.email];
  if (identifiers.phone_number) return ['phone_number', identifiers.phone_number];
  return ['external_id', identifiers.external_id ?? ''];
}

/**
 * The write engine: records in, outcomes out. Records are read at once (a bad one is rejected on the spot),
 * then planned and written a batch at a time: read Klaviyo's current consent for the batch, plan each record
 * by the safety rules, send the jobs, confirm them. `flush` returns only once every record added so far has an
 * outcome, so a face may pass a STATE on after it. Knows nothing of Airbyte or Singer.
 */
export class WriteSession {
  private pending: WriteRequest[] = [];
  private pendingKeys = new Set<string>();
  private position = 0;
  readonly counts: Record<OutcomeKind, number> = { applied: 0, unchanged: 0, conflict: 0, rejected: 0, skipped: 0, pending: 0, unconfirmed: 0 };
  private readonly requestsBefore: number;
  private readonly writesBefore: number;

  constructor(
    private readonly client: KlaviyoClient,
    private readonly options: WriteOptions,
    private readonly logger: Logger,
  ) {
    this.requestsBefore = client.requestCount;
    this.writesBefore = client.writeRequestCount;
  }

  /**
   * Takes one record. Returns the outcomes known now: its rejection if it cannot be read, and those of a batch
   * written first, when the batch is full or already holds a record for the same profile (two decisions for
   * one profile in one batch would both be judged against the same, older state).
   */
  async add(data: unknown, stream: string): Promise<Outcome[]> {
    this.position += 1;
    const read = readRecord(data, this.position, stream, Date.now());
    if ('rejected' in read) return this.tally([read.rejected]);
    const key = lookupKey(read.request.identifiers).join(':').toLowerCase();
    const earlier = this.pendingKeys.has(key) || this.pending.length >= BATCH_RECORDS ? await this.flush() : [];
    this.pending.push(read.request);
    this.pendingKeys.add(key);
    return earlier;
  }

  /** Plans, writes and confirms every record taken so far; resolves with their outcomes. */
  async flush(): Promise<Outcome[]> {
    const batch = this.pending;
    this.pending = [];
    this.pendingKeys = new Set();
    if (batch.length === 0) return [];
    const profiles = await this.currentProfiles(batch);
    const outcomes: Outcome[] = [];
    const changes: SubjectChange[] = [];
    for (const request of batch) {
      const [field, value] = lookupKey(request.identifiers);
      const profile = profiles.get(`${field}:${keyOf(field, value)}`);
      if (!profile && field === 'id') {
        for (const decision of request.decisions) outcomes.push({ position: request.position, stream: request.stream, identifiers: request.identifiers, subject: decision.subject, outcome: 'rejected', reason: `Klaviyo has no profile with id ${value}` });
        continue;
      }
      const plan = planRecord(request, profile ? currentConsent(profile) : undefined, this.options);
      outcomes.push(...plan.outcomes);
      changes.push(...plan.changes);
    }
    if (this.options.dryRun) {
      for (const change of changes) outcomes.push(this.outcomeOf(change, 'applied', `would ${change.action}${change.note ? `; ${change.note}` : ''} (dry run: nothing written)`, true));
      return this.tally(outcomes);
    }
    const sent = await sendChanges(this.client, changes, { listId: this.options.listId, logger: this.logger });
    for (const { change, reason } of sent.rejected) outcomes.push(this.outcomeOf(change, 'rejected', reason));
    if (!this.options.verify) {
      for (const { change } of sent.accepted) outcomes.push(this.outcomeOf(change, 'applied', `${change.action} accepted by Klaviyo (not confirmed: verify is off)${change.note ? `; ${change.note}` : ''}`));
      return this.tally(outcomes);
    }
    const confirmed = await confirmChanges(this.client, sent.accepted, this.options.verifyTimeoutSeconds * 1000);
    for (const s of sent.accepted) {
      const state = confirmed.get(s) ?? 'unconfirmed';
      const { change } = s;
      if (state === 'confirmed') outcomes.push(this.outcomeOf(change, 'applied', `${change.action}d, and Klaviyo's profile shows it${change.note ? `; ${change.note}` : ''}`));
      else if (state === 'pending') outcomes.push(this.outcomeOf(change, 'pending', `Klaviyo accepted the ${change.action} but holds it: a double opt-in waits for the person to confirm (or Klaviyo is slow to apply it)`));
      else outcomes.push(this.outcomeOf(change, 'unconfirmed', `Klaviyo accepted the ${change.action} (202) but the profile did not show it within ${this.options.verifyTimeoutSeconds} s; the next run checks again`));
    }
    return this.tally(outcomes);
  }

  /** The counts, requests and outcome totals, for the faces' closing line. */
  summary(): string {
    const parts = (Object.entries(this.counts) as Array<[OutcomeKind, number]>).filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}`);
    return `${parts.join(', ') || 'no record'}${this.options.dryRun ? ' (dry run: nothing written)' : ''}; ${this.client.requestCount - this.requestsBefore} requests to Klaviyo, ${this.client.writeRequestCount - this.writesBefore} of them writes`;
  }

  private tally(outcomes: Outcome[]): Outcome[] {
    for (const outcome of outcomes) this.counts[outcome.outcome] += 1;
    return outcomes;
  }

  private outcomeOf(change: SubjectChange, outcome: OutcomeKind, reason: string, dryRun = false): Outcome {
    return {
      position: change.request.position,
      stream: change.request.stream,
      identifiers: change.request.identifiers,
      subject: change.subject,
      outcome,
      reason,
      ...(change.decidedAtMs === undefined ? {} : { decidedAt: new Date(change.decidedAtMs).toISOString() }),
      ...(change.klaviyoAtMs === undefined ? {} : { klaviyoAt: new Date(change.klaviyoAtMs).toISOString() }),
      ...(dryRun ? { dryRun: true } : {}),
    };
  }

  /** Klaviyo's profiles for a batch, keyed `field:value` by the identifier each record is looked up by. */
  private async currentProfiles(batch: WriteRequest[]): Promise<Map<string, ProfileResource>> {
    const byField = new Map<LookupField, string[]>();
    for (const request of batch) {
      const [field, value] = lookupKey(request.identifiers);
      byField.set(field, [...(byField.get(field) ?? []), value]);
    }
    const profiles = new Map<string, ProfileResource>();
    for (const [field, values] of byField) {
      for (const [key, profile] of await lookupProfiles(this.client, field, values)) profiles.set(`${field}:${key}`, profile);
    }
    return profiles;
  }
}

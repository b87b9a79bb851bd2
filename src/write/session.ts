import type { Logger } from '../common/logger.js';
import type { DestinationSettings } from '../config/parse-destination-config.js';
import type { KlaviyoClient } from '../klaviyo/client.js';
import { confirmChanges } from './confirm.js';
import { currentConsent } from './current.js';
import type { Outcome, OutcomeKind, SubjectChange, WriteRequest } from './decisions.js';
import { nearestKey } from '../config/unknown-settings.js';
import { recordSchema } from '../streams/profile-consent/schema.js';
import { KNOWN_COLUMNS, readRecord } from './input.js';
import { planRecord } from './plan.js';
import { claimKeys, identifierKeys, resolveProfiles, type Resolution } from './resolve.js';
import { sendChanges } from './send.js';

/** The settings the engine reads: the destination's, whichever face parsed them. */
export type WriteOptions = Pick<DestinationSettings, 'mode' | 'listId' | 'historicalImport' | 'dryRun' | 'verify' | 'verifyTimeoutSeconds'>;

/** Records planned and written together: as many as one subscribe job takes. */
export const BATCH_RECORDS = 1000;

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
  private readonly columnsSeen = new Set<string>();
  private listOptIn: Promise<boolean> | undefined;
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
    this.noticeColumns(data);
    const read = readRecord(data, this.position, stream, Date.now());
    if ('rejected' in read) return this.tally([read.rejected]);
    const keys = identifierKeys(read.request.identifiers);
    const earlier = keys.some((key) => this.pendingKeys.has(key)) || this.pending.length >= BATCH_RECORDS ? await this.flush() : [];
    this.pending.push(read.request);
    for (const key of keys) this.pendingKeys.add(key);
    return earlier;
  }

  /**
   * Plans, writes and confirms every record taken so far; resolves with their outcomes. Records that turn out
   * to be about the same profile (found by different identifiers) are written in turns: each is judged against
   * what Klaviyo holds after the one before it.
   */
  async flush(): Promise<Outcome[]> {
    let batch = this.pending;
    this.pending = [];
    this.pendingKeys = new Set();
    const outcomes: Outcome[] = [];
    while (batch.length > 0) {
      const resolutions = await resolveProfiles(this.client, batch);
      const claimed = new Set<string>();
      const now: Array<[WriteRequest, Resolution]> = [];
      const later: WriteRequest[] = [];
      for (const request of batch) {
        const resolution = resolutions.get(request) ?? { kind: 'none' };
        const keys = claimKeys(request, resolution);
        if (keys.some((key) => claimed.has(key))) {
          later.push(request);
          continue;
        }
        for (const key of keys) claimed.add(key);
        now.push([request, resolution]);
      }
      outcomes.push(...(await this.write(now)));
      batch = later;
    }
    return outcomes;
  }

  /** Plans, sends and confirms records that are each about a different profile. */
  private async write(batch: Array<[WriteRequest, Resolution]>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const changes: SubjectChange[] = [];
    for (const [request, resolution] of batch) {
      const refuse = (reason: string) => {
        for (const decision of request.decisions) outcomes.push({ position: request.position, stream: request.stream, identifiers: request.identifiers, subject: decision.subject, outcome: 'rejected', reason });
      };
      if (request.decisions.length > 0 && resolution.kind === 'missing-id') {
        refuse(`Klaviyo has no profile with id ${request.identifiers.id}`);
        continue;
      }
      if (request.decisions.length > 0 && resolution.kind === 'ambiguous') {
        refuse(resolution.reason);
        continue;
      }
      const plan = planRecord(request, resolution.kind === 'found' ? currentConsent(resolution.profile) : undefined, this.options);
      outcomes.push(...plan.outcomes);
      changes.push(...plan.changes);
    }
    if (this.options.dryRun) {
      for (const change of changes) outcomes.push(this.outcomeOf(change, 'applied', `would ${change.action}${change.note ? `; ${change.note}` : ''} (dry run: nothing written)`, true));
      return this.tally(outcomes);
    }
    const listDoubleOptIn = changes.some((c) => c.action === 'subscribe') ? await this.listDoubleOptIn() : false;
    const sent = await sendChanges(this.client, changes, { listId: this.options.listId, listDoubleOptIn, logger: this.logger });
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
      else if (state === 'pending') outcomes.push(this.outcomeOf(change, 'pending', `Klaviyo accepted the ${change.action} but holds it: a double opt-in waits for the person to confirm (or Klaviyo is slow to apply it). A later run sees no opt-in yet and sends it again (another confirmation message); give the decision a time so it goes as a historical import, which skips double opt-in`));
      else outcomes.push(this.outcomeOf(change, 'unconfirmed', `Klaviyo accepted the ${change.action} (202) but the profile did not show it within ${this.options.verifyTimeoutSeconds} s. Look at the profile in Klaviyo, or send the row again: a change already applied is then unchanged`));
    }
    return this.tally(outcomes);
  }

  /** Whether the configured list asks for double opt-in: read once (Get Lists), when the first subscribe goes. */
  private async listDoubleOptIn(): Promise<boolean> {
    const listId = this.options.listId;
    if (listId === undefined) return false;
    this.listOptIn ??= this.client
      .getJson<{ data?: Array<{ attributes?: { opt_in_process?: string } }> }>(
        this.client.url('/api/lists', { filter: `equals(id,${JSON.stringify(listId)})`, 'fields[list]': 'opt_in_process' }),
        'Get Lists (the opt-in process of list_id)',
      )
      .then((page) => page?.data?.[0]?.attributes?.opt_in_process === 'double_opt_in');
    return this.listOptIn;
  }

  /**
   * Warns, once per column, of a column this side does not read but whose name is close to one it does: a view
   * that misnames email_consent would otherwise have every row skipped as "no decision", silently.
   */
  private noticeColumns(data: unknown): void {
    if (typeof data !== 'object' || data === null) return;
    for (const column of Object.keys(data)) {
      if (this.columnsSeen.has(column) || this.columnsSeen.size > 10_000) continue;
      this.columnsSeen.add(column);
      if (KNOWN_COLUMNS.has(column) || column in recordSchema.properties) continue;
      // "emailconsent", "Email-Consent": the same letters first; then the nearest by spelling.
      const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
      const meant = [...KNOWN_COLUMNS].find((known) => squash(known) === squash(column)) ?? nearestKey(column, [...KNOWN_COLUMNS]);
      if (meant) this.logger.warn(`column "${column}" is not one this destination reads; did you mean ${meant}? Its values are ignored (rename it in the view or the field mapping).`);
    }
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
}

import type { CurrentConsent, SuppressionEntry } from './current.js';
import { WRITE_CHANNELS, type ConsentDecision, type Outcome, type SubjectChange, type SuppressionDecision, type WriteRequest } from './decisions.js';

/** Suppressions a subscribe lifts as a side effect (klaviyo-rules.md); bounces and invalid addresses stay. */
const LIFTED_BY_SUBSCRIBE = new Set(['UNSUBSCRIBE', 'SPAM_COMPLAINT', 'SPAM_REPORT', 'USER_SUPPRESSED']);

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export interface PlanOptions {
  mode: 'update_or_create' | 'update_only';
  historicalImport: boolean;
}

/** What to write for one record, and the outcomes already known (unchanged, conflict, rejected, skipped). */
export interface RecordPlan {
  changes: SubjectChange[];
  outcomes: Outcome[];
}

/**
 * The rules that make a write safe, for one record against Klaviyo's current state (undefined: no profile):
 * 1. write only what changes Klaviyo; 2. the newest decision wins, and a decision with no time may opt out, or
 * opt in where Klaviyo holds no opt-out, but never overturns an opt-out or a suppression; 3. never lift a
 * suppression the record does not explicitly and more recently lift. Pure: no request is made here.
 */
export function planRecord(request: WriteRequest, current: CurrentConsent | undefined, options: PlanOptions): RecordPlan {
  const outcomes: Outcome[] = [];
  const changes: SubjectChange[] = [];
  const outcome = (subject: Outcome['subject'], kind: Outcome['outcome'], reason: string, times: { decidedAt?: number; klaviyoAt?: number } = {}) => {
    const decidedAt = iso(times.decidedAt);
    const klaviyoAt = iso(times.klaviyoAt);
    outcomes.push({ position: request.position, stream: request.stream, identifiers: request.identifiers, subject, outcome: kind, reason, ...(decidedAt ? { decidedAt } : {}), ...(klaviyoAt ? { klaviyoAt } : {}) });
  };
  if (request.decisions.length === 0) {
    outcome(undefined, 'skipped', 'no decision: every consent column is null or NEVER_SUBSCRIBED, and email_suppressed is not set');
    return { changes, outcomes };
  }
  if (!current) {
    if (options.mode === 'update_only') {
      for (const decision of request.decisions) outcome(decision.subject, 'skipped', 'Klaviyo has no profile with these identifiers, and mode is update_only');
      return { changes, outcomes };
    }
    if (request.identifiers.email === undefined && request.identifiers.phone_number === undefined) {
      for (const decision of request.decisions) outcome(decision.subject, 'rejected', `Klaviyo has no profile with ${request.identifiers.id ? `id ${request.identifiers.id}` : `external_id ${request.identifiers.external_id}`}, and a new one needs an email or a phone_number`);
      return { changes, outcomes };
    }
  }
  const liftsSuppressionAt = request.decisions.find((d): d is SuppressionDecision => d.subject === 'email_suppression' && !d.suppressed)?.atMs;

  for (const decision of request.decisions) {
    if (decision.subject === 'email_suppression') {
      planSuppression(decision, current, request, changes, outcome);
      continue;
    }
    const channel = WRITE_CHANNELS[decision.subject];
    const address = addressFor(channel.needs, request, current);
    if ('problem' in address) {
      outcome(decision.subject, 'rejected', `${channel.column}: ${address.problem}`);
      continue;
    }
    const state = current?.channels[decision.subject];
    const problem = consentConflict(decision, state?.consent, state?.atMs, decision.subject === 'email' ? (current?.suppressions ?? []) : [], liftsSuppressionAt);
    if (problem) {
      outcome(decision.subject, problem.kind, problem.reason, { decidedAt: decision.atMs, klaviyoAt: problem.klaviyoAt });
      continue;
    }
    changes.push({
      request,
      ...(current ? { profileId: current.id } : {}),
      subject: decision.subject,
      action: decision.consent === 'SUBSCRIBED' ? 'subscribe' : 'unsubscribe',
      address: address.value,
      ...(decision.consent === 'SUBSCRIBED' && options.historicalImport && decision.atMs !== undefined ? { consentedAtMs: decision.atMs } : {}),
      ...(decision.atMs === undefined ? {} : { decidedAtMs: decision.atMs }),
      ...(state?.atMs === undefined ? {} : { klaviyoAtMs: state.atMs }),
    });
  }
  // A new suppression and an email subscribe cannot both be written: Klaviyo's subscribe lifts the suppression it
  // would follow. (A table synced out may say both where Klaviyo holds them, a bounce on a subscribed address;
  // only when both would be written do they contradict.)
  const suppress = changes.find((c) => c.action === 'suppress');
  const subscribe = changes.find((c) => c.action === 'subscribe' && c.subject === 'email');
  if (suppress && subscribe) {
    for (const change of [suppress, subscribe]) {
      changes.splice(changes.indexOf(change), 1);
      outcome(change.subject, 'rejected', 'email_suppressed true and email_consent SUBSCRIBED contradict each other here (a subscribe lifts the new suppression); send one of them');
    }
  }
  return { changes, outcomes };
}

/**
 * The email or phone number a decision is written to: the record's own, else Klaviyo's. A record that names
 * another address than the profile holds (found by another identifier) would change an address and its
 * consent at once, which a consent write cannot do safely: refused.
 */
function addressFor(needs: 'email' | 'phone_number', request: WriteRequest, current: CurrentConsent | undefined): { value: string } | { problem: string } {
  const given = request.identifiers[needs];
  const held = needs === 'email' ? current?.email : current?.phoneNumber;
  if (given !== undefined && held !== undefined && (needs === 'email' ? given.toLowerCase() !== held.toLowerCase() : given !== held)) {
    return { problem: `the record's ${needs} is not the one Klaviyo holds for the profile its other identifiers find; change the address in Klaviyo first, or send the record with the address Klaviyo holds` };
  }
  const value = given ?? held;
  return value === undefined ? { problem: `no ${needs} to write it with: give ${needs} in the record` } : { value };
}

function consentConflict(
  decision: ConsentDecision,
  consent: string | undefined,
  klaviyoAt: number | undefined,
  suppressions: SuppressionEntry[],
  liftsSuppressionAt: number | undefined,
): { kind: 'unchanged' | 'conflict'; reason: string; klaviyoAt?: number } | undefined {
  const column = WRITE_CHANNELS[decision.subject].column;
  if (consent === decision.consent) return { kind: 'unchanged', reason: `Klaviyo already holds ${consent}`, ...(klaviyoAt === undefined ? {} : { klaviyoAt }) };
  if (decision.atMs === undefined) {
    if (decision.consent === 'SUBSCRIBED' && consent === 'UNSUBSCRIBED') {
      return { kind: 'conflict', reason: `${column} SUBSCRIBED has no time, and a decision with no time never overturns Klaviyo's opt-out`, ...(klaviyoAt === undefined ? {} : { klaviyoAt }) };
    }
  } else if (klaviyoAt !== undefined && decision.atMs <= klaviyoAt) {
    return { kind: 'conflict', reason: `Klaviyo's ${consent ?? 'consent'} is as new as or newer than this ${decision.consent}; the newest decision wins`, klaviyoAt };
  } else if (klaviyoAt === undefined && decision.consent === 'SUBSCRIBED' && consent === 'UNSUBSCRIBED') {
    return { kind: 'conflict', reason: `Klaviyo's opt-out has no time, so this ${column} SUBSCRIBED cannot be shown to be newer; an opt-out is never overturned on a guess` };
  }
  if (decision.consent === 'SUBSCRIBED') {
    // A subscribe lifts these suppressions as a side effect. An UNSUBSCRIBE suppression is the opt-out itself,
    // which a newer opt-in overrides; a spam complaint or a manual suppression only a newer, explicit lift
    // (email_suppressed: false) in the same record may remove.
    const blocking = suppressions
      .filter((s) => LIFTED_BY_SUBSCRIBE.has(s.reason))
      .filter((s) =>
        s.reason === 'UNSUBSCRIBE'
          ? decision.atMs === undefined || s.atMs === undefined || s.atMs >= decision.atMs
          : liftsSuppressionAt === undefined || s.atMs === undefined || s.atMs >= liftsSuppressionAt,
      )
      .sort((a, b) => (b.atMs ?? 0) - (a.atMs ?? 0));
    const newest = blocking[0];
    if (newest) {
      return {
        kind: 'conflict',
        reason: `subscribing would lift Klaviyo's ${newest.reason} suppression, which this record does not more recently lift${newest.reason === 'UNSUBSCRIBE' ? '' : ' (email_suppressed: false with a newer time)'}`,
        ...(newest.atMs === undefined ? {} : { klaviyoAt: newest.atMs }),
      };
    }
  }
  return undefined;
}

function planSuppression(
  decision: SuppressionDecision,
  current: CurrentConsent | undefined,
  request: WriteRequest,
  changes: SubjectChange[],
  outcome: (subject: 'email_suppression', kind: Outcome['outcome'], reason: string, times?: { decidedAt?: number; klaviyoAt?: number }) => void,
): void {
  const suppressions = current?.suppressions ?? [];
  if (!decision.suppressed && suppressions.length === 0) {
    outcome('email_suppression', 'unchanged', 'Klaviyo holds no suppression for this email');
    return;
  }
  const resolved = addressFor('email', request, current);
  if ('problem' in resolved) {
    outcome('email_suppression', 'rejected', `email_suppressed: ${resolved.problem}`);
    return;
  }
  const address = resolved.value;
  if (decision.suppressed) {
    if (suppressions.length > 0) {
      outcome('email_suppression', 'unchanged', `Klaviyo already suppresses this email (${suppressions.map((s) => s.reason).join(', ')})`);
      return;
    }
    const email = current?.channels.email;
    if (decision.atMs !== undefined && email?.consent === 'SUBSCRIBED' && email.atMs !== undefined && email.atMs >= decision.atMs) {
      outcome('email_suppression', 'conflict', "Klaviyo's email opt-in is as new as or newer than this suppression; the newest decision wins", { decidedAt: decision.atMs, klaviyoAt: email.atMs });
      return;
    }
    changes.push({ request, ...(current ? { profileId: current.id } : {}), subject: 'email_suppression', action: 'suppress', address, ...(decision.atMs === undefined ? {} : { decidedAtMs: decision.atMs }) });
    return;
  }
  const manual = suppressions.find((s) => s.reason === 'USER_SUPPRESSED');
  const others = suppressions.filter((s) => s.reason !== 'USER_SUPPRESSED').map((s) => s.reason);
  const times = (klaviyoAt: number | undefined) => ({ ...(decision.atMs === undefined ? {} : { decidedAt: decision.atMs }), ...(klaviyoAt === undefined ? {} : { klaviyoAt }) });
  if (!manual) {
    const permanent = suppressions.filter((s) => !LIFTED_BY_SUBSCRIBE.has(s.reason));
    if (permanent.length === 0) {
      // An UNSUBSCRIBE or spam-complaint suppression goes with the email opt-out: a newer email_consent SUBSCRIBED
      // lifts it, and email_suppressed false has nothing of its own to lift. A table synced out before the
      // opt-out says false; that is not a request to overturn it.
      outcome('email_suppression', 'unchanged', `no manual suppression to lift: Klaviyo's ${others.join(', ')} suppression goes with the email opt-out, which only a newer email_consent SUBSCRIBED lifts`);
      return;
    }
    const newest = Math.max(...permanent.map((s) => s.atMs ?? Number.POSITIVE_INFINITY));
    if (decision.atMs === undefined || decision.atMs <= newest) {
      outcome('email_suppression', 'conflict', `Klaviyo's ${permanent.map((s) => s.reason).join(', ')} suppression is newer than this email_suppressed false (or its time is unknown); the newest decision wins`, times(Number.isFinite(newest) ? newest : undefined));
      return;
    }
    outcome('email_suppression', 'rejected', `not possible: Klaviyo lifts only manual (USER_SUPPRESSED) suppressions, and this email's is ${permanent.map((s) => s.reason).join(', ')} (a hard bounce or an invalid address stays until the address changes)`, times(Number.isFinite(newest) ? newest : undefined));
    return;
  }
  if (decision.atMs === undefined) {
    outcome('email_suppression', 'conflict', 'email_suppressed false has no time, and a decision with no time never lifts a suppression', manual.atMs === undefined ? {} : { klaviyoAt: manual.atMs });
    return;
  }
  if (manual.atMs !== undefined && manual.atMs >= decision.atMs) {
    outcome('email_suppression', 'conflict', "Klaviyo's suppression is as new as or newer than this lift; the newest decision wins", { decidedAt: decision.atMs, klaviyoAt: manual.atMs });
    return;
  }
  changes.push({ request, ...(current ? { profileId: current.id } : {}), subject: 'email_suppression', action: 'unsuppress', address, decidedAtMs: decision.atMs, ...(manual.atMs === undefined ? {} : { klaviyoAtMs: manual.atMs }), ...(others.length > 0 ? { note: `${others.join(', ')} stays: Klaviyo lifts only manual suppressions` } : {}) });
}

import { describe, expect, it } from 'vitest';
import { planSync } from '../../src/engine/plan-sync.js';

const now = Date.parse('2026-11-22T12:00:00Z');
const base = { mode: 'incremental' as const, startDateMs: undefined, runStartedMs: now, lookbackSeconds: 300, fullResyncDays: 7, consentEvents: true };

describe('planSync', () => {
  it('a first run reads everything and starts every detector at the run start', () => {
    const plan = planSync({ ...base, state: undefined });
    expect(plan.fullPass).toBe(true);
    expect(plan.scanLowerMs).toBeUndefined();
    expect(plan.base).toEqual({ full_pass_started: '2026-11-22T12:00:00Z', suppressions_since: '2026-11-22T12:00:00Z', events_since: '2026-11-22T12:00:00Z' });
    // the scan reads every profile as it is now: detectors 2 and 3 would only re-read the lookback
    expect(plan.suppressionsAfterMs).toBeUndefined();
    expect(plan.eventsAfterMs).toBeUndefined();
    // an interrupted first run resumes with watermarks: then they read what the scan may have passed
    const resumed = planSync({ ...base, runStartedMs: now + 3_600_000, state: { ...plan.base, updated: '2026-01-01T00:00:00Z' } });
    expect(resumed.suppressionsAfterMs).toBe(Date.parse('2026-11-22T11:55:00Z'));
    expect(resumed.eventsAfterMs).toBe(Date.parse('2026-11-22T11:55:00Z'));
  });

  it('an incremental run resumes every detector lookback earlier than its watermark', () => {
    const plan = planSync({ ...base, state: { updated: '2026-11-22T10:00:00Z', suppressions_since: '2026-11-22T11:00:00Z', events_since: '2026-11-22T11:30:00Z', last_full_pass: '2026-11-20T00:00:00Z' } });
    expect(plan.fullPass).toBe(false);
    expect(plan.scanLowerMs).toBe(Date.parse('2026-11-22T09:55:00Z'));
    expect(plan.suppressionsAfterMs).toBe(Date.parse('2026-11-22T10:55:00Z'));
    expect(plan.eventsAfterMs).toBe(Date.parse('2026-11-22T11:25:00Z'));
  });

  it('upgrades a first-version state: detectors 2 and 3 start at its cursor, and a full pass is due', () => {
    const plan = planSync({ ...base, state: { updated: '2026-11-21T00:00:00Z' } });
    expect(plan.base.suppressions_since).toBe('2026-11-21T00:00:00Z');
    expect(plan.base.events_since).toBe('2026-11-21T00:00:00Z');
    expect(plan.fullPass).toBe(true);
    expect(planSync({ ...base, fullResyncDays: 0, state: { updated: '2026-11-21T00:00:00Z' } }).fullPass).toBe(false);
  });

  it('starts a due full pass from scratch and resumes one in progress from its progress', () => {
    const due = planSync({ ...base, state: { updated: '2026-11-22T10:00:00Z', suppressions_since: '2026-11-22T10:00:00Z', events_since: '2026-11-22T10:00:00Z', last_full_pass: '2026-11-01T00:00:00Z' } });
    expect(due.fullPass).toBe(true);
    expect(due.scanLowerMs).toBeUndefined();
    expect(due.base.full_pass_started).toBe('2026-11-22T12:00:00Z');
    const resumed = planSync({ ...base, state: { ...due.base, updated: '2025-01-01T00:00:00Z' } });
    expect(resumed.fullPass).toBe(true);
    expect(resumed.base.full_pass_started).toBe('2026-11-22T12:00:00Z');
    expect(resumed.scanLowerMs).toBe(Date.parse('2024-12-31T23:55:00Z'));
  });

  it('a state in the future: nothing read now (watermarks at the run start), and a full pass due next run', () => {
    const plan = planSync({ ...base, state: { updated: '2999-01-01T00:00:00Z', events_since: '2999-01-01T00:00:00Z', suppressions_since: '2026-11-22T11:00:00Z', last_full_pass: '2026-11-21T00:00:00Z' } });
    expect(plan.stateInFuture).toBe(true);
    expect(plan.fullPass).toBe(false);
    expect(plan.base.updated).toBe('2026-11-22T12:00:00Z');
    expect(plan.base.events_since).toBe('2026-11-22T12:00:00Z');
    expect(plan.base.last_full_pass).toBeUndefined();
    const next = planSync({ ...base, runStartedMs: now + 3_600_000, state: plan.base });
    expect(next.fullPass).toBe(true);
    // a full pass recorded in the future never stops passes from falling due
    const futurePass = planSync({ ...base, state: { updated: '2026-11-22T10:00:00Z', last_full_pass: '2999-01-01T00:00:00Z' } });
    expect(futurePass.base.last_full_pass).toBeUndefined();
  });

  it('a full refresh ignores a state it did not write and runs no detector but the scan', () => {
    const plan = planSync({ ...base, mode: 'full_refresh', state: { updated: '2026-11-22T10:00:00Z', last_full_pass: '2026-11-22T00:00:00Z' } });
    expect(plan.scanLowerMs).toBeUndefined();
    expect(plan.suppressionsAfterMs).toBeUndefined();
    expect(plan.eventsAfterMs).toBeUndefined();
  });

  it('consent_events false turns detector 3 off; start_date bounds every detector', () => {
    expect(planSync({ ...base, consentEvents: false, state: { updated: '2026-11-22T10:00:00Z', last_full_pass: '2026-11-22T00:00:00Z' } }).eventsAfterMs).toBeUndefined();
    const bounded = planSync({ ...base, startDateMs: Date.parse('2026-11-22T11:00:00Z'), state: { updated: '2026-11-22T10:00:00Z', last_full_pass: '2026-11-22T00:00:00Z' } });
    expect(bounded.scanLowerMs).toBe(Date.parse('2026-11-22T11:00:00Z'));
    expect(bounded.suppressionsAfterMs).toBe(Date.parse('2026-11-22T11:00:00Z'));
  });
});

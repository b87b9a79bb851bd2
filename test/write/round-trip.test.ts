import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/logger.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { runSync } from '../../src/engine/run-sync.js';
import type { ProfileConsentRecord } from '../../src/generated/profile-consent-record.js';
import type { ProfileConsentState } from '../../src/generated/profile-consent-state.js';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { DestinationTable } from '../helpers/destination-table.js';
import { parseLines, repoRoot, runRaw, tempFile } from '../helpers/run-cli.js';
import { configFor } from '../helpers/simulator-config.js';

// Issue 12's proof: sync a table out of Klaviyo, change decisions in it, write it back through the Airbyte
// destination and, on a fresh Klaviyo, through the Singer target, sync out again. The table must equal Klaviyo, and Klaviyo the newest-wins merge the test
// computes on its own: every newer decision applied, every stale one a conflict, refused phones rejected
// with the rest of their batches applied, the report's counts exact.

const destinationBin = join(repoRoot, 'dist/bin/destination-klaviyo-consent.js');
const targetBin = join(repoRoot, 'dist/bin/target-klaviyo-consent.js');

let simulator: KlaviyoSimulator;
/** A fresh Klaviyo for each describe block. */
function withSimulator() {
  beforeAll(async () => {
    // Jobs apply 100 ms after their 202, as Klaviyo's apply later: the writer must confirm by reading back.
    // Phones in Australia (+61) cannot be texted from this account.
    simulator = await KlaviyoSimulator.start({ profiles: 1500, seed: 77, writeDelayMs: 100, smsCountries: ['US', 'CA', 'GB', 'PL', 'DE', 'BR', 'JP', 'FR'] });
  });
  afterAll(() => simulator.close());
}

async function syncOut(state: ProfileConsentState | undefined): Promise<{ records: ProfileConsentRecord[]; state: ProfileConsentState | undefined }> {
  // Klaviyo dates a historical import's subscribe event at its consented_at, here a minute before the write: the
  // default lookback (300 s) reaches it; an older one would wait for the periodic full pass (see the README).
  const settings = parseConfig(configFor(simulator, { full_resync_days: 0, lookback_seconds: 300 }));
  const records: ProfileConsentRecord[] = [];
  let last = state;
  for await (const event of runSync({ settings, streams: [{ stream: 'profile_consent', mode: 'incremental', state }], logger: silentLogger })) {
    if (event.type === 'stream_failed') throw event.error;
    if (event.type === 'records') records.push(...(event.records as ProfileConsentRecord[]));
    if (event.type === 'checkpoint') last = event.state as ProfileConsentState;
  }
  return { records, state: last };
}

const run = (bin: string, args: string[], stdin: string) => runRaw(bin, args, { stdin, timeoutMs: 120_000 });

type Row = Record<string, unknown>;
type RunResult = Awaited<ReturnType<typeof run>>;

/** How each face is run, fed and read: the round trip below is the same for both. */
interface Face {
  name: string;
  bin: string;
  args(config: string, dryRun: boolean): string[];
  /** The rows as the face's RECORD messages, then one STATE. */
  input(rows: Row[]): string;
  /** The STATE lines the face passed on. */
  states(result: RunResult): unknown[];
  /** Whether the face said the run was a dry run. */
  saidDryRun(result: RunResult): boolean;
}

const airbyte: Face = {
  name: 'the Airbyte destination',
  bin: destinationBin,
  args: (config, dryRun) => ['write', '--config', config, '--catalog', tempFile('catalog.json', { streams: [] }), ...(dryRun ? ['--dry-run'] : [])],
  input: (rows) =>
    [...rows.map((data) => JSON.stringify({ type: 'RECORD', record: { stream: 'profile_consent', data, emitted_at: 0 } })), JSON.stringify({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'profile_consent' }, stream_state: { round: 1 } } } })].join('\n'),
  states: (result) => {
    const messages = parseLines(result.stdout);
    // The closing summary comes after the last STATE, as a LOG.
    expect(messages.at(-1)?.type).toBe('LOG');
    return messages.filter((m) => m.type === 'STATE');
  },
  saidDryRun: (result) => parseLines(result.stdout).some((m) => m.type === 'LOG' && /dry run: nothing written/.test(m.log.message)),
};

const singer: Face = {
  name: 'the Singer target',
  bin: targetBin,
  args: (config, dryRun) => ['--config', config, ...(dryRun ? ['--dry-run'] : [])],
  input: (rows) =>
    [
      JSON.stringify({ type: 'SCHEMA', stream: 'profile_consent', schema: {}, key_properties: ['id'] }),
      ...rows.map((record) => JSON.stringify({ type: 'RECORD', stream: 'profile_consent', record })),
      JSON.stringify({ type: 'STATE', value: { bookmarks: { profile_consent: { round: 1 } } } }),
    ].join('\n'),
  states: (result) => result.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown),
  saidDryRun: (result) => /dry run: nothing written/.test(result.stderr),
};
const report = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { record: number; email?: string; phone_number?: string; subject: string; outcome: string; reason: string });
const posts = () => simulator.requestLog.filter((entry) => entry.method === 'POST');

describe.each([airbyte, singer])('write back to Klaviyo: a round trip through $name', (face) => {
  withSimulator();
  const table = new DestinationTable();
  let state: ProfileConsentState | undefined;
  const now = Date.now();
  const newer = new Date(now - 60_000).toISOString();
  const rows: Row[] = [];
  const expected = { applied: 0, conflict: 0, rejected: 0, unchanged: 0 };
  const staleIds = new Set<string>();
  let input = '';

  it('syncs a full table out', async () => {
    const first = await syncOut(undefined);
    table.merge(first.records);
    state = first.state;
    expect(table.rows.size).toBe(1500);
  });

  it('writes back 1,000 newer decisions, 100 new emails, 50 stale opt-ins, 20 unreachable phones and 200 unchanged rows', async () => {
    const all = [...table.rows.values()];
    const liftable = (r: ProfileConsentRecord) => (r.email_suppressions ?? []).some((s) => ['SPAM_COMPLAINT', 'USER_SUPPRESSED'].includes(String(s.reason)));
    // The simulator lets two profiles share an email, which Klaviyo does not (it merges them): a suppression
    // names an email, so the test leaves such pairs out.
    const emailCount = new Map<string, number>();
    for (const r of all) if (r.email) emailCount.set(r.email.toLowerCase(), (emailCount.get(r.email.toLowerCase()) ?? 0) + 1);
    const withEmail = all.filter((r) => r.email && emailCount.get(r.email.toLowerCase()) === 1 && r.email_consent && !liftable(r));
    // 50 stale opt-ins: older than Klaviyo's own opt-out.
    const stale = withEmail.filter((r) => r.email_consent === 'UNSUBSCRIBED' && r.email_consent_timestamp).slice(0, 50);
    for (const r of stale) rows.push({ ...r, email_consent: 'SUBSCRIBED', email_consent_timestamp: new Date(Date.parse(r.email_consent_timestamp!) - 86_400_000).toISOString() });
    for (const r of stale) staleIds.add(r.id);
    expected.conflict += stale.length;
    const used = new Set(stale.map((r) => r.id));
    // 1,000 newer decisions across email, SMS and suppressions.
    const changed = withEmail.filter((r) => !used.has(r.id)).slice(0, 1000);
    changed.forEach((r, i) => {
      used.add(r.id);
      if (i % 5 === 4 && r.phone_number && r.sms_consent) {
        rows.push({ ...r, sms_consent: r.sms_consent === 'SUBSCRIBED' ? 'UNSUBSCRIBED' : 'SUBSCRIBED', sms_consent_timestamp: newer });
      } else if (i % 5 === 3 && !r.email_suppressed) {
        rows.push({ ...r, email_suppressed: true, consent_last_changed: newer, email_consent: null });
      } else {
        rows.push({ ...r, email_consent: r.email_consent === 'SUBSCRIBED' ? 'UNSUBSCRIBED' : 'SUBSCRIBED', email_consent_timestamp: newer });
      }
    });
    expected.applied += changed.length;
    // 100 emails Klaviyo does not know, opting in.
    for (let i = 0; i < 100; i += 1) rows.push({ email: `new.${i}@example.net`, email_consent: 'SUBSCRIBED', email_consent_timestamp: newer });
    expected.applied += 100;
    // 20 phones in a region the account cannot text: Klaviyo refuses them, and only them.
    for (let i = 0; i < 20; i += 1) rows.push({ phone_number: `+6140000${String(1000 + i)}`, sms_consent: 'SUBSCRIBED', sms_consent_timestamp: newer });
    expected.rejected += 20;
    // 200 rows as they came out.
    const untouched = all.filter((r) => !used.has(r.id) && r.email_consent).slice(0, 200);
    rows.push(...untouched.map((r) => ({ ...r })));
    // Every decision a row carries that equals what Klaviyo held when the table was synced is unchanged.
    const columns = ['email_consent', 'sms_consent', 'sms_transactional_consent', 'whatsapp_marketing_consent', 'whatsapp_transactional_consent'] as const;
    for (const row of rows) {
      const original = typeof row.id === 'string' ? table.rows.get(row.id) : undefined;
      if (!original) continue;
      expected.unchanged += columns.filter((c) => (row[c] === 'SUBSCRIBED' || row[c] === 'UNSUBSCRIBED') && row[c] === original[c]).length;
      if (row.email_suppressed !== null && row.email_suppressed !== undefined && row.email_suppressed === original.email_suppressed) expected.unchanged += 1;
    }

    input = face.input(rows);
    const reportPath = tempFile('report.jsonl', '');
    simulator.resetStats();
    const config = tempFile('config.json', { api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl, report_path: reportPath });
    const result = await run(face.bin, face.args(config, false), input);
    expect(result.code, result.stderr).toBe(0);
    expect(face.states(result)).toHaveLength(1);
    const outcomes = report(reportPath);
    const counts = outcomes.reduce<Record<string, number>>((c, o) => ({ ...c, [o.outcome]: (c[o.outcome] ?? 0) + 1 }), {});
    expect(counts).toEqual(expected);
    process.stdout.write(`round trip outcomes: ${JSON.stringify(counts)}\n`);
    expect(outcomes.filter((o) => o.outcome === 'rejected').every((o) => /\+61/.test(o.phone_number ?? '') && /no SMS sending number/.test(o.reason))).toBe(true);
    expect(outcomes.filter((o) => o.outcome === 'conflict').every((o) => /newest decision wins/.test(o.reason))).toBe(true);
    // The logs name records, masked; the report holds the addresses.
    expect(result.stdout + result.stderr).not.toMatch(/new\.\d+@example\.net/);
    // Klaviyo's refusal quotes the phone number; the log line masks it.
    expect(result.stdout + result.stderr).toMatch(/no SMS sending number/);
    expect(result.stdout + result.stderr).not.toMatch(/\+6140000\d{4}/);
  });

  it('syncs out incrementally: the table equals Klaviyo, and Klaviyo the newest-wins merge', async () => {
    const next = await syncOut(state);
    table.merge(next.records);
    state = next.state;
    table.expectEqualsTruth(simulator);
    const truth = new Map(simulator.allProfiles().map((p) => [p.id, p]));
    for (const row of rows) {
      if (typeof row.id !== 'string') continue;
      const consent = truth.get(row.id)!.attributes.subscriptions;
      if (row.email_consent_timestamp === newer) expect(consent?.email?.marketing?.consent, String(row.id)).toBe(row.email_consent);
      else if (row.sms_consent_timestamp === newer) expect(consent?.sms?.marketing?.consent, String(row.id)).toBe(row.sms_consent);
      else if (row.email_suppressed === true && row.consent_last_changed === newer) expect((consent?.email?.marketing?.suppression ?? []).length, String(row.id)).toBeGreaterThan(0);
      else if (staleIds.has(row.id)) expect(consent?.email?.marketing?.consent, `stale opt-in ${row.id} must not apply`).toBe('UNSUBSCRIBED');
    }
    for (let i = 0; i < 100; i += 1) expect([...truth.values()].find((p) => p.attributes.email === `new.${i}@example.net`)?.attributes.subscriptions?.email?.marketing?.consent).toBe('SUBSCRIBED');
  });

  it('writing the same input again makes no write request but re-sending what Klaviyo refused; a dry run makes none', async () => {
    simulator.resetStats();
    const config = tempFile('config.json', { api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl });
    const again = await run(face.bin, face.args(config, false), input);
    expect(again.code, again.stderr).toBe(0);
    // Only the refused SMS subscribes go again (which regions an account can text cannot be known in advance),
    // isolated one by one as before.
    expect(posts().length).toBeGreaterThan(0);
    expect(posts().every((p) => p.url.startsWith('/api/profile-subscription-bulk-create-jobs'))).toBe(true);
    expect(posts().filter((p) => p.status === 202)).toHaveLength(0);

    simulator.resetStats();
    const dry = await run(face.bin, face.args(config, true), input);
    expect(dry.code, dry.stderr).toBe(0);
    expect(posts()).toHaveLength(0);
    expect(face.saidDryRun(dry)).toBe(true);
    // A state passed on would tell the platform these records are written.
    expect(face.states(dry)).toHaveLength(0);
  });
});

describe('write back through the Singer target', () => {
  withSimulator();
  it('applies, reports and prints each state once what came before it is confirmed', async () => {
    const subscribed = simulator.allProfiles().filter((p) => p.attributes.email && p.attributes.subscriptions?.email?.marketing?.consent === 'SUBSCRIBED' && !(p.attributes.subscriptions.email.marketing.suppression ?? []).length).slice(0, 30);
    const lines = [
      JSON.stringify({ type: 'SCHEMA', stream: 'people', schema: {}, key_properties: ['email'] }),
      ...subscribed.slice(0, 15).map((p) => JSON.stringify({ type: 'RECORD', stream: 'people', record: { email: p.attributes.email, email_consent: 'UNSUBSCRIBED' } })),
      JSON.stringify({ type: 'STATE', value: { bookmarks: { people: { at: 1 } } } }),
      ...subscribed.slice(15).map((p) => JSON.stringify({ type: 'RECORD', stream: 'people', record: { email: p.attributes.email, email_consent: 'UNSUBSCRIBED' } })),
      JSON.stringify({ type: 'RECORD', stream: 'people', record: { phone_number: '12345', sms_consent: 'SUBSCRIBED' } }),
      JSON.stringify({ type: 'STATE', value: { bookmarks: { people: { at: 2 } } } }),
    ].join('\n');
    const reportPath = tempFile('target-report.jsonl', '');
    const config = tempFile('config.json', { api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl, report_path: reportPath });
    const result = await run(targetBin, ['--config', config], lines);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ bookmarks: { people: { at: 1 } } }, { bookmarks: { people: { at: 2 } } }]);
    const outcomes = report(reportPath);
    expect(outcomes.filter((o) => o.outcome === 'applied')).toHaveLength(30);
    expect(outcomes.find((o) => o.outcome === 'rejected')?.reason).toMatch(/phone_number: not in E\.164 form/);
    for (const p of subscribed) expect(simulator.profile(p.id)?.attributes.subscriptions?.email?.marketing?.consent).toBe('UNSUBSCRIBED');
    expect(result.stderr).toMatch(/target-klaviyo-consent: 30 applied, 1 rejected/);
  });
});

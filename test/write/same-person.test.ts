import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import { parseDestinationConfig } from '../../src/config/parse-destination-config.js';
import type { ProfileResource } from '../../src/klaviyo/types.js';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { createWriteClient } from '../../src/write/client.js';
import type { Outcome } from '../../src/write/decisions.js';
import { WriteSession } from '../../src/write/session.js';
import { ofType, repoRoot, runCli, tempFile } from '../helpers/run-cli.js';

// The safety rules hold when one person arrives under several identifiers, when one entry mixes channels Klaviyo
// treats differently, and when settings or columns are misspelt (review of issue 12).

let simulator: KlaviyoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function writeAll(sim: KlaviyoSimulator, records: Array<Record<string, unknown>>, config: Record<string, unknown> = {}, logger: Logger = silentLogger): Promise<Outcome[]> {
  const settings = parseDestinationConfig({ api_key: SIMULATOR_API_KEY, base_url: sim.baseUrl, verify_timeout_seconds: 5, ...config });
  const session = new WriteSession(createWriteClient(settings, logger), settings, logger);
  const outcomes: Outcome[] = [];
  for (const record of records) outcomes.push(...(await session.add(record, 'people')));
  outcomes.push(...(await session.flush()));
  return outcomes;
}

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const emailConsent = (sim: KlaviyoSimulator, id: string) => sim.profile(id)?.attributes.subscriptions?.email?.marketing;
const cleanSubscribed = (sim: KlaviyoSimulator) =>
  sim.allProfiles().filter((p) => p.attributes.email && p.attributes.phone_number && p.attributes.subscriptions?.email?.marketing?.consent === 'SUBSCRIBED' && (p.attributes.subscriptions.email.marketing.suppression ?? []).length === 0);

describe('one person under several identifiers', () => {
  it('two records for one profile, by id and by email, are judged in turn: the stale opt-in loses to the newer opt-out', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 60, seed: 31, writeDelayMs: 30 });
    const person = cleanSubscribed(simulator)[0] as ProfileResource;
    const outcomes = await writeAll(simulator, [
      { id: person.id, email_consent: 'UNSUBSCRIBED', email_consent_timestamp: ago(1) },
      { email: person.attributes.email, email_consent: 'SUBSCRIBED', email_consent_timestamp: ago(60) },
    ]);
    expect(outcomes.map((o) => [o.position, o.outcome])).toEqual([
      [1, 'applied'],
      [2, 'conflict'],
    ]);
    expect(emailConsent(simulator, person.id)?.consent).toBe('UNSUBSCRIBED');
  });

  it('a new suppression by id is not lifted by an untimed subscribe by email for the same person', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 60, seed: 32, writeDelayMs: 30 });
    const person = simulator.allProfiles().find((p) => p.attributes.email && p.attributes.subscriptions?.email?.marketing?.consent === 'NEVER_SUBSCRIBED' && !(p.attributes.subscriptions.email.marketing.suppression ?? []).length) as ProfileResource;
    const outcomes = await writeAll(simulator, [
      { id: person.id, email_suppressed: true },
      { email: person.attributes.email, email_consent: 'SUBSCRIBED' },
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'conflict']);
    expect(emailConsent(simulator, person.id)?.suppression?.map((s) => s.reason)).toEqual(['USER_SUPPRESSED']);
  });

  it("an opt-out Klaviyo holds under the phone number is not overturned because the record's email is new", async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 60, seed: 33, writeDelayMs: 30 });
    const person = simulator.allProfiles().find((p) => p.attributes.phone_number)!;
    const phone = person.attributes.phone_number as string;
    expect((await writeAll(simulator, [{ phone_number: phone, sms_consent: 'UNSUBSCRIBED', sms_consent_timestamp: ago(1) }]))[0]?.outcome).toMatch(/applied|unchanged/);
    const [outcome] = await writeAll(simulator, [{ email: 'brand.new.address@example.com', phone_number: phone, sms_consent: 'SUBSCRIBED', sms_consent_timestamp: ago(30 * 24 * 60) }]);
    // The phone finds the profile; the new email is not its email, so the record cannot be written as it stands.
    expect(outcome?.outcome).toMatch(/conflict|rejected/);
    expect(simulator.profile(person.id)?.attributes.subscriptions?.sms?.marketing?.consent).toBe('UNSUBSCRIBED');
  });

  it("a record whose identifiers find two different profiles is rejected as ambiguous, naming both", async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 60, seed: 34 });
    const [a, b] = cleanSubscribed(simulator);
    const [outcome] = await writeAll(simulator, [{ email: a!.attributes.email, phone_number: b!.attributes.phone_number, email_consent: 'UNSUBSCRIBED' }]);
    expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(new RegExp(`${a!.id}.*${b!.id}|${b!.id}.*${a!.id}`)) });
    expect(emailConsent(simulator, a!.id)?.consent).toBe('SUBSCRIBED');
  });

  it('a record naming an unknown id with no decision is skipped, not dropped', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 10, seed: 35 });
    const outcomes = await writeAll(simulator, [{ id: '01NOSUCHPROFILE0000000000', email_consent: null }]);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'skipped' });
  });
});

describe('channels and lists Klaviyo treats differently', () => {
  it('an email and an SMS opt-in of one record: Klaviyo refusing the phone does not take the email down', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 10, seed: 36, smsCountries: ['US'] });
    const outcomes = await writeAll(simulator, [{ email: 'two.channels@example.com', phone_number: '+61400001234', email_consent: 'SUBSCRIBED', email_consent_timestamp: ago(5), sms_consent: 'SUBSCRIBED', sms_consent_timestamp: ago(5) }]);
    expect(Object.fromEntries(outcomes.map((o) => [o.subject, o.outcome]))).toEqual({ email: 'applied', sms: 'rejected' });
  });

  it('timed SMS opt-ins with a double opt-in list_id go without the list (Klaviyo refuses them into it); email still goes into the list', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 10, seed: 37 });
    const list = simulator.lists().find((l) => l.optInProcess === 'double_opt_in')!.id;
    const outcomes = await writeAll(simulator, [{ email: 'doi.sms@example.com', phone_number: '+14155550123', email_consent: 'SUBSCRIBED', email_consent_timestamp: ago(5), sms_consent: 'SUBSCRIBED', sms_consent_timestamp: ago(5) }], { list_id: list });
    expect(Object.fromEntries(outcomes.map((o) => [o.subject, o.outcome]))).toEqual({ email: 'applied', sms: 'applied' });
    expect(outcomes.find((o) => o.subject === 'sms')?.reason).toMatch(/without list/);
    const jobs = simulator.requestLog.filter((e) => e.method === 'POST' && e.url.startsWith('/api/profile-subscription-bulk-create-jobs'));
    expect(jobs.every((j) => j.status === 202)).toBe(true);
  });

  it('with list_id set, no unsubscribe names the list: the opt-out is channel-wide', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 40, seed: 38 });
    const list = simulator.lists()[0]!.id;
    const people = cleanSubscribed(simulator).slice(0, 3);
    const outcomes = await writeAll(simulator, people.map((p) => ({ id: p.id, email_consent: 'UNSUBSCRIBED' })), { list_id: list });
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied', 'applied']);
    // An unsubscribe naming the list would have left the consent SUBSCRIBED with a list suppression only.
    for (const p of people) {
      expect(emailConsent(simulator, p.id)?.consent).toBe('UNSUBSCRIBED');
      expect((emailConsent(simulator, p.id)?.list_suppressions ?? []).some((s) => s.list_id === list)).toBe(false);
    }
  });
});

describe('misspellings a writer must not guess at', () => {
  it('write refuses a config key close to a setting (dry_rn), rather than write for real', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 10, seed: 39 });
    const config = tempFile('config.json', { api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl, dry_rn: true });
    // Refused before any input is read: stdin stays empty.
    const result = await runCli(join(repoRoot, 'dist/bin/destination-klaviyo-consent.js'), ['write', '--config', config, '--catalog', tempFile('catalog.json', { streams: [] })]);
    expect(result.code).toBe(1);
    expect(ofType(result.messages, 'TRACE')[0]?.trace.error.message).toMatch(/dry_rn: unknown setting; did you mean dry_run\?.*stops rather than guess/);
    expect(simulator.requestLog.filter((e) => e.method === 'POST')).toHaveLength(0);
  });

  it('warns once of a column close to one it reads (emailconsent), naming the one meant', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 10, seed: 40 });
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const outcomes = await writeAll(simulator, [{ email: 'a@example.com', emailconsent: 'UNSUBSCRIBED' }, { email: 'b@example.com', emailconsent: 'UNSUBSCRIBED', updated: '2026-01-01T00:00:00Z' }], {}, logger);
    expect(outcomes.map((o) => o.outcome)).toEqual(['skipped', 'skipped']);
    expect(warnings).toEqual([expect.stringMatching(/column "emailconsent" .*did you mean email_consent\?/)]);
  });
});

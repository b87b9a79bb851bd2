import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/logger.js';
import { parseDestinationConfig } from '../../src/config/parse-destination-config.js';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { createWriteClient } from '../../src/write/client.js';
import { WriteSession } from '../../src/write/session.js';

let simulator: KlaviyoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function writeOne(sim: KlaviyoSimulator, config: Record<string, unknown>, record: Record<string, unknown>) {
  const settings = parseDestinationConfig({ api_key: SIMULATOR_API_KEY, base_url: sim.baseUrl, ...config });
  const session = new WriteSession(createWriteClient(settings, silentLogger), settings, silentLogger);
  return [...(await session.add(record, 'people')), ...(await session.flush())];
}

describe('confirming writes Klaviyo applies later', () => {
  it('reports a subscribe to a double opt-in list as pending, and a historical import as applied', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 20, seed: 4 });
    const list = simulator.lists().find((l) => l.optInProcess === 'double_opt_in')!.id;
    const [untimed] = await writeOne(simulator, { list_id: list, verify_timeout_seconds: 1 }, { email: 'doi.person@example.com', email_consent: 'SUBSCRIBED' });
    expect(untimed).toMatchObject({ outcome: 'pending', reason: expect.stringMatching(/double opt-in/) });
    expect(simulator.pendingDoubleOptIns).toBe(1);
    const [timed] = await writeOne(simulator, { list_id: list, verify_timeout_seconds: 1 }, { email: 'imported@example.com', email_consent: 'SUBSCRIBED', email_consent_timestamp: '2026-06-01T00:00:00Z' });
    expect(timed).toMatchObject({ outcome: 'applied' });
  });

  it('waits for a slow apply, and reports what never shows within verify_timeout_seconds as unconfirmed', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 20, seed: 4, writeDelayMs: 600 });
    const subscribed = simulator.allProfiles().filter((p) => p.attributes.email && p.attributes.subscriptions?.email?.marketing?.consent === 'SUBSCRIBED');
    const [slow] = await writeOne(simulator, { verify_timeout_seconds: 5 }, { id: subscribed[0]!.id, email_consent: 'UNSUBSCRIBED' });
    expect(slow).toMatchObject({ outcome: 'applied' });
    simulator.setWriteDelay(3000);
    const [late] = await writeOne(simulator, { verify_timeout_seconds: 1 }, { id: subscribed[1]!.id, email_consent: 'UNSUBSCRIBED' });
    expect(late).toMatchObject({ outcome: 'unconfirmed', reason: expect.stringMatching(/did not show it within 1 s/) });
  });
});

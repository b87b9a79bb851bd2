import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { airbyteBin, ofType, parseLines, runCli, tempFile } from '../helpers/run-cli.js';
import { configFor } from '../helpers/simulator-config.js';
import { stopMidRead } from '../helpers/stop-mid-read.js';
import { expectRecordMatchesTruth } from '../helpers/truth.js';

// The promise of a consent sync: whatever happens to the process or to Klaviyo, a run resumed from the last
// STATE that reached stdout ends with every profile present and every consent value equal to the truth.

let simulator: KlaviyoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

type Row = Record<string, any>; // any: record columns, compared by the truth helper

/** Runs `read` and SIGKILLs it once `killAfterStates` STATE lines have reached stdout; keeps only whole lines. */
function readUntilKilled(args: string[], killAfterStates: number): Promise<{ lines: Row[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [airbyteBin, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    let killed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!killed && (stdout.match(/"type":"STATE"/g) ?? []).length >= killAfterStates) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      // A line cut by the kill is not a message: the platform would drop it too.
      const whole = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      resolve({ lines: parseLines(whole), killed });
    });
  });
}

async function killedThreeTimesThenFinished(sim: KlaviyoSimulator, config: Record<string, unknown>) {
  const table = new Map<string, Row>();
  let state: unknown;
  const args = () => {
    const list = ['read', '--config', tempFile('config.json', configFor(sim, config)), '--catalog', tempFile('catalog.json', configuredCatalog('incremental'))];
    if (state !== undefined) list.push('--state', tempFile('state.json', state));
    return list;
  };
  let kills = 0;
  for (const killAfter of [3, 4, 5]) {
    const { lines, killed } = await readUntilKilled(args(), killAfter);
    if (killed) kills += 1;
    for (const m of ofType(lines, 'RECORD')) table.set(m.record.data.id, m.record.data);
    const last = ofType(lines, 'STATE').at(-1);
    if (last) state = [last.state];
  }
  const final = await runCli(airbyteBin, args());
  expect(final.code, final.stderr).toBe(0);
  for (const m of ofType(final.messages, 'RECORD')) table.set(m.record.data.id, m.record.data);
  return { table, kills };
}

function expectTableEqualsTruth(sim: KlaviyoSimulator, table: Map<string, Row>) {
  const truth = sim.allProfiles();
  expect(table.size).toBe(truth.length);
  for (const profile of truth) expectRecordMatchesTruth(table.get(profile.id) ?? {}, profile);
}

const slow: SimulatorOptions = { profiles: 1500, seed: 31, latencyMs: 40 };
const config = { page_size: 20, concurrency: 4 };

describe('crash safety', () => {
  it('a read SIGKILLed three times and resumed from the last STATE on stdout ends equal to the truth', async () => {
    simulator = await KlaviyoSimulator.start(slow);
    const { table, kills } = await killedThreeTimesThenFinished(simulator, config);
    expect(kills).toBe(3);
    expectTableEqualsTruth(simulator, table);
  });
});

describe('a container stop (SIGTERM) during a read', () => {
  it('ends within a second with exit 143, the last line whole, and the next run resumes from the last STATE', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 500, seed: 6, latencyMs: 300 });
    const config = tempFile('config.json', configFor(simulator, { page_size: 10 }));
    const catalog = tempFile('catalog.json', configuredCatalog('incremental'));
    const stopped = await stopMidRead(airbyteBin, ['read', '--config', config, '--catalog', catalog]);
    expect(stopped.code).toBe(143);
    expect(stopped.stoppedInMs).toBeLessThan(1000);
    expect(stopped.stdout.endsWith('\n')).toBe(true);
    const messages = parseLines(stopped.stdout);
    expect(messages.at(-1)).toMatchObject({ type: 'LOG', log: { message: expect.stringContaining('Received SIGTERM') } });
    expect(stopped.stderr).not.toMatch(/\n\s+at /);
    const states = ofType(messages, 'STATE');
    const rows = new Map<string, Row>(ofType(messages, 'RECORD').map((m) => [m.record.data.id as string, m.record.data as Row]));
    const resumed = await runCli(airbyteBin, ['read', '--config', config, '--catalog', catalog, ...(states.length > 0 ? ['--state', tempFile('state.json', states.at(-1)!.state)] : [])]);
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const m of ofType(resumed.messages, 'RECORD')) rows.set(m.record.data.id as string, m.record.data as Row);
    for (const truth of simulator.allProfiles()) expectRecordMatchesTruth(rows.get(truth.id) ?? {}, truth);
  });
});

describe('chaos: 5% throttling, 3% 5xx, 2% connection resets, 1% garbage bodies', () => {
  const faults = { throttle: 0.05, serverError: 0.03, reset: 0.02, garbage: 0.01, seed: 5 };

  it('a full read returns exactly the truth', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 1500, seed: 32, faults });
    const result = await runCli(airbyteBin, ['read', '--config', tempFile('config.json', configFor(simulator, { ...config, max_retry_seconds: 30 })), '--catalog', tempFile('catalog.json', configuredCatalog('full_refresh'))]);
    expect(result.code, result.stderr).toBe(0);
    const table = new Map(ofType(result.messages, 'RECORD').map((m) => [m.record.data.id, m.record.data]));
    expectTableEqualsTruth(simulator, table);
    const injected = Object.values(simulator.stats.faults ?? {}).reduce((a: number, b) => a + Number(b), 0);
    expect(injected, 'the chaos really happened').toBeGreaterThan(0);
  });

  it('a read killed and resumed three times under chaos ends equal to the truth', async () => {
    simulator = await KlaviyoSimulator.start({ ...slow, seed: 33, faults });
    const { table, kills } = await killedThreeTimesThenFinished(simulator, { ...config, max_retry_seconds: 30 });
    expect(kills, 'the runs were really killed').toBeGreaterThan(0);
    expectTableEqualsTruth(simulator, table);
  });
});

describe('retry budget', () => {
  it('a Retry-After longer than max_retry_seconds fails at once, saying when the quota frees up', async () => {
    // one request a minute: the probe passes, the next request is told to wait about a minute
    simulator = await KlaviyoSimulator.start({ profiles: 300, seed: 34, rateLimits: { profiles: { perMinute: 1 } } });
    const started = Date.now();
    const result = await runCli(airbyteBin, ['read', '--config', tempFile('config.json', configFor(simulator, { concurrency: 1, page_size: 10, max_retry_seconds: 5 }))]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    const [error] = ofType(result.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR');
    expect(error?.trace.error.failure_type).toBe('transient_error');
    expect(error?.trace.error.message).toMatch(/longer than max_retry_seconds \(5\).*quota frees up at \d{4}-\d{2}-\d{2}T/);
    // what came before the failure is checkpointed and stays valid
    expect(ofType(result.messages, 'STATE').length).toBeGreaterThan(0);
  });

  it('when every retry fails, the run ends with a transient_error and exit 1, within the budget', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 100, seed: 35, faults: { serverError: 1 } });
    const started = Date.now();
    const result = await runCli(airbyteBin, ['read', '--config', tempFile('config.json', configFor(simulator, { max_retry_seconds: 2 }))]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.code).toBe(1);
    const [error] = ofType(result.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR');
    expect(error?.trace.error.failure_type).toBe('transient_error');
    expect(error?.trace.error.message).toMatch(/retries were exhausted/);
  });
});

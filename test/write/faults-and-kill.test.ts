import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../../src/simulator/index.js';
import { repoRoot, tempFile } from '../helpers/run-cli.js';

// Issue 12: under throttling, 5xx and dropped connections, and a kill in the middle of a write, a re-run from
// the last STATE the destination passed on ends at the same truth as an undisturbed run.

const destinationBin = join(repoRoot, 'dist/bin/destination-klaviyo-consent.js');

let simulator: KlaviyoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

/**
 * Runs the destination on `input`; with `killAfterStates`, SIGKILLs it once that many STATE lines are out,
 * calling `atKill` first, at the moment the STATE arrives.
 */
function write(config: string, input: string[], killAfterStates?: number, atKill?: () => void): Promise<{ code: number | null; states: number[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [destinationBin, 'write', '--config', config, '--catalog', tempFile('catalog.json', {})], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffer = '';
    let stderr = '';
    const states: number[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const message = JSON.parse(line) as { type: string; state?: { data?: { chunk: number } } };
        if (message.type === 'STATE') states.push(message.state?.data?.chunk ?? -1);
        if (killAfterStates !== undefined && states.length >= killAfterStates && !child.killed) {
          atKill?.();
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, states, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input.join('\n'));
  });
}

describe('writes under faults and a kill', () => {
  it('a write killed after its first STATE and re-run from it, through 429s, 5xx and resets, ends at the truth', async () => {
    simulator = await KlaviyoSimulator.start({ profiles: 400, seed: 19, writeDelayMs: 50, faults: { throttle: 0.05, serverError: 0.05, reset: 0.05, seed: 3 } });
    const sim = simulator;
    const decidedAt = new Date(Date.now() - 60_000).toISOString();
    // Without a spam complaint or manual suppression, which a subscribe must not lift (rule 3), so that every
    // decision here applies.
    const people = sim
      .allProfiles()
      .filter((p) => p.attributes.email && !(p.attributes.subscriptions?.email?.marketing?.suppression ?? []).some((s) => s.reason !== 'UNSUBSCRIBE' && s.reason !== 'HARD_BOUNCE' && s.reason !== 'INVALID_EMAIL'))
      .slice(0, 300);
    expect(people).toHaveLength(300);
    const wanted = new Map(people.map((p, i) => [p.id, i % 2 === 0 ? 'UNSUBSCRIBED' : 'SUBSCRIBED']));
    // Three chunks of 100 records, each followed by a STATE naming the chunk.
    const chunks = [0, 1, 2].map((chunk) => [
      ...people.slice(chunk * 100, chunk * 100 + 100).map((p) => JSON.stringify({ type: 'RECORD', record: { stream: 'people', data: { id: p.id, email_consent: wanted.get(p.id), email_consent_timestamp: decidedAt }, emitted_at: 0 } })),
      JSON.stringify({ type: 'STATE', state: { type: 'LEGACY', data: { chunk } } }),
    ]);
    const config = tempFile('config.json', { api_key: SIMULATOR_API_KEY, base_url: sim.baseUrl, max_retry_seconds: 60 });
    // Everything before the STATE it passed on is in Klaviyo already when the STATE arrives (not only once the
    // simulator's delayed jobs settle): the destination confirmed it before passing the STATE on.
    let atState: Array<string | undefined> = [];
    const killed = await write(config, chunks.flat(), 1, () => {
      atState = people.slice(0, 100).map((p) => sim.profile(p.id)?.attributes.subscriptions?.email?.marketing?.consent);
    });
    expect(killed.code, killed.stderr).toBeNull();
    expect(killed.states).toEqual([0]);
    expect(atState).toEqual(people.slice(0, 100).map((p) => wanted.get(p.id)));
    // A re-run from that state: the records after it.
    const rerun = await write(config, chunks.slice(1).flat());
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.states).toEqual([1, 2]);
    for (const p of people) expect(sim.profile(p.id)?.attributes.subscriptions?.email?.marketing?.consent, p.id).toBe(wanted.get(p.id));
    const faults = sim.stats.faults;
    expect(faults.throttle + faults.serverError + faults.reset, 'faults really happened').toBeGreaterThan(0);
  });
});

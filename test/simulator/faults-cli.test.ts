import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startFromCli } from '../../src/simulator/cli.js';
import { KlaviyoSimulator } from '../../src/simulator/index.js';
import { keepAliveAgent, rawGet, verdictOf } from './raw-http.js';
import { capture, get } from './simulator-client.js';

let running: KlaviyoSimulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('klaviyo-simulator --fault-* options', () => {
  it('injects the faults the flags ask for, with the seed they give', async () => {
    const started = await startFromCli(['--profiles', '5', '--fault-reset', '0.5', '--fault-garbage', '0.5', '--fault-seed', '7'], capture());
    expect(started).toBeInstanceOf(KlaviyoSimulator);
    running = started as KlaviyoSimulator;
    const agent = keepAliveAgent();
    try {
      const verdicts = new Set<string>();
      for (let i = 0; i < 20; i++) verdicts.add(verdictOf(await rawGet(`${running.baseUrl}/api/profiles`, agent)));
      expect([...verdicts].sort()).toEqual(['garbage', 'reset']);
    } finally {
      agent.destroy();
    }
    expect(running.stats.faults.reset + running.stats.faults.garbage).toBe(20);
  });

  it.each([
    [['--fault-throttle', '1.5'], '--fault-throttle'],
    [['--fault-server-error', 'often'], '--fault-server-error'],
    [['--fault-reset', '-0.1'], '--fault-reset'],
    [['--fault-garbage', ''], '--fault-garbage'],
    [['--fault-seed', '1.5'], '--fault-seed'],
    [['--fault-seed', '4294967296'], '--fault-seed'],
    [['--fault-throttle', '0.6', '--fault-garbage', '0.6'], 'add up to 1.2'],
  ])('exits 2 with one line naming the problem for %j', async (argv, mention) => {
    const io = capture();
    expect(await startFromCli(argv, io)).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toContain(mention);
  });

  it('lists the fault options in --help', async () => {
    const io = capture();
    expect(await startFromCli(['--help'], io)).toBe(0);
    for (const option of ['--fault-throttle', '--fault-server-error', '--fault-reset', '--fault-garbage', '--fault-seed']) {
      expect(io.out.join('\n')).toContain(option);
    }
  });
});

// The bin runs as compiled JavaScript; `npm test` builds dist/ first, a bare checkout may not have
// it, and a dist/ built before the fault options cannot be tested for them.
const bin = resolve(import.meta.dirname, '../../dist/bin/klaviyo-simulator.js');
const built = existsSync(bin);
const knowsFaults = built && spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 10_000 }).stdout.includes('--fault-throttle');
const title = knowsFaults
  ? 'klaviyo-simulator process with faults'
  : `klaviyo-simulator process with faults (skipped: ${bin} ${built ? 'predates the --fault-* options; run npm run build' : 'not built'})`;

describe.skipIf(!knowsFaults)(title, () => {
  it('injects faults and reports their counts when stopped', async () => {
    const child = spawn(process.execPath, [bin, '--profiles', '10', '--fault-server-error', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const firstLine = await Promise.race([
        lines.next(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no announcement within 10 s')), 10_000)),
      ]);
      const announced = JSON.parse(String(firstLine.value)) as { base_url: string };
      expect((await get(`${announced.base_url}/api/profiles`)).status).toBeGreaterThanOrEqual(500);
      expect((await get(`${announced.base_url}/api/nowhere`)).status).toBe(404);
      const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
      child.kill('SIGTERM');
      const report = JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
      expect(report).toMatchObject({
        stopped: true,
        requests: 2,
        faults: { throttle: 0, server_error: 1, reset: 0, garbage: 0 },
      });
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

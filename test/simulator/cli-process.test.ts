import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { get } from './simulator-client.js';

// The bin runs as compiled JavaScript; `npm test` builds dist/ first, a bare checkout may not have it.
const bin = resolve(import.meta.dirname, '../../dist/bin/klaviyo-simulator.js');
const title = existsSync(bin) ? 'klaviyo-simulator process' : `klaviyo-simulator process (skipped: ${bin} not built)`;

describe.skipIf(!existsSync(bin))(title, () => {
  it('announces itself on stdout, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, '--profiles', '10', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const firstLine = await new Promise<string>((resolveLine, reject) => {
        const timer = setTimeout(() => reject(new Error('no announcement within 10 s')), 10_000);
        createInterface({ input: child.stdout }).once('line', (line) => {
          clearTimeout(timer);
          resolveLine(line);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const announced = JSON.parse(firstLine) as { base_url: string; profiles: number };
      expect(announced.profiles).toBe(10);
      expect((await get(`${announced.base_url}/api/profiles`)).status).toBe(200);
      const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits 2 with one stderr line for an invalid option', () => {
    const result = spawnSync(process.execPath, [bin, '--port', 'nope'], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--port');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runRaw } from '../helpers/run-cli.js';

describe('npm run demo', () => {
  it('says where every file it writes is, and counts what is in them', async () => {
    const result = await runRaw(join(repoRoot, 'dist/demo/run-demo.js'), [], { env: { DEMO_PROFILES: '300' }, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const said = /The incremental sync \(--state\) wrote (\d+) records to (\S+), among them all (\d+) who unsubscribed/.exec(result.stdout);
    expect(said, result.stdout).not.toBeNull();
    const file = readFileSync(join(repoRoot, said![2]!), 'utf8');
    expect(file.split('\n').filter((line) => line.includes('"type":"RECORD"'))).toHaveLength(Number(said![1]));
    expect(said![3]).toBe('5');
    expect(result.stdout).toMatch(/it refused 0\./);
  });

  it('writes three decisions back: the stale opt-in is a conflict, the other two are applied', async () => {
    const result = await runRaw(join(repoRoot, 'dist/demo/run-demo.js'), [], { env: { DEMO_PROFILES: '300' }, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const written = result.stdout.split('\nWrite:\n')[1]?.split('\nKlaviyo now holds')[0] ?? '';
    expect(written.match(/ applied /g), result.stdout).toHaveLength(2);
    expect(written.match(/ conflict /g), result.stdout).toHaveLength(1);
    const stale = /Klaviyo now holds email_consent=(\w+) for (\S+): the stale opt-in/.exec(result.stdout);
    expect(stale?.[1]).toBe('UNSUBSCRIBED');
    // The person named is the one whose stale opt-in was the conflict.
    expect(written).toMatch(new RegExp(`${stale![2]!.replace(/[.+]/g, '\\$&')}\\s+conflict`));
    expect(result.stdout).toMatch(/And email_consent=UNSUBSCRIBED for \S+, whose newer opt-out was applied/);
  });

  it('shows the consent history: a consent_events file whose rows it counts, with the five unsubscribes it made', async () => {
    const result = await runRaw(join(repoRoot, 'dist/demo/run-demo.js'), [], { env: { DEMO_PROFILES: '300' }, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const said = /consent_events stream, one row per consent event\): (\d+) events in (\S+)/.exec(result.stdout);
    expect(said, result.stdout).not.toBeNull();
    const rows = readFileSync(join(repoRoot, said![2]!), 'utf8').split('\n').filter((line) => line.includes('"type":"RECORD"'));
    expect(rows).toHaveLength(Number(said![1]));
    expect(result.stdout).toMatch(/the 5 unsubscribes made above/);
  });
});

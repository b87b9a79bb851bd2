import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const airbyteBin = join(repoRoot, 'dist/bin/source-klaviyo-consent.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed line by line; a line that is not JSON fails the test that reads it. */
  messages: Array<Record<string, any>>; // any: tests index freely into protocol messages
}

/** Writes a value as a JSON file in a fresh temp dir (a string is written as is) and returns its path. */
export function tempFile(name: string, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'klaviyo-consent-test-'));
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

export function parseLines(stdout: string): Array<Record<string, any>> { // any: see CliResult
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>; // any: see CliResult
      } catch {
        throw new Error(`stdout line is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** Runs a built bin whose stdout is not JSON lines (--discover, --about) and returns its raw output. */
export async function runRaw(bin: string, args: string[], options: RunOptions = {}) {
  return run(bin, args, options);
}

/** Runs a built bin with a time limit, so a hung connector fails the test instead of the suite. */
export async function runCli(bin: string, args: string[], options: RunOptions = {}): Promise<CliResult> {
  const result = await run(bin, args, options);
  try {
    return { ...result, messages: parseLines(result.stdout) };
  } catch (error) {
    throw new Error(`${(error as Error).message}\nstderr: ${result.stderr}`);
  }
}

/** `stdin`: what the bin reads on its standard input (none when absent). */
interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
}

function run(bin: string, args: string[], options: RunOptions): Promise<Omit<CliResult, 'messages'>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env }, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export const ofType = (messages: CliResult['messages'], type: string) => messages.filter((m) => m.type === type);

export const tapBin = join(repoRoot, 'dist/bin/tap-klaviyo-consent.js');

import { spawn } from 'node:child_process';

/**
 * Runs a bin until its first RECORD, then sends SIGTERM, as a container stop or a cancelled sync does.
 * Returns the exit code, how long the process took to end after the signal, and its output.
 */
export async function stopMidRead(bin: string, args: string[]): Promise<{ code: number | null; stoppedInMs: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args]);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const firstRecord = new Promise<void>((resolve) =>
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('"RECORD"')) resolve();
    }),
  );
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    await Promise.race([firstRecord, closed]);
    if (!stdout.includes('"RECORD"')) throw new Error(`the process ended before its first record: ${stderr}`);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await closed;
    return { code, stoppedInMs: Date.now() - signalledAt, stdout, stderr };
  } finally {
    clearTimeout(timeout);
  }
}

import { spawn } from 'node:child_process';
import { closeSync, createReadStream, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../common/package-files.js';

const simulatorBin = join(packageRoot, 'dist/bin/klaviyo-simulator.js');
const connectorBin = join(packageRoot, 'dist/bin/source-klaviyo-consent.js');

export interface SimulatorCounts {
  requests: number;
  byStatus: Record<string, number>;
}

export interface RunningSimulator {
  baseUrl: string;
  apiKey: string;
  /** Stops the simulator and returns what it served, as it reports on exit. */
  stop(): Promise<SimulatorCounts>;
}

/** Starts `klaviyo-simulator` as its own process (its own core), on loopback, and waits for its ready line. */
/** Without perSecond or perMinute, `unlimited` lifts Klaviyo's rate limits, which the simulator enforces by default. */
export async function startSimulator(args: { profiles: number; latencyMs?: number; perSecond?: number; perMinute?: number; unlimited?: boolean; seed?: number }): Promise<RunningSimulator> {
  const argv = [simulatorBin, '--host', '127.0.0.1', '--port', '0', '--profiles', String(args.profiles), '--seed', String(args.seed ?? 1)];
  if (args.unlimited) argv.push('--no-rate-limits');
  if (args.latencyMs) argv.push('--latency-ms', String(args.latencyMs));
  if (args.perSecond) argv.push('--requests-per-second', String(args.perSecond));
  if (args.perMinute) argv.push('--requests-per-minute', String(args.perMinute));
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<{ base_url: string; api_key: string }>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as { base_url: string; api_key: string }));
    child.once('exit', (code) => reject(new Error(`klaviyo-simulator exited with ${code} before it was ready`)));
  });
  let counts: SimulatorCounts = { requests: 0, byStatus: {} };
  lines.on('line', (line) => {
    const report = JSON.parse(line) as { stopped?: boolean; requests: number; by_status: Record<string, number> };
    if (report.stopped) counts = { requests: report.requests, byStatus: report.by_status };
  });
  return {
    baseUrl: ready.base_url,
    apiKey: ready.api_key,
    stop: () =>
      new Promise<SimulatorCounts>((resolve) => {
        child.once('exit', () => resolve(counts));
        child.kill('SIGTERM');
      }),
  };
}

export interface ConnectorRun {
  seconds: number;
  records: number;
  exitCode: number | null;
  peakRssMb: number;
  /** CPU the connector used (user + system, its threads included), as last sampled before it exited. */
  cpuSeconds: number;
}

/** utime + stime of a process, in seconds, from /proc (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

function peakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a full `read` of the connector binary into a file (a realistic sink), timing it from spawn to exit and
 * sampling the process's peak resident memory (VmHWM, which only grows) until it exits.
 */
export async function runConnector(config: Record<string, unknown>, workDir: string, name: string): Promise<ConnectorRun> {
  const configFile = join(workDir, `${name}.config.json`);
  const outFile = join(workDir, `${name}.jsonl`);
  writeFileSync(configFile, JSON.stringify(config));
  const out = openSync(outFile, 'w');
  const started = process.hrtime.bigint();
  // Executed as a user runs it, so its shebang's V8 flags apply.
  const child = spawn(connectorBin, ['read', '--config', configFile], { stdio: ['ignore', out, 'inherit'] });
  let peak = 0;
  let cpu = 0;
  const sampler = setInterval(() => {
    const mb = child.pid ? peakRssMb(child.pid) : undefined;
    if (mb !== undefined) peak = Math.max(peak, mb);
    const used = child.pid ? cpuSeconds(child.pid) : undefined;
    if (used !== undefined) cpu = Math.max(cpu, used);
  }, 25);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  closeSync(out);
  let records = 0;
  for await (const line of createInterface({ input: createReadStream(outFile) })) {
    if (line.startsWith('{"type":"RECORD"')) records += 1;
  }
  return { seconds, records, exitCode, peakRssMb: peak, cpuSeconds: cpu };
}

const destinationBin = join(packageRoot, 'dist/bin/destination-klaviyo-consent.js');

export interface DestinationRun {
  seconds: number;
  exitCode: number | null;
  /** The destination's closing summary line ("1000 applied, ...; N requests to Klaviyo"). */
  summary: string;
}

/** Runs the destination's `write` with `inputFile` on stdin (Airbyte messages), timed from spawn to exit. */
export async function runDestination(config: Record<string, unknown>, inputFile: string, workDir: string, name: string): Promise<DestinationRun> {
  const configFile = join(workDir, `${name}.config.json`);
  const catalogFile = join(workDir, `${name}.catalog.json`);
  const outFile = join(workDir, `${name}.out.jsonl`);
  writeFileSync(configFile, JSON.stringify(config));
  writeFileSync(catalogFile, '{"streams": []}');
  const input = openSync(inputFile, 'r');
  const out = openSync(outFile, 'w');
  const started = process.hrtime.bigint();
  const child = spawn(destinationBin, ['write', '--config', configFile, '--catalog', catalogFile], { stdio: [input, out, 'inherit'] });
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  closeSync(input);
  closeSync(out);
  let summary = '';
  for await (const line of createInterface({ input: createReadStream(outFile) })) {
    const message = JSON.parse(line) as { type: string; log?: { message: string } };
    if (message.type === 'LOG' && message.log?.message.startsWith('write: ')) summary = message.log.message;
  }
  return { seconds, exitCode, summary };
}

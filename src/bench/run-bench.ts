// `npm run bench`: the connector against the simulator, each figure a ratio measured in this one run, so a
// shared, noisy machine moves numerator and denominator together. Only loopback traffic.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { readPackageJson } from '../common/package-files.js';
import { PROFILE_FIELDS } from '../klaviyo/profiles.js';
import { generateProfiles } from '../simulator/index.js';
import { runConnector, runDestination, startSimulator, type RunningSimulator, type SimulatorCounts } from './processes.js';

interface Row {
  case: string;
  measured: string;
  ratio: number;
  target: string;
  /** Undefined for a figure reported without a target. */
  pass: boolean | undefined;
}

const rows: Row[] = [];
const DEFAULT_CONCURRENCY = (readPackageJson('spec.json') as { connectionSpecification: { properties: { concurrency: { default: number } } } }).connectionSpecification.properties.concurrency.default;
const workDir = mkdtempSync(join(tmpdir(), 'klaviyo-consent-bench-'));
const only = process.env.BENCH_CASES?.split(',');
const wanted = (name: string) => !only || only.includes(name);

function config(sim: RunningSimulator, overrides: Record<string, unknown> = {}) {
  return { api_key: sim.apiKey, base_url: sim.baseUrl, ...overrides };
}

/** Runs `body` against a fresh simulator process and returns what the simulator served meanwhile. */
async function withSimulator(options: Parameters<typeof startSimulator>[0], body: (sim: RunningSimulator) => Promise<void>): Promise<SimulatorCounts> {
  const sim = await startSimulator(options);
  try {
    await body(sim);
  } catch (error) {
    await sim.stop();
    throw error;
  }
  return sim.stop();
}

function check(run: { exitCode: number | null; records: number }, expected: number, what: string) {
  if (run.exitCode !== 0 || run.records !== expected) throw new Error(`${what}: exit ${run.exitCode}, ${run.records} of ${expected} records`);
}

async function case1() {
  const profiles = 20_000;
  const pages = profiles / 100;
  const latency = 0.1;
  await withSimulator({ profiles, latencyMs: 100, perSecond: 75, perMinute: 700 }, async (sim) => {
    const fast = await runConnector(config(sim), workDir, 'case1-default');
    check(fast, profiles, 'case 1 default');
    const slow = await runConnector(config(sim, { concurrency: 1 }), workDir, 'case1-sequential');
    check(slow, profiles, 'case 1 concurrency 1');
    const floor = Math.max(pages / 75, pages / 700 > 1 ? (pages / 700) * 60 : 0, (pages * latency) / DEFAULT_CONCURRENCY);
    rows.push({ case: '1. 20k profiles, 100 ms latency: speed-up over concurrency 1', measured: `${fast.seconds.toFixed(2)} s vs ${slow.seconds.toFixed(2)} s`, ratio: slow.seconds / fast.seconds, target: '>= 6x', pass: slow.seconds / fast.seconds >= 6 });
    rows.push({ case: '1. same, wall time vs floor', measured: `${fast.seconds.toFixed(2)} s vs floor ${floor.toFixed(2)} s`, ratio: fast.seconds / floor, target: '<= 1.25x', pass: fast.seconds / floor <= 1.25 });
  });
}

async function case2() {
  const profiles = 30_000;
  const pages = profiles / 100;
  let seconds = 0;
  const served = await withSimulator({ profiles, latencyMs: 100, perMinute: 120 }, async (sim) => {
    const run = await runConnector(config(sim, { requests_per_minute: 120 }), workDir, 'case2');
    check(run, profiles, 'case 2');
    seconds = run.seconds;
  });
  const floor = (pages / 120) * 60;
  rows.push({ case: '2. 30k profiles, 120 requests/min: wall time vs floor', measured: `${seconds.toFixed(1)} s vs floor ${floor.toFixed(1)} s`, ratio: seconds / floor, target: '<= 1.2x', pass: seconds / floor <= 1.2 });
  const throttled = served.byStatus['429'] ?? 0;
  const share = throttled / Math.max(1, served.requests);
  rows.push({ case: '2. same, requests answered 429 (simulator count)', measured: `${throttled} of ${served.requests}`, ratio: share, target: '<= 1%', pass: share <= 0.01 });
}

/**
 * The connector's own CPU per profile at zero latency, with no limit: a figure, not a target. Its old target
 * (half the speed of a bare JSON loop) measured the two shared cores more than the connector, and Klaviyo's
 * limits deliver at most 7,500 profiles/s (1,250/s steady), far below what the pipeline does.
 */
async function case3() {
  const profiles = 100_000;
  await withSimulator({ profiles, unlimited: true }, async (sim) => {
    // The same pages, fetched once up front, then a bare parse + stringify loop over them, timed alone.
    // Raw bytes, as they come off the wire: decoding them is part of parsing, for the bare loop as for the connector.
    const bodies: Buffer[] = [];
    let next: string | undefined = `${sim.baseUrl}/api/profiles?additional-fields[profile]=subscriptions&fields[profile]=${PROFILE_FIELDS.join(',')}&page[size]=100&sort=updated`;
    for (let i = 0; next && i < profiles / 100 + 2; i += 1) {
      const response: { data: Buffer } = await axios.get<Buffer>(next, { headers: { Authorization: `Klaviyo-API-Key ${sim.apiKey}`, revision: '2026-07-15' }, responseType: 'arraybuffer' });
      bodies.push(Buffer.from(response.data));
      next = (JSON.parse(Buffer.from(response.data).toString('utf8')) as { links: { next?: string } }).links.next;
    }
    const started = process.hrtime.bigint();
    let count = 0;
    for (const body of bodies) {
      for (const profile of (JSON.parse(body.toString('utf8')) as { data: unknown[] }).data) {
        JSON.stringify(profile);
        count += 1;
      }
    }
    const bareSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    // After the bare fetch, so the simulator serves both from its cache and only the pipelines differ.
    const run = await runConnector(config(sim, { requests_per_second: 1000, requests_per_minute: 60_000 }), workDir, 'case3');
    check(run, profiles, 'case 3');
    const microsPerProfile = (run.cpuSeconds / run.records) * 1e6;
    rows.push({
      case: '3. connector CPU per profile, zero latency, no limit (a figure: Klaviyo delivers at most 7,500 profiles/s)',
      measured: `${microsPerProfile.toFixed(0)} µs (${Math.round(run.records / run.seconds)} profiles/s; bare parse/stringify ${Math.round(((bareSeconds / count) * 1e6) * 10) / 10} µs)`,
      ratio: microsPerProfile,
      target: 'none',
      pass: undefined,
    });
  });
}

/**
 * At Klaviyo's real latency, with default settings: the rate limit, not latency or concurrency, must set the
 * pace. Floor: pages / 75 per second.
 */
async function case5() {
  const profiles = 50_000;
  const pages = profiles / 100;
  await withSimulator({ profiles, latencyMs: 300 }, async (sim) => {
    const run = await runConnector(config(sim), workDir, 'case5');
    check(run, profiles, 'case 5');
    const floor = pages / 75;
    rows.push({ case: '5. 50k profiles, 300 ms latency, default settings: wall time vs rate-limit floor', measured: `${run.seconds.toFixed(2)} s vs floor ${floor.toFixed(2)} s`, ratio: run.seconds / floor, target: '<= 1.15x', pass: run.seconds / floor <= 1.15 });
  });
}

async function case4() {
  const peaks: number[] = [];
  for (const profiles of [200_000, 1_000_000]) {
    await withSimulator({ profiles, unlimited: true }, async (sim) => {
      const run = await runConnector(config(sim, { requests_per_second: 1000, requests_per_minute: 60_000 }), workDir, `case4-${profiles}`);
      check(run, profiles, `case 4 at ${profiles}`);
      peaks.push(run.peakRssMb);
      rows.push({ case: `4. peak RSS at ${profiles.toLocaleString('en-US')} profiles`, measured: `${run.peakRssMb.toFixed(0)} MB in ${run.seconds.toFixed(0)} s`, ratio: run.peakRssMb / 150, target: '<= 150 MB', pass: run.peakRssMb <= 150 });
    });
  }
  const growth = (peaks[1] ?? 0) / (peaks[0] ?? 1);
  rows.push({ case: '4. peak RSS 1M vs 200k', measured: `${(peaks[1] ?? 0).toFixed(0)} vs ${(peaks[0] ?? 0).toFixed(0)} MB`, ratio: growth, target: '~1x (<= 1.2x)', pass: growth <= 1.2 });
}

/** The least time `requests` take under a per-second and a per-minute limit (sliding windows), from a standing start. */
function limitFloorSeconds(requests: number, perSecond: number, perMinute: number): number {
  if (requests <= perMinute) return requests / perSecond;
  const fullMinutes = Math.floor((requests - 1) / perMinute);
  return fullMinutes * 60 + (requests - fullMinutes * perMinute) / perSecond;
}

/**
 * Writing back: 100,000 records of which 10% change Klaviyo (half opt-outs, half timed opt-ins), at Klaviyo's
 * 75/s and 750/m. Floor: the Get Profiles requests the limits allow (a lookup per 100 records and a
 * read-back per 100 changes), the jobs running on limits of their own meanwhile. Then the same input again:
 * no write may be sent.
 */
async function case6() {
  const profiles = 100_000;
  const inputFile = join(workDir, 'case6.input.jsonl');
  await withSimulator({ profiles, seed: 6 }, async (sim) => {
    // The simulator's own profiles, generated in-process from the same seed (reading 100,000 profiles over HTTP
    // would spend the minute's quota the measured run needs).
    const pages = [...generateProfiles(profiles, 6)];
    const decidedAt = new Date(Date.now() - 60_000).toISOString();
    const lines: string[] = [];
    let changes = 0;
    pages.forEach((p, i) => {
      const marketing = p.attributes.subscriptions?.email?.marketing;
      const blocked = (marketing?.suppression ?? []).some((entry) => entry.reason === 'SPAM_COMPLAINT' || entry.reason === 'USER_SUPPRESSED');
      const change = i % 10 === 0 && p.attributes.email && !blocked;
      const consent = change ? (marketing?.consent === 'SUBSCRIBED' ? 'UNSUBSCRIBED' : 'SUBSCRIBED') : (marketing?.consent ?? null);
      if (change) changes += 1;
      const data = { id: p.id, email_consent: consent === 'NEVER_SUBSCRIBED' ? null : consent, ...(change ? { email_consent_timestamp: decidedAt } : {}) };
      lines.push(JSON.stringify({ type: 'RECORD', record: { stream: 'people', data, emitted_at: 0 } }));
    });
    writeFileSync(inputFile, `${lines.join('\n')}\n`);
    const first = await runDestination(config(sim), inputFile, workDir, 'case6-first');
    if (first.exitCode !== 0) throw new Error(`case 6: exit ${first.exitCode}: ${first.summary}`);
    const floor = limitFloorSeconds(Math.ceil(profiles / 100) + Math.ceil(changes / 100), 75, 750);
    rows.push({ case: `6. write back 100k records, ${changes} changes, 75/s and 750/m: wall time vs floor`, measured: `${first.seconds.toFixed(1)} s vs floor ${floor.toFixed(1)} s (${first.summary.replace(/^write: /, '')})`, ratio: first.seconds / floor, target: '<= 1.25x', pass: first.seconds / floor <= 1.25 });
    // The same input again, against the Klaviyo the first run left: only the lookups, no write.
    const second = await runDestination(config(sim), inputFile, workDir, 'case6-second');
    const [, requests, writes] = /; (\d+) requests to Klaviyo, (\d+) of them writes/.exec(second.summary) ?? [];
    rows.push({ case: '6. same input again: write requests', measured: `${writes} writes of ${requests} requests (${second.summary.replace(/^write: /, '').replace(/; .*$/, '')})`, ratio: Number(writes), target: '0', pass: Number(writes) === 0 && !/applied/.test(second.summary) });
  });
}

try {
  if (wanted('1')) await case1();
  if (wanted('2')) await case2();
  if (wanted('3')) await case3();
  if (wanted('4')) await case4();
  if (wanted('5')) await case5();
  if (wanted('6')) await case6();
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

process.stdout.write('\n| case | measured | ratio | target | |\n|---|---|---|---|---|\n');
for (const row of rows) process.stdout.write(`| ${row.case} | ${row.measured} | ${row.ratio.toFixed(2)} | ${row.target} | ${row.pass === undefined ? 'figure' : row.pass ? 'pass' : 'MISS'} |\n`);
process.exitCode = rows.every((r) => r.pass !== false) ? 0 : 1;

// `npm run demo`: a complete sync against the bundled simulator, no account or network needed. It runs the
// real connector binary, exactly as Airbyte would, and summarises what came out.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../common/package-files.js';
import axios from 'axios';
import { KlaviyoSimulator, SIMULATOR_API_KEY } from '../simulator/index.js';

const PROFILES = Number(process.env.DEMO_PROFILES ?? 3000);
const outDir = join(packageRoot, 'demo-output');
const bin = join(packageRoot, 'dist/bin/source-klaviyo-consent.js');

function runRead(args: string[], outputFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.pipe(createWriteStream(outputFile));
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Unsubscribes five people the way a Klaviyo client would, then runs an incremental read from the state. */
async function unsubscribeAndSyncAgain(simulator: KlaviyoSimulator, configFile: string, catalogFile: string, firstOutput: string) {
  const lines = readFileSync(firstOutput, 'utf8').trim().split('\n');
  const lastState = lines.map((l) => JSON.parse(l) as { type: string; state?: object }).filter((m) => m.type === 'STATE').at(-1)?.state;
  const stateFile = join(outDir, 'state.first.json');
  writeFileSync(stateFile, JSON.stringify([lastState]));
  const unsubscribed = simulator
    .allProfiles()
    .filter((p) => p.attributes.email && p.attributes.subscriptions?.email?.marketing?.consent === 'SUBSCRIBED')
    .slice(0, 5)
    .map((p) => p.attributes.email as string);
  await axios.post(
    `${simulator.baseUrl}/api/profile-subscription-bulk-delete-jobs`,
    {
      data: {
        type: 'profile-subscription-bulk-delete-job',
        attributes: { profiles: { data: unsubscribed.map((email) => ({ type: 'profile', attributes: { email, subscriptions: { email: { marketing: { consent: 'UNSUBSCRIBED' } } } } })) } },
      },
    },
    { headers: { Authorization: `Klaviyo-API-Key ${SIMULATOR_API_KEY}`, revision: '2026-07-15', 'Content-Type': 'application/vnd.api+json' } },
  );
  const secondOutput = join(outDir, 'messages.incremental.jsonl');
  await runRead(['read', '--config', configFile, '--catalog', catalogFile, '--state', stateFile], secondOutput);
  const records = readFileSync(secondOutput, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; record?: { data: { email: string; email_consent: string } } })
    .filter((m) => m.type === 'RECORD' && m.record)
    .map((m) => ({ email: m.record!.data.email, consent: m.record!.data.email_consent }));
  const received = records.filter((r) => unsubscribed.includes(r.email));
  return { unsubscribed, received, records: records.length, file: secondOutput };
}

const destinationBin = join(packageRoot, 'dist/bin/destination-klaviyo-consent.js');

/** Runs the destination's write with Airbyte RECORD messages of `rows` on stdin; returns its report lines. */
function runWrite(configFile: string, rows: object[], dryRun: boolean, reportFile: string): Promise<Array<{ outcome: string; subject: string | null; reason: string; email?: string }>> {
  return new Promise((resolve, reject) => {
    const catalogFile = join(outDir, 'write-catalog.json');
    writeFileSync(catalogFile, '{"streams": []}');
    const config = { ...(JSON.parse(readFileSync(configFile, 'utf8')) as object), report_path: reportFile };
    const writeConfig = join(outDir, 'write-config.json');
    writeFileSync(writeConfig, JSON.stringify(config, null, 2));
    const child = spawn(process.execPath, [destinationBin, 'write', '--config', writeConfig, '--catalog', catalogFile, ...(dryRun ? ['--dry-run'] : [])], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`destination-klaviyo-consent write exited ${code}`));
      resolve(readFileSync(reportFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { outcome: string; subject: string | null; reason: string; email?: string }));
    });
    child.stdin.end(rows.map((data) => JSON.stringify({ type: 'RECORD', record: { stream: 'people', data, emitted_at: 0 } })).join('\n'));
  });
}

/**
 * The other direction: decisions collected elsewhere written back into Klaviyo through the destination. One
 * newer opt-out, one opt-in older than Klaviyo's own opt-out (a conflict: the newest decision wins), one new
 * email opting in; a dry run first, then the real write.
 */
async function writeBack(simulator: KlaviyoSimulator, configFile: string) {
  const all = simulator.allProfiles();
  const subscribed = all.find((p) => p.attributes.email && p.attributes.subscriptions?.email?.marketing?.consent === 'SUBSCRIBED' && (p.attributes.subscriptions.email.marketing.suppression ?? []).length === 0)!;
  const optedOut = all.find((p) => p.attributes.email && p.attributes.subscriptions?.email?.marketing?.consent === 'UNSUBSCRIBED' && p.attributes.subscriptions.email.marketing.consent_timestamp)!;
  const outAt = Date.parse(String(optedOut.attributes.subscriptions?.email?.marketing?.consent_timestamp));
  const rows = [
    { email: subscribed.attributes.email, email_consent: 'UNSUBSCRIBED', email_consent_timestamp: new Date(Date.now() - 60_000).toISOString() },
    { email: optedOut.attributes.email, email_consent: 'SUBSCRIBED', email_consent_timestamp: new Date(outAt - 86_400_000).toISOString() },
    { email: 'new.customer@example.com', email_consent: 'SUBSCRIBED', email_consent_timestamp: new Date(Date.now() - 3_600_000).toISOString() },
  ];
  const dry = await runWrite(configFile, rows, true, join(outDir, 'write-report.dry-run.jsonl'));
  const real = await runWrite(configFile, rows, false, join(outDir, 'write-report.jsonl'));
  const consentOf = (id: string) => simulator.profile(id)?.attributes.subscriptions?.email?.marketing?.consent;
  return { dry, real, optedOutEmail: optedOut.attributes.email as string, optedOutConsent: consentOf(optedOut.id), subscribedEmail: subscribed.attributes.email as string, subscribedConsent: consentOf(subscribed.id) };
}

/**
 * The consent history: the consent_events stream read on its own (a configured catalog selecting it), counted by
 * channel and action, with the rows of the people the demo unsubscribed.
 */
async function consentHistory(configFile: string, unsubscribed: readonly string[], sinceMs: number) {
  const catalogFile = join(outDir, 'catalog.consent_events.json');
  writeFileSync(
    catalogFile,
    JSON.stringify({ streams: [{ stream: { name: 'consent_events', json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append_dedup', cursor_field: ['datetime'], primary_key: [['id']] }] }, null, 2),
  );
  const file = join(outDir, 'consent-events.jsonl');
  const code = await runRead(['read', '--config', configFile, '--catalog', catalogFile], file);
  const rows = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; record?: { data: { email: string | null; datetime: string; channel: string; action: string; metric_name: string; method: string | null } } })
    .filter((m) => m.type === 'RECORD' && m.record)
    .map((m) => m.record!.data);
  const byKind = new Map<string, number>();
  for (const row of rows) byKind.set(`${row.channel} ${row.action}`, (byKind.get(`${row.channel} ${row.action}`) ?? 0) + 1);
  return { code, file, rows: rows.length, byKind, theirs: rows.filter((r) => r.email !== null && unsubscribed.includes(r.email) && r.channel === 'email' && r.action === 'unsubscribed' && Date.parse(r.datetime) >= Math.floor(sinceMs / 1000) * 1000) };
}

type Counts = Map<string, Map<string, number>>;
function bump(counts: Counts, channel: string, status: string | null) {
  const row = counts.get(channel) ?? new Map<string, number>();
  const key = status ?? '(no channel)';
  row.set(key, (row.get(key) ?? 0) + 1);
  counts.set(channel, row);
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  process.stdout.write(`Starting the Klaviyo simulator with ${PROFILES} profiles on 127.0.0.1...\n`);
  const simulator = await KlaviyoSimulator.start({ profiles: PROFILES, seed: 42, latencyMs: 20 });
  const configFile = join(outDir, 'config.json');
  const catalogFile = join(outDir, 'catalog.json');
  const outputFile = join(outDir, 'messages.jsonl');
  writeFileSync(configFile, JSON.stringify({ api_key: SIMULATOR_API_KEY, base_url: simulator.baseUrl }, null, 2));
  writeFileSync(
    catalogFile,
    JSON.stringify({
      streams: [
        {
          stream: { name: 'profile_consent', json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
          sync_mode: 'incremental',
          destination_sync_mode: 'append_dedup',
          cursor_field: ['updated'],
          primary_key: [['id']],
        },
      ],
    }),
  );

  const started = Date.now();
  process.stdout.write(`Running: source-klaviyo-consent read --config ${relative(process.cwd(), configFile)} --catalog ${relative(process.cwd(), catalogFile)}\n`);
  let code: number;
  let incremental: Awaited<ReturnType<typeof unsubscribeAndSyncAgain>> | undefined;
  let written: Awaited<ReturnType<typeof writeBack>> | undefined;
  let history: Awaited<ReturnType<typeof consentHistory>> | undefined;
  try {
    code = await runRead(['read', '--config', configFile, '--catalog', catalogFile], outputFile);
    if (code === 0) incremental = await unsubscribeAndSyncAgain(simulator, configFile, catalogFile, outputFile);
    if (code === 0) written = await writeBack(simulator, configFile);
    if (code === 0) history = await consentHistory(configFile, incremental?.unsubscribed ?? [], started);
  } finally {
    await simulator.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const { requests, refused } = simulator.stats;

  const counts: Counts = new Map();
  let records = 0;
  let states = 0;
  let suppressed = 0;
  let lastState: unknown;
  let error: string | undefined;
  for await (const line of createInterface({ input: createReadStream(outputFile) })) {
    const message = JSON.parse(line) as { type: string; record?: { data: Record<string, any> }; state?: object; trace?: { error?: { message: string } } }; // any: record columns read by name
    if (message.type === 'RECORD' && message.record) {
      const r = message.record.data;
      records += 1;
      bump(counts, 'email', r.email_consent);
      bump(counts, 'sms', r.sms_consent);
      bump(counts, 'push', r.push_consent);
      bump(counts, 'whatsapp', r.whatsapp_marketing_consent);
      if (r.email_suppressed) suppressed += 1;
    } else if (message.type === 'STATE' && message.state) {
      states += 1;
      lastState = message.state;
    } else if (message.type === 'TRACE' && message.trace?.error) {
      error = message.trace.error.message;
    }
  }

  const statuses = ['SUBSCRIBED', 'UNSUBSCRIBED', 'NEVER_SUBSCRIBED', '(no channel)'];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  process.stdout.write(`\n${code === 0 ? 'Full sync complete' : `Sync FAILED (exit ${code}): ${error ?? 'see messages'}`}: ${records} records, ${states} states in ${seconds.toFixed(1)} s (20 ms simulated latency)\n\n`);
  process.stdout.write(`${'channel'.padEnd(10)}${statuses.map((s) => pad(s, 18)).join('')}\n`);
  for (const [channel, row] of counts) {
    process.stdout.write(`${channel.padEnd(10)}${statuses.map((s) => pad(row.get(s) ?? 0, 18)).join('')}\n`);
  }
  process.stdout.write(`\nGlobally suppressed email (bounce, spam complaint, manual): ${suppressed}\n`);
  if (incremental) {
    process.stdout.write(`\nThen ${incremental.unsubscribed.length} people unsubscribed through Klaviyo's bulk unsubscribe endpoint, which does not move their 'updated'.\n`);
    process.stdout.write(`The incremental sync (--state) wrote ${incremental.records} records to ${relative(process.cwd(), incremental.file)}, among them all ${incremental.received.length} who unsubscribed:\n`);
    for (const r of incremental.received) process.stdout.write(`  ${r.email.padEnd(44)} email_consent=${r.consent}\n`);
    const others = incremental.records - incremental.received.length;
    if (others > 0) {
      const them = others === 1 ? 'The other one was' : `The other ${others} were`;
      process.stdout.write(`${them} changed within lookback_seconds (5 minutes) of the first sync's cursor, so read again; a destination deduplicates on id.\n`);
    }
    process.stdout.write(`A connector that syncs on 'updated' alone would have found none of the ${incremental.received.length}.\n`);
  }
  if (written) {
    process.stdout.write(`\nThe other way: three decisions collected elsewhere, written back with destination-klaviyo-consent.\n`);
    const line = (o: { outcome: string; reason: string; email?: string }) => `  ${(o.email ?? '').padEnd(44)} ${o.outcome.padEnd(10)} ${o.reason}\n`;
    process.stdout.write('Dry run (nothing written):\n');
    for (const o of written.dry) process.stdout.write(line(o));
    process.stdout.write('Write:\n');
    for (const o of written.real) process.stdout.write(line(o));
    process.stdout.write(`Klaviyo now holds email_consent=${written.optedOutConsent} for ${written.optedOutEmail}: the stale opt-in did not overturn the newer opt-out.\n`);
    process.stdout.write(`And email_consent=${written.subscribedConsent} for ${written.subscribedEmail}, whose newer opt-out was applied.\n`);
    process.stdout.write(`Reports: ${relative(process.cwd(), join(outDir, 'write-report.jsonl'))} (and .dry-run.jsonl)\n`);
  }
  if (history) {
    process.stdout.write(`\nThe consent history (the consent_events stream, one row per consent event): ${history.rows} events in ${relative(process.cwd(), history.file)}\n`);
    for (const [kind, n] of [...history.byKind].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${kind.padEnd(32)} ${pad(n, 6)}\n`);
    process.stdout.write(`Among them, the ${history.theirs.length} unsubscribes made above, each with its time and method:\n`);
    for (const r of history.theirs) process.stdout.write(`  ${r.datetime}  ${(r.email ?? '').padEnd(44)} ${r.metric_name} (method ${r.method ?? 'unknown'})\n`);
  }
  process.stdout.write(
    `\nThe simulator enforces Klaviyo's rate limits and published rules; of the ${requests} requests the demo made, it refused ${refused}.\n`,
  );
  const stateFile = join(outDir, 'state.json');
  writeFileSync(stateFile, JSON.stringify(lastState ? [lastState] : []));
  process.stdout.write(`\nState after the full sync: ${relative(process.cwd(), stateFile)}\n`);
  process.stdout.write(`All messages: ${relative(process.cwd(), outputFile)}\n`);
  process.stdout.write(`Records only: jq -c 'select(.type=="RECORD") | .record.data' ${relative(process.cwd(), outputFile)}\n\n`);
  process.stdout.write('Against your own Klaviyo account (a private key with profiles:read, metrics:read, events:read, lists:read), from this folder:\n');
  process.stdout.write(`  echo '{"api_key": "pk_..."}' > config.json\n`);
  process.stdout.write('  ./dist/bin/source-klaviyo-consent.js check --config config.json\n');
  process.stdout.write('  ./dist/bin/source-klaviyo-consent.js read --config config.json > messages.jsonl\n');
  process.stdout.write('  (npm link puts source-klaviyo-consent, tap-klaviyo-consent, destination-klaviyo-consent and target-klaviyo-consent on your PATH)\n');
  process.exitCode = code;
}

await main();

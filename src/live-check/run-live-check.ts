// npm run live-check: the connector's requests against a real Klaviyo account, read-only, for maintainers who
// want to know whether Klaviyo still accepts what the simulator accepts. Not part of npm test: it needs a key
// and the network, and a real account changes under it.
import { asConnectorError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { redact } from '../common/redact.js';
import { parseConfig } from '../config/parse-config.js';
import { checkConnection } from '../engine/check-connection.js';
import { createClient, runSync } from '../engine/run-sync.js';
import type { RequestRecord } from '../klaviyo/client.js';

const USAGE = `npm run live-check: runs the connector's requests against a real Klaviyo account, read-only.

  KLAVIYO_TEST_API_KEY=pk_... npm run live-check

It runs check (one request to each endpoint a sync uses), then one small incremental read of the last ten
minutes (stopped after ${200} records), and prints what Klaviyo answered to each kind of request. It writes
nothing to the account. Optional: KLAVIYO_TEST_REVISION (default 2026-07-15), KLAVIYO_TEST_BASE_URL.
The key needs profiles:read, metrics:read, events:read and lists:read; it is never printed.
`;

const MAX_RECORDS = 200;
const TEN_MINUTES_MS = 600_000;

/** What kind of request a URL is, by endpoint and by the filter that tells the detectors apart. */
function requestKind(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  const filter = parsed.searchParams.get('filter') ?? '';
  const cursor = parsed.searchParams.has('page[cursor]') ? ', next page' : '';
  if (path.endsWith('/api/profiles')) {
    if (filter.includes('list_suppressions')) return `Get Profiles, list suppressions of one list${cursor}`;
    if (filter.includes('suppression.timestamp')) return `Get Profiles, global suppressions${cursor}`;
    if (filter.startsWith('any(id')) return `Get Profiles, by id${cursor}`;
    if (filter.includes('updated')) return `Get Profiles, updated range${cursor}`;
    return `Get Profiles${cursor}`;
  }
  return `${path.endsWith('/api/metrics') ? 'Get Metrics' : path.endsWith('/api/events') ? 'Get Events' : path.endsWith('/api/lists') ? 'Get Lists' : path}${cursor}`;
}

async function main(): Promise<number> {
  const apiKey = process.env['KLAVIYO_TEST_API_KEY'];
  if (!apiKey) {
    process.stdout.write(USAGE);
    return 0;
  }
  const settings = parseConfig({
    api_key: apiKey,
    ...(process.env['KLAVIYO_TEST_REVISION'] ? { revision: process.env['KLAVIYO_TEST_REVISION'] } : {}),
    ...(process.env['KLAVIYO_TEST_BASE_URL'] ? { base_url: process.env['KLAVIYO_TEST_BASE_URL'] } : {}),
    max_retry_seconds: 30,
  });
  const say = (line: string) => process.stdout.write(`${redact(line)}\n`);
  const logger: Logger = { info: (m) => say(`  log: ${m}`), warn: (m) => say(`  warn: ${m}`), error: (m) => say(`  error: ${m}`) };
  const client = createClient(settings, logger);
  const answers = new Map<string, Map<string, number>>();
  client.onRequest = (request: RequestRecord) => {
    const kind = requestKind(request.url);
    const byStatus = answers.get(kind) ?? new Map<string, number>();
    byStatus.set(String(request.status), (byStatus.get(String(request.status)) ?? 0) + 1);
    answers.set(kind, byStatus);
  };

  say(`Klaviyo at ${settings.baseUrl}, revision ${settings.revision}`);
  say('1. check');
  try {
    say(`  ok: ${(await checkConnection(client, settings)).join(', ')}`);
  } catch (error) {
    say(`  FAILED: ${asConnectorError(error).message}`);
    report(answers, say);
    return 1;
  }

  let failed = false;
  say(`2. incremental read of the last ten minutes, at most ${MAX_RECORDS} records`);
  const since = new Date(Date.now() - TEN_MINUTES_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const state = { updated: since, suppressions_since: since, events_since: since, last_full_pass: since };
  let records = 0;
  for await (const event of runSync({ settings, streams: [{ stream: 'profile_consent', mode: 'incremental', state }], logger, client })) {
    if (event.type === 'records') records += event.records.length;
    if (event.type === 'stream_failed') {
      failed = true;
      say(`  FAILED: ${event.error.message}`);
    }
    if (records >= MAX_RECORDS) break;
  }
  say(`  ${records} records`);

  return report(answers, say) && !failed ? 0 : 1;
}

/** Prints what Klaviyo answered to each kind of request; true when it refused none. */
function report(answers: ReadonlyMap<string, ReadonlyMap<string, number>>, say: (line: string) => void): boolean {
  say('3. what Klaviyo answered, by kind of request');
  for (const [kind, byStatus] of [...answers].sort(([a], [b]) => a.localeCompare(b))) {
    say(`  ${kind}: ${[...byStatus].map(([status, count]) => `${count} x ${status}`).join(', ')}`);
  }
  // A 429 is pacing (retried), not a refusal of what was asked.
  const refused = [...answers.values()].some((byStatus) => [...byStatus.keys()].some((status) => /^4/.test(status) && status !== '429'));
  say(refused ? 'Klaviyo refused some requests (4xx above): if the simulator accepts them, it lacks a rule; add it to the simulator and klaviyo-rules.md.' : 'Klaviyo refused none of the requests.');
  return !refused;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`${redact(asConnectorError(error).message)}\n`);
  process.exitCode = 1;
}

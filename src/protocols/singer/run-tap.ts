import type { Settings } from '../../config/settings.js';
import type { StreamRecord, StreamState } from '../../engine/events.js';
import { createClient, runSync } from '../../engine/run-sync.js';
import type { KlaviyoClient } from '../../klaviyo/client.js';
import { streamNamed } from '../../streams/registry.js';
import type { LineWriter } from '../line-writer.js';
import { progressReporter } from '../progress.js';
import { projectedSchema, type SingerSelection } from './catalog.js';
import { metric, singerLogger, stderrLine } from './logger.js';
import { RequestMetrics } from './request-metrics.js';
import { recordLine, schemaMessage, stateMessage } from './messages.js';
import { stateValue, type SingerState } from './state.js';

function project(record: StreamRecord, properties: string[] | undefined): object {
  if (!properties) return record;
  const fields = record as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of properties) out[name] = fields[name];
  return out;
}

/** Exit codes: 0 done, 1 failed, 141 the reader of stdout went away (as a shell reports SIGPIPE). */
export async function runTap(options: { settings: Settings; selections: SingerSelection[]; state: SingerState; out: LineWriter; progress?: boolean }): Promise<number> {
  const client = createClient(options.settings, singerLogger);
  const requestMetrics = new RequestMetrics();
  client.onRequest = (request) => requestMetrics.record(request);
  try {
    return await tap(options, client);
  } finally {
    requestMetrics.flush();
  }
}

async function tap(options: { settings: Settings; selections: SingerSelection[]; state: SingerState; out: LineWriter; progress?: boolean }, client: KlaviyoClient): Promise<number> {
  const { selections, state, out } = options;
  const reportProgress = progressReporter(options.progress);
  const bookmarks = new Map<string, StreamState>(state.streams);
  const byStream = new Map(selections.map((s) => [s.stream, s]));
  let counts = 0;

  // The engine decides what a FULL_TABLE (full refresh) may take from a bookmark: only its own interrupted
  // attempt's progress, never an incremental cursor, as for the Airbyte face.
  const streams = selections.map((s) => ({ stream: s.stream, mode: s.mode, state: state.streams.get(s.stream) }));
  // Whether the last message written is a STATE: a run ends with one, written once.
  let stateIsLast = false;
  let failed = false;
  for await (const event of runSync({ settings: options.settings, streams, logger: singerLogger, client })) {
    if (out.closed) {
      stderrLine('INFO', 'The target closed its input (broken pipe); stopping.');
      return 141;
    }
    switch (event.type) {
      case 'stream_started': {
        counts = 0;
        const definition = streamNamed(event.stream);
        await out.write(schemaMessage(event.stream, projectedSchema(event.stream, byStream.get(event.stream)?.properties), (definition?.primaryKey ?? []).map((path) => path[0] as string), definition?.cursorField ?? []));
        stateIsLast = false;
        break;
      }
      case 'records': {
        counts += event.records.length;
        const properties = byStream.get(event.stream)?.properties;
        const timeExtracted = new Date().toISOString();
        for (const record of event.records) out.enqueueLine(recordLine(event.stream, project(record, properties), timeExtracted));
        stateIsLast = false;
        await out.flushIfFull();
        break;
      }
      case 'checkpoint':
        bookmarks.set(event.stream, event.state);
        await out.write(stateMessage(stateValue(state.passthrough, bookmarks)));
        stateIsLast = true;
        await out.flush();
        break;
      case 'rate_limited':
        stderrLine('INFO', `${event.stream}: waiting ${(event.waitMs / 1000).toFixed(1)} s for Klaviyo's rate limit (until ${new Date(event.untilMs).toISOString()})`);
        break;
      case 'progress':
        reportProgress(event.stream, event.progress);
        break;
      case 'stream_completed':
        metric('counter', 'record_count', counts, { endpoint: event.stream });
        break;
      case 'stream_failed':
        metric('counter', 'record_count', counts, { endpoint: event.stream });
        await out.flush();
        stderrLine('CRITICAL', event.error.message);
        // The engine goes on only where a failed stream must not hold back another (consent_events before
        // profile_consent); the run still fails.
        failed = true;
        break;
    }
  }
  // A failed run ends with what it wrote: every STATE it printed was safe when printed.
  if (failed) return 1;
  // Targets pass on only the last state they saw after the last record: end with one, always, and once.
  if (!stateIsLast) await out.write(stateMessage(stateValue(state.passthrough, bookmarks)));
  if (out.closed) return 141;
  return 0;
}

// Test helper: GETs over node:http that report a dropped connection as an outcome instead of throwing,
// for a simulator that resets connections on purpose.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { authHeaders } from './simulator-client.js';

export type Outcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: 'error'; code: string | undefined; message: string };

/** What a fault-free client would make of an outcome. */
export type Verdict = 'ok' | 'throttle' | 'serverError' | 'reset' | 'garbage' | 'other';

const TIMEOUT_MS = 5_000;

export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

export function rawGet(url: string, agent: Agent, headers: Record<string, string> = authHeaders()): Promise<Outcome> {
  return new Promise((resolve) => {
    const outgoing = request(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ kind: 'response', status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code, message: error.message }));
    });
    // A hung request fails the test rather than the run.
    outgoing.setTimeout(TIMEOUT_MS, () => outgoing.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code, message: error.message }));
    outgoing.end();
  });
}

export function parsesAsJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

export function verdictOf(outcome: Outcome): Verdict {
  if (outcome.kind === 'error') return outcome.code === 'ECONNRESET' ? 'reset' : 'other';
  if (outcome.status === 200) return parsesAsJson(outcome.body) ? 'ok' : 'garbage';
  if (outcome.status === 429) return 'throttle';
  if ([500, 502, 503, 504].includes(outcome.status)) return 'serverError';
  return 'other';
}

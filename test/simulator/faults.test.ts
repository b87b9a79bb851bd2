import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { KlaviyoErrorBody } from '../../src/klaviyo/types.js';
import {
  KlaviyoSimulator,
  SIMULATOR_API_KEY,
  SIMULATOR_NO_SCOPE_API_KEY,
  SUBSCRIBE_PATH,
  type FaultRates,
  type SimulatorOptions,
} from '../../src/simulator/index.js';
import { keepAliveAgent, parsesAsJson, rawGet, verdictOf, type Outcome, type Verdict } from './raw-http.js';
import { authHeaders, REVISION } from './simulator-client.js';

const READ_PATHS = ['/api/profiles?page%5Bsize%5D=5', '/api/metrics', '/api/events?page%5Bsize%5D=5'];
const SMALL: SimulatorOptions = { rateLimits: 'none' as const, profiles: 30, customMetrics: 5, activityEvents: 20 };
const EVERY_KIND: FaultRates = { throttle: 0.2, serverError: 0.2, reset: 0.2, garbage: 0.2 };

const running: KlaviyoSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function start(options: SimulatorOptions): Promise<KlaviyoSimulator> {
  const simulator = await KlaviyoSimulator.start({ ...SMALL, ...options });
  running.push(simulator);
  return simulator;
}

/** `count` GETs in turn over `paths`, on one keep-alive agent that survives resets. */
async function run(simulator: KlaviyoSimulator, count: number, paths = READ_PATHS): Promise<Outcome[]> {
  const agent = keepAliveAgent();
  const outcomes: Outcome[] = [];
  try {
    for (let i = 0; i < count; i++) outcomes.push(await rawGet(`${simulator.baseUrl}${paths[i % paths.length]}`, agent));
  } finally {
    agent.destroy();
  }
  return outcomes;
}

function tally(outcomes: Outcome[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { ok: 0, throttle: 0, serverError: 0, reset: 0, garbage: 0, other: 0 };
  for (const outcome of outcomes) counts[verdictOf(outcome)]++;
  return counts;
}

/** What a request saw, minus the per-response error ids, so two runs can be compared. */
function signature(outcome: Outcome): string {
  const verdict = verdictOf(outcome);
  if (outcome.kind === 'error') return verdict;
  return verdict === 'garbage' ? `garbage:${outcome.body}` : `${verdict}:${outcome.status}`;
}

function errorIn(outcome: Outcome): KlaviyoErrorBody['errors'][number] {
  if (outcome.kind !== 'response') throw new Error(`no response: ${outcome.message}`);
  const error = (JSON.parse(outcome.body) as KlaviyoErrorBody).errors[0];
  if (!error) throw new Error(`no error in ${outcome.body}`);
  return error;
}

async function openConnections(simulator: KlaviyoSimulator): Promise<number> {
  // The server is private; its connection count is the only way to see a leaked socket.
  const server = (simulator as unknown as { server: Server }).server;
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

describe('fault injection', () => {
  it("injects every kind in Klaviyo's shapes, counts each, and leaks no socket", async () => {
    const simulator = await start({ faults: { ...EVERY_KIND, seed: 5 } });
    const outcomes = await run(simulator, 200);
    const counts = tally(outcomes);

    expect(counts.other).toBe(0);
    for (const kind of ['ok', 'throttle', 'serverError', 'reset', 'garbage'] as const) expect(counts[kind], kind).toBeGreaterThan(0);
    expect(simulator.stats.faults).toEqual({ throttle: counts.throttle, serverError: counts.serverError, reset: counts.reset, garbage: counts.garbage });
    expect(simulator.stats.requests).toBe(200);
    expect(simulator.stats.byStatus[0]).toBe(counts.reset);
    expect(simulator.requestLog.filter((entry) => entry.status === 0)).toHaveLength(counts.reset);

    const serverErrorStatuses = new Set<number>();
    const garbageStarts = new Set<string>();
    for (const outcome of outcomes) {
      const verdict = verdictOf(outcome);
      if (verdict === 'reset') continue;
      if (outcome.kind !== 'response') throw new Error('unreachable: only resets are errors');
      expect(outcome.headers['content-type']).toBe('application/vnd.api+json');
      if (verdict === 'ok') expect(Array.isArray((JSON.parse(outcome.body) as { data: unknown }).data)).toBe(true);
      if (verdict === 'throttle') {
        expect(outcome.headers['retry-after']).toBe('1');
        expect(errorIn(outcome)).toMatchObject({ status: 429, code: 'throttled', detail: 'Request was throttled. Expected available in 1 second.' });
      }
      if (verdict === 'serverError') {
        serverErrorStatuses.add(outcome.status);
        const error = errorIn(outcome);
        expect(Object.keys(error).sort()).toEqual(['code', 'detail', 'id', 'status', 'title']);
        expect(error.status).toBe(outcome.status);
        expect(error.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(error.code).not.toBe('');
      }
      if (verdict === 'garbage') {
        expect(parsesAsJson(outcome.body)).toBe(false);
        garbageStarts.add(outcome.body.slice(0, 1));
      }
    }
    expect([...serverErrorStatuses].sort()).toEqual([500, 502, 503, 504]);
    expect(garbageStarts.has('{') && garbageStarts.has('<'), 'both truncated pages and HTML pages').toBe(true);

    // The run's agent is destroyed; a reset that left its socket open would still be counted here.
    await expect.poll(() => openConnections(simulator), { timeout: 2_000 }).toBe(0);
    simulator.setFaults(undefined);
    expect(verdictOf((await run(simulator, 1))[0]!)).toBe('ok');
  });

  it('repeats the same sequence for the same seed, and another for another seed', async () => {
    const rates = { ...EVERY_KIND, seed: 42 };
    const first = await start({ faults: rates });
    const second = await start({ faults: rates });
    const sequence = (await run(first, 60)).map(signature);
    expect((await run(second, 60)).map(signature)).toEqual(sequence);
    first.setFaults(rates);
    expect((await run(first, 60)).map(signature)).toEqual(sequence);
    first.setFaults({ ...rates, seed: 43 });
    expect((await run(first, 60)).map(signature)).not.toEqual(sequence);
  });

  it('never fires a kind whose rate is 0, and fires every time at rate 1', async () => {
    const simulator = await start({ faults: { throttle: 0.5, serverError: 0, reset: 0, garbage: 0 } });
    const counts = tally(await run(simulator, 100));
    expect(counts.throttle).toBeGreaterThan(20);
    expect(counts.ok).toBe(100 - counts.throttle);
    expect(simulator.stats.faults).toEqual({ throttle: counts.throttle, serverError: 0, reset: 0, garbage: 0 });

    simulator.setFaults({ garbage: 1 });
    expect(tally(await run(simulator, 12)).garbage).toBe(12);
    simulator.setFaults(undefined);
    expect(tally(await run(simulator, 12)).ok).toBe(12);
  });

  it('does not use up the rate-limit window with an injected 429', async () => {
    // Only GET /api/profiles is rate-limited.
    const profiles = ['/api/profiles'];
    const simulator = await start({ rateLimits: { profiles: { perSecond: 2 } }, faults: { throttle: 1 } });
    expect(tally(await run(simulator, 5, profiles)).throttle).toBe(5);
    simulator.setFaults(undefined);
    const after = (await run(simulator, 3, profiles)).map((outcome) => verdictOf(outcome));
    expect(after).toEqual(['ok', 'ok', 'throttle']);
    expect(simulator.stats.faults.throttle).toBe(5);
  });

  it('answers credential, routing and method errors as usual, without drawing a fault', async () => {
    const simulator = await start({ faults: { serverError: 1 } });
    const agent = keepAliveAgent();
    try {
      const statusOf = async (path: string, headers: Record<string, string>): Promise<number> => {
        const outcome = await rawGet(`${simulator.baseUrl}${path}`, agent, headers);
        return outcome.kind === 'response' ? outcome.status : -1;
      };
      expect(await statusOf('/api/profiles', authHeaders('pk_wrong_key'))).toBe(401);
      expect(await statusOf('/api/events', { revision: REVISION })).toBe(401);
      expect(await statusOf('/api/metrics', authHeaders(SIMULATOR_NO_SCOPE_API_KEY))).toBe(403);
      expect(await statusOf('/api/nowhere', authHeaders())).toBe(404);
      expect(await statusOf(SUBSCRIBE_PATH, authHeaders())).toBe(405);
      expect(simulator.stats.faults.serverError).toBe(0);
      expect(await statusOf('/api/profiles', authHeaders(SIMULATOR_API_KEY))).toBeGreaterThanOrEqual(500);
      expect(simulator.stats.faults.serverError).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});

describe('fault rates validation', () => {
  it.each<[string, FaultRates, RegExp]>([
    ['a rate above 1', { throttle: 1.5 }, /faults\.throttle must be a probability from 0 to 1, got 1\.5/],
    ['a negative rate', { reset: -0.1 }, /faults\.reset must be a probability/],
    ['NaN', { garbage: Number.NaN }, /faults\.garbage must be a probability/],
    ['a sum above 1', { serverError: 0.6, throttle: 0.6 }, /add up to 1\.2; .*at most 1/],
    ['a fractional seed', { throttle: 0.1, seed: 1.5 }, /faults\.seed must be an integer/],
    // A typo from plain JavaScript, which the type would have caught.
    ['an unknown kind', { throtle: 0.5 } as FaultRates, /faults\.throtle is not a fault/],
  ])('refuses %s', async (_name, faults, message) => {
    await expect(KlaviyoSimulator.start({ ...SMALL, faults })).rejects.toThrow(message);
  });

  it('accepts rates that add up to 1 in floating point, and keeps the old rates when setFaults throws', async () => {
    const simulator = await start({ faults: { throttle: 0.1, serverError: 0.2, reset: 0.3, garbage: 0.4 } });
    simulator.setFaults({ serverError: 1 });
    expect(() => simulator.setFaults({ serverError: 2 })).toThrow(/faults\.serverError/);
    expect(tally(await run(simulator, 3)).serverError).toBe(3);
  });
});

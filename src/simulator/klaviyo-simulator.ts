import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { ProfileAttributes, ProfileResource } from '../klaviyo/types.js';
import { REQUIRED_SCOPE } from './api-contract.js';
import { methodNotAllowed, notFound, serverError, type SimulatedResponse } from './error-responses.js';
import { DEFAULT_ANCHOR } from './profile-generator.js';
import { newProfileAttributes, ProfileStore } from './profile-store.js';
import { getProfiles, type EndpointContext } from './profiles-endpoint.js';
import { SlidingWindowLimiter, type RateLimit } from './rate-limiter.js';
import { RequestRecorder, type RequestLogEntry, type RequestStats } from './request-recorder.js';
import { formatSeconds, truncateToSeconds } from './timestamps.js';

export const SIMULATOR_API_KEY = 'pk_simulator_000000000000000000000000000000';
export const SIMULATOR_NO_SCOPE_API_KEY = 'pk_simulator_noscope_0000000000000000000000';

export interface SimulatorOptions {
  /** How many profiles to generate; default 1000. */
  profiles?: number;
  /** Default 1; the same seed gives byte-identical data. */
  seed?: number;
  /** Generated `created`/`updated` lie before this instant; default 2026-11-01T00:00:00Z. */
  anchor?: Date;
  /** API key -> scopes; default SIMULATOR_API_KEY with profiles:read and SIMULATOR_NO_SCOPE_API_KEY with none. */
  apiKeys?: Record<string, string[]>;
  /** Delay added to every GET /api/profiles response; default 0. */
  latencyMs?: number;
  /** Default: no limit. */
  rateLimit?: RateLimit;
  /** Default 127.0.0.1; only loopback addresses are accepted. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

const PROFILES_PATHS = new Set(['/api/profiles', '/api/profiles/']);

/** A local, faithful stand-in for Klaviyo's GET /api/profiles, for tests, the demo and benchmarks. */
export class KlaviyoSimulator {
  private readonly recorder = new RequestRecorder();
  private readonly pendingReplies = new Set<NodeJS.Timeout>();
  private latencyMs: number;
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly store: ProfileStore,
    private readonly apiKeys: ReadonlyMap<string, readonly string[]>,
    private readonly limiter: SlidingWindowLimiter,
    latencyMs: number,
    readonly baseUrl: string,
  ) {
    this.latencyMs = latencyMs;
  }

  static async start(options: SimulatorOptions = {}): Promise<KlaviyoSimulator> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host)) throw new Error(`The simulator only listens on loopback addresses; refusing host '${host}'.`);
    const latencyMs = checkedLatency(options.latencyMs ?? 0);
    const limiter = new SlidingWindowLimiter(options.rateLimit);
    const apiKeys = new Map(
      Object.entries(options.apiKeys ?? { [SIMULATOR_API_KEY]: [REQUIRED_SCOPE], [SIMULATOR_NO_SCOPE_API_KEY]: [] }),
    );
    const store = new ProfileStore(options.profiles ?? 1000, options.seed ?? 1, options.anchor ?? DEFAULT_ANCHOR);

    let simulator: KlaviyoSimulator | undefined;
    const server = createServer({ keepAlive: true }, (request, response) => simulator?.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    simulator = new KlaviyoSimulator(server, store, apiKeys, limiter, latencyMs, `http://${hostPart}:${address.port}`);
    return simulator;
  }

  get size(): number {
    return this.store.size;
  }

  get stats(): RequestStats {
    return this.recorder.stats;
  }

  get requestLog(): ReadonlyArray<RequestLogEntry> {
    return this.recorder.log();
  }

  resetStats(): void {
    this.recorder.reset();
  }

  /** A deep copy, with `attributes.subscriptions`: the truth a connector's output is checked against. */
  profile(id: string): ProfileResource | undefined {
    const slot = this.store.slotOf(id);
    if (slot === undefined) return undefined;
    return { type: 'profile', id, attributes: structuredClone(this.store.attributesOf(slot)) };
  }

  /** Deep copies of every profile, with subscriptions, sorted by id. */
  allProfiles(): ProfileResource[] {
    const index = this.store.index('id', false);
    const profiles: ProfileResource[] = [];
    for (let position = 0; position < index.size; position++) {
      const slot = index.slotAt(position);
      profiles.push({ type: 'profile', id: this.store.idOf(slot), attributes: structuredClone(this.store.attributesOf(slot)) });
    }
    return profiles;
  }

  /**
   * Changes a profile as a Klaviyo write would. bumpUpdated (default true) sets attributes.updated
   * to `at` (default now), truncated to whole seconds.
   */
  updateProfile(
    id: string,
    mutate: (attributes: ProfileAttributes) => void,
    options: { bumpUpdated?: boolean; at?: Date } = {},
  ): void {
    const slot = this.store.slotOf(id);
    if (slot === undefined) throw new Error(`No profile with id ${id}`);
    const attributes = structuredClone(this.store.attributesOf(slot));
    mutate(attributes);
    if (options.bumpUpdated ?? true) attributes.updated = formatSeconds(truncateToSeconds(options.at ?? new Date()));
    this.store.write(slot, attributes);
  }

  /** Adds a profile; created = updated = `at` (default now) in whole seconds. Returns its new id. */
  addProfile(attributes: Partial<ProfileAttributes> = {}, options: { at?: Date } = {}): string {
    const atSec = truncateToSeconds(options.at ?? new Date());
    return this.store.add(newProfileAttributes(attributes, atSec), atSec * 1000);
  }

  deleteProfile(id: string): void {
    const slot = this.store.slotOf(id);
    if (slot === undefined) throw new Error(`No profile with id ${id}`);
    this.store.delete(slot);
  }

  setLatency(ms: number): void {
    this.latencyMs = checkedLatency(ms);
  }

  setRateLimit(limit: RateLimit | undefined): void {
    this.limiter.setLimit(limit);
  }

  /** Stops listening and drops keep-alive sockets and delayed replies at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.pendingReplies) clearTimeout(timer);
    this.pendingReplies.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const arrivedAt = Date.now();
    // Bodies are never read; draining them keeps keep-alive connections usable.
    request.resume();
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?', 1)[0] ?? '';
    const isProfiles = PROFILES_PATHS.has(path);

    let reply: SimulatedResponse;
    try {
      if (!isProfiles) reply = notFound();
      else if (method !== 'GET') reply = methodNotAllowed(method);
      else reply = getProfiles({ url, headers: request.headers }, this.endpointContext(), arrivedAt);
    } catch (error) {
      reply = serverError(error);
    }

    const send = (): void => {
      this.recorder.record({ method, url, status: reply.status, at: arrivedAt });
      response.writeHead(reply.status, { ...reply.headers, 'Content-Length': Buffer.byteLength(reply.body) });
      response.end(reply.body);
    };
    const delay = isProfiles && method === 'GET' ? this.latencyMs : 0;
    if (delay <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.pendingReplies.delete(timer);
      send();
    }, delay);
    this.pendingReplies.add(timer);
  }

  private endpointContext(): EndpointContext {
    return { store: this.store, apiKeys: this.apiKeys, limiter: this.limiter, baseUrl: this.baseUrl };
  }
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

function checkedLatency(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latencyMs must be a non-negative number, got ${ms}`);
  return ms;
}

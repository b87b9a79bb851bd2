import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { ProfileAttributes, ProfileResource } from '../klaviyo/types.js';
import { defaultActivityEvents, generateActivityEvents } from './generation/activity-events.js';
import { defaultConsentHistoryProfiles, generateConsentHistory } from './generation/consent-history.js';
import { REQUIRED_SCOPE } from './rules/api-contract.js';
import { JOB_READ_SCOPES, SUBSCRIBE_SCOPES, SUPPRESS_SCOPES, UNSUBSCRIBE_SCOPES, UNSUPPRESS_SCOPES } from './rules/bulk-jobs-contract.js';
import { confirmPendingOptIns, getSuppressionJob, postBulkJob, type PendingOptIn, type WriteContext } from './endpoints/bulk-jobs-endpoint.js';
import { setPushConsent, suppress, type ConsentEvent, type PushConsent } from './store/consent-changes.js';
import { BackendQueue } from './http/backend-queue.js';
import { ConsentWriter } from './store/consent-writer.js';
import { methodNotAllowed, notFound, payloadTooLarge, serverError, type SimulatedResponse } from './rules/error-responses.js';
import { EventStore, type EventProperties } from './store/event-store.js';
import { getEvents } from './endpoints/events-endpoint.js';
import { EVENTS_SCOPE, METRICS_SCOPE } from './rules/events-contract.js';
import { faultFor, writeFaultFor } from './faults/fault-gate.js';
import { FaultInjector } from './faults/fault-injector.js';
import type { FaultKind, FaultRates } from './faults/fault-rates.js';
import { MetricCatalog, type SmsMetricNaming } from './store/metric-catalog.js';
import { getMetrics } from './endpoints/metrics-endpoint.js';
import { deriveSeed, mulberry32, type Rng } from './generation/prng.js';
import { DEFAULT_ANCHOR, lastWholeSecondBefore } from './generation/profile-generator.js';
import { newProfileAttributes, ProfileStore } from './store/profile-store.js';
import { getProfiles } from './endpoints/profiles-endpoint.js';
import { EndpointRateLimits, type RateLimitsOption } from './rules/rate-limits.js';
import type { CursorPolicy } from './rules/cursor.js';
import { LISTS_SCOPE } from './rules/lists-contract.js';
import { getLists } from './endpoints/lists-endpoint.js';
import { ListCatalog } from './store/list-catalog.js';
import { MAX_BODY_BYTES, readBody } from './http/request-body.js';
import { RequestRecorder, type RequestLogEntry, type RequestStats } from './http/request-recorder.js';
import { canonicalPath, methodOf, routeOf, type Route } from './http/routes.js';
import { formatSeconds, truncateToSeconds } from './store/timestamps.js';

export const SIMULATOR_API_KEY = 'pk_simulator_000000000000000000000000000000';
export const SIMULATOR_NO_SCOPE_API_KEY = 'pk_simulator_noscope_0000000000000000000000';

/** Every scope the simulator's endpoints need: what SIMULATOR_API_KEY holds by default. */
export const SIMULATOR_API_KEY_SCOPES: readonly string[] = [
  ...new Set([REQUIRED_SCOPE, METRICS_SCOPE, EVENTS_SCOPE, LISTS_SCOPE, ...SUBSCRIBE_SCOPES, ...UNSUBSCRIBE_SCOPES, ...SUPPRESS_SCOPES, ...UNSUPPRESS_SCOPES, ...JOB_READ_SCOPES]),
];

/** One recorded event, as `KlaviyoSimulator.events()` lists it. */
export interface SimulatedEvent {
  id: string;
  metricId: string;
  metricName: string;
  profileId: string;
  /** `2026-11-22T10:11:12+00:00`, whole seconds, as GET /api/events serves it. */
  datetime: string;
}

export type { FaultRates, PushConsent, RateLimitsOption, SmsMetricNaming };

const JOB_IDS_SALT = 0x70b;

export interface SimulatorOptions {
  /** How many profiles to generate; default 1000. */
  profiles?: number;
  /** Default 1; the same seed gives byte-identical data. */
  seed?: number;
  /** Generated `created`/`updated` lie before this instant; default 2026-11-01T00:00:00Z. */
  anchor?: Date;
  /**
   * API key -> scopes; default SIMULATOR_API_KEY with every scope the simulator's endpoints need
   * (SIMULATOR_API_KEY_SCOPES) and SIMULATOR_NO_SCOPE_API_KEY with none.
   */
  apiKeys?: Record<string, string[]>;
  /** Delay added to every GET /api/profiles response; default 0. */
  latencyMs?: number;
  /**
   * Klaviyo's rate limits, per endpoint and counted apart (Get Profiles 75/s and 750/m, Get Metrics 10/s and
   * 150/m, Get Events 350/s and 3500/m, Get Lists 75/s and 750/m, ...), enforced by default: 'klaviyo'.
   * 'none' lifts them all (throughput benchmarks); an object replaces the endpoints it names
   * (`{ profiles: { perSecond: 2 } }`, `{ metrics: null }` for none).
   */
  rateLimits?: RateLimitsOption;
  /** How many lists the account has (GET /api/lists; generated list suppressions name them); default 5. */
  lists?: number;
  /**
   * Page cursors older than this are refused with Klaviyo's invalid-cursor 400, as real cursors expire
   * (Klaviyo's staff give about three days). Default: cursors never expire by age.
   */
  cursorMaxAgeSeconds?: number;
  /** Default 127.0.0.1; only loopback addresses are accepted. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /**
   * Whether consent writes (the bulk jobs and the record/set helpers) set `updated` to the write
   * time. Default false: Klaviyo documents `updated` as the last change of a profile property, and
   * nothing says a consent change is one, so the pessimistic case is the default.
   */
  consentChangesBumpUpdated?: boolean;
  /**
   * 'text' (default): "Subscribed to Text Messaging Marketing", Klaviyo's 2026 names; 'sms': "Subscribed to SMS
   * Marketing", an account that still holds the old ones; 'both': both, new events under the new names.
   */
  smsMetricNaming?: SmsMetricNaming;
  /** Custom metrics besides the built-in ones; default 220, so that GET /api/metrics (200 a page) has two pages. */
  customMetrics?: number;
  /** Generated events of non-consent metrics (orders, opens, clicks, site visits); default two per profile, at most 10000. */
  activityEvents?: number;
  /**
   * Profiles whose consent history (the consent events their consent records imply) is generated; default every
   * profile, at most 5000. 0: an account with no consent event yet.
   */
  consentHistoryProfiles?: number;
  /**
   * How long an accepted consent job takes to apply, as Klaviyo applies jobs asynchronously: a client that
   * reads a profile right after the 202 may see the old consent. Default 0: applied before the response.
   */
  writeDelayMs?: number;
  /** With no list in a subscribe, whether the account's default opt-in process is double opt-in; default false. */
  doubleOptInByDefault?: boolean;
  /**
   * Countries (ISO 3166 alpha-2, `['US', 'GB']`) with an SMS sending number: an SMS subscribe of a phone from
   * elsewhere is refused with 400, as Klaviyo does. Default: every country.
   */
  smsCountries?: readonly string[];
  /**
   * Faults injected on purpose into the reads and the consent jobs (a faulted job is not applied), after the key
   * is checked; default none. Counted in `stats.faults`. See FaultRates.
   */
  faults?: FaultRates;
}

/**
 * A local, faithful stand-in for the parts of Klaviyo the connector uses: GET /api/profiles, the
 * consent metrics and events (GET /api/metrics, GET /api/events), and the bulk consent jobs that
 * change consent the way Klaviyo clients do. For tests, the demo and benchmarks.
 */
export class KlaviyoSimulator {
  private readonly recorder = new RequestRecorder();
  private readonly pendingReplies = new Set<NodeJS.Timeout>();
  private readonly backend = new BackendQueue();
  private latencyMs: number;
  private closed = false;
  private readonly writer: ConsentWriter;
  private readonly jobIds: Rng;
  /** Bumped by expireCursors(); cursors name the epoch they were issued in. */
  private cursorEpoch = 0;
  private readonly pendingApplies = new Set<NodeJS.Timeout>();
  private readonly suppressionJobs: WriteContext['jobs'] = new Map();
  private readonly pendingOptIns: PendingOptIn[] = [];
  private writeDelayMs = 0;
  private doubleOptInByDefault = false;
  private smsCountries: ReadonlySet<string> | undefined;
  private cursorMaxAgeMs: number | undefined;

  private constructor(
    private readonly server: Server,
    private readonly store: ProfileStore,
    private readonly apiKeys: ReadonlyMap<string, readonly string[]>,
    private readonly limits: EndpointRateLimits,
    private readonly listCatalog: ListCatalog,
    latencyMs: number,
    readonly baseUrl: string,
    private readonly catalog: MetricCatalog,
    private readonly eventStore: EventStore,
    private readonly faults: FaultInjector,
    options: { bumpUpdated: boolean; seed: number; cursorMaxAgeSeconds: number | undefined; writeDelayMs: number; doubleOptInByDefault: boolean; smsCountries: readonly string[] | undefined },
  ) {
    this.latencyMs = latencyMs;
    this.setWriteDelay(options.writeDelayMs);
    this.doubleOptInByDefault = options.doubleOptInByDefault;
    this.smsCountries = options.smsCountries === undefined ? undefined : new Set(options.smsCountries.map((c) => c.toUpperCase()));
    this.setCursorMaxAge(options.cursorMaxAgeSeconds);
    server.on('connection', () => this.backend.connectionAccepted());
    this.writer = new ConsentWriter(store, eventStore, catalog, options.bumpUpdated);
    this.jobIds = mulberry32(deriveSeed(options.seed, JOB_IDS_SALT));
  }

  static async start(options: SimulatorOptions = {}): Promise<KlaviyoSimulator> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host)) throw new Error(`The simulator only listens on loopback addresses; refusing host '${host}'.`);
    const latencyMs = checkedLatency(options.latencyMs ?? 0);
    const limits = new EndpointRateLimits(options.rateLimits ?? 'klaviyo');
    const faults = new FaultInjector(options.faults);
    const apiKeys = new Map(
      Object.entries(options.apiKeys ?? { [SIMULATOR_API_KEY]: [...SIMULATOR_API_KEY_SCOPES], [SIMULATOR_NO_SCOPE_API_KEY]: [] }),
    );
    const seed = options.seed ?? 1;
    const anchor = options.anchor ?? DEFAULT_ANCHOR;
    const naming = options.smsMetricNaming ?? 'text';
    if (naming !== 'text' && naming !== 'sms' && naming !== 'both') throw new RangeError(`smsMetricNaming must be 'text', 'sms' or 'both', got '${String(naming)}'`);
    const lists = new ListCatalog(seed, anchor, options.lists ?? 5);
    const store = new ProfileStore(options.profiles ?? 1000, seed, anchor, lists.ids());
    const catalog = new MetricCatalog(seed, anchor, naming, options.customMetrics ?? 220);
    const eventStore = new EventStore(seed);
    generateActivityEvents(eventStore, store, catalog, {
      count: options.activityEvents ?? defaultActivityEvents(store.size),
      seed,
      anchorSec: lastWholeSecondBefore(anchor) + 1,
    });
    generateConsentHistory(eventStore, store, catalog, lists, options.consentHistoryProfiles ?? defaultConsentHistoryProfiles(store.size));

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
    simulator = new KlaviyoSimulator(server, store, apiKeys, limits, lists, latencyMs, `http://${hostPart}:${address.port}`, catalog, eventStore, faults, {
      bumpUpdated: options.consentChangesBumpUpdated ?? false,
      seed,
      cursorMaxAgeSeconds: options.cursorMaxAgeSeconds,
      writeDelayMs: options.writeDelayMs ?? 0,
      doubleOptInByDefault: options.doubleOptInByDefault ?? false,
      smsCountries: options.smsCountries,
    });
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

  /** Whether consent writes from now on set `updated` to the write time (see SimulatorOptions.consentChangesBumpUpdated). */
  setConsentChangesBumpUpdated(value: boolean): void {
    this.writer.bumpUpdated = value;
  }

  /** A hard bounce, as Klaviyo's sending records it: suppression HARD_BOUNCE and a "Bounced Email" event. */
  recordBounce(profileId: string, options: { at?: Date } = {}): void {
    this.changeConsent(profileId, options.at, (attributes, atMs) => suppress(attributes, 'HARD_BOUNCE', atMs));
  }

  /** A spam complaint: suppression SPAM_COMPLAINT and a "Marked Email as Spam" event. */
  recordSpamComplaint(profileId: string, options: { at?: Date } = {}): void {
    this.changeConsent(profileId, options.at, (attributes, atMs) => suppress(attributes, 'SPAM_COMPLAINT', atMs));
  }

  /** Sets subscriptions.mobile_push.marketing (creating it if absent). Records no event: Klaviyo has no consent metric for push. */
  setPushConsent(profileId: string, consent: PushConsent, options: { at?: Date } = {}): void {
    this.changeConsent(profileId, options.at, (attributes, atMs) => {
      setPushConsent(attributes, consent, atMs);
      return [];
    });
  }

  /** Records an event of any metric (by name) for a profile, e.g. a "Placed Order"; returns the event id. Changes no profile. */
  recordEvent(profileId: string, metricName: string, options: { at?: Date; properties?: Record<string, unknown> } = {}): string {
    if (this.store.slotOf(profileId) === undefined) throw new Error(`No profile with id ${profileId}`);
    const metric = this.catalog.byName(metricName);
    if (!metric) throw new Error(`No metric named '${metricName}'`);
    const properties: EventProperties | undefined = options.properties ? structuredClone(options.properties) : undefined;
    const seconds = truncateToSeconds(options.at ?? new Date());
    return this.eventStore.add({ metricId: metric.id, profileId, seconds, ...(properties ? { properties } : {}) });
  }

  /** Every event, in the order recorded (generated activity events first). */
  events(): SimulatedEvent[] {
    const events: SimulatedEvent[] = [];
    for (let row = 0; row < this.eventStore.size; row++) {
      const metricId = this.eventStore.metricIdOf(row);
      events.push({
        id: this.eventStore.idOf(row),
        metricId,
        metricName: this.catalog.byId(metricId)?.name ?? '',
        profileId: this.eventStore.profileIdOf(row),
        datetime: formatSeconds(this.eventStore.secondsOf(row)),
      });
    }
    return events;
  }

  /** Every metric of the account, in GET /api/metrics order. */
  metrics(): Array<{ id: string; name: string }> {
    return this.catalog.all().map(({ id, name }) => ({ id, name }));
  }

  setLatency(ms: number): void {
    this.latencyMs = checkedLatency(ms);
  }

  /** Replaces the rate limits (see SimulatorOptions.rateLimits); what was counted so far still counts. */
  setRateLimits(option: RateLimitsOption): void {
    this.limits.configure(option);
  }

  /** Every list of the account, in creation order, as GET /api/lists serves them. */
  lists(): Array<{ id: string; name: string; optInProcess: 'double_opt_in' | 'single_opt_in' }> {
    return this.listCatalog.all().map(({ id, name, opt_in_process }) => ({ id, name, optInProcess: opt_in_process }));
  }

  /** Adds a list (created now, or `at`; single opt-in unless `doubleOptIn`); returns its id. */
  addList(name: string, options: { at?: Date; doubleOptIn?: boolean } = {}): string {
    return this.listCatalog.create(name, truncateToSeconds(options.at ?? new Date()), options.doubleOptIn ? 'double_opt_in' : 'single_opt_in').id;
  }

  /** How long accepted consent jobs take to apply from now on (see SimulatorOptions.writeDelayMs). */
  setWriteDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`writeDelayMs must be a non-negative number, got ${ms}`);
    this.writeDelayMs = ms;
  }

  /** Countries with an SMS sending number from now on (undefined: every country). */
  setSmsCountries(countries: readonly string[] | undefined): void {
    this.smsCountries = countries === undefined ? undefined : new Set(countries.map((c) => c.toUpperCase()));
  }

  /** Every person asked to confirm a double opt-in does: their pending subscribes apply now. Returns how many. */
  confirmDoubleOptIns(): number {
    return confirmPendingOptIns(this.writeContext(), Date.now());
  }

  /** Double opt-in subscribes waiting for confirmation. */
  get pendingDoubleOptIns(): number {
    return this.pendingOptIns.length;
  }

  /** Resolves once every accepted consent job has been applied. */
  async settled(): Promise<void> {
    while (this.pendingApplies.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Cursors older than this many seconds are refused from now on (undefined: never by age). */
  setCursorMaxAge(seconds: number | undefined): void {
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) throw new RangeError(`cursorMaxAgeSeconds must be a positive number, got ${seconds}`);
    this.cursorMaxAgeMs = seconds === undefined ? undefined : seconds * 1000;
  }

  /** Replaces the fault rates (undefined: no faults) and restarts the fault sequence from their seed. Throws on invalid rates. */
  setFaults(rates: FaultRates | undefined): void {
    this.faults.configure(rates);
  }

  /**
   * Every page cursor issued so far becomes invalid: following one answers Klaviyo's 400 for an
   * invalid cursor, as when a cursor outlives its server-side lifetime. Cursors issued afterwards work.
   */
  expireCursors(): void {
    this.cursorEpoch++;
  }

  /** Stops listening and drops keep-alive sockets and delayed replies at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.pendingReplies) clearTimeout(timer);
    this.pendingReplies.clear();
    for (const timer of this.pendingApplies) clearTimeout(timer);
    this.pendingApplies.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const arrivedAt = Date.now();
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?', 1)[0] ?? '';
    const route = routeOf(path);
    const send = (reply: SimulatedResponse, delayMs: number): void => this.send(response, { method, url, at: arrivedAt }, reply, delayMs);

    if (route === 'bulk-job' && method === 'POST') {
      readBody(request, (body) => {
        if (this.closed) return;
        const fault = writeFaultFor({ url, headers: request.headers }, { injector: this.faults, apiKeys: this.apiKeys, baseUrl: this.baseUrl });
        if (fault?.kind === 'reset') {
          this.recorder.record({ method, url, at: arrivedAt, status: 0 }, 'reset');
          request.socket.resetAndDestroy();
          return;
        }
        if (fault) {
          this.send(response, { method, url, at: arrivedAt }, fault.reply, 0, fault.kind);
          return;
        }
        const reply = this.answer(() =>
          body === undefined
            ? payloadTooLarge(MAX_BODY_BYTES)
            : postBulkJob(canonicalPath(path), { url, headers: request.headers, body }, this.writeContext(), arrivedAt),
        );
        send(reply, 0);
      });
      return;
    }

    // Other bodies are never read; draining them keeps keep-alive connections usable.
    request.resume();
    const headers = request.headers;
    const delayMs = route === 'profiles' && method === 'GET' ? this.latencyMs : 0;
    const fault = faultFor({ route, method, url, headers }, { injector: this.faults, apiKeys: this.apiKeys, baseUrl: this.baseUrl });
    if (fault?.kind === 'reset') {
      this.recorder.record({ method, url, at: arrivedAt, status: 0 }, 'reset');
      // An RST rather than a FIN, so the client sees ECONNRESET as after a real network fault.
      request.socket.resetAndDestroy();
      return;
    }
    if (fault) {
      this.send(response, { method, url, at: arrivedAt }, fault.reply, delayMs, fault.kind);
      return;
    }
    // Stamped now, built in turn (see BackendQueue): the rate limit judges the arrival time, and the latency
    // counts from it too.
    this.backend.run(() => {
      if (this.closed) return;
      const reply = this.answer(() => this.respond(route, method, url, headers, arrivedAt));
      send(reply, Math.max(0, delayMs - (Date.now() - arrivedAt)));
    });
  }

  private respond(route: Route | undefined, method: string, url: string, headers: IncomingHttpHeaders, arrivedAt: number): SimulatedResponse {
    if (route === undefined) return notFound();
    if (method !== methodOf(route)) return methodNotAllowed(method, methodOf(route));
    const request = { url, headers };
    const common = { apiKeys: this.apiKeys, limits: this.limits, baseUrl: this.baseUrl, cursors: this.cursorPolicy(arrivedAt) };
    if (route === 'metrics') return getMetrics(request, { ...common, metrics: this.catalog }, arrivedAt);
    if (route === 'events') return getEvents(request, { ...common, metrics: this.catalog, events: this.eventStore, store: this.store }, arrivedAt);
    if (route === 'lists') return getLists(request, { ...common, lists: this.listCatalog }, arrivedAt);
    if (route === 'bulk-job-status') return getSuppressionJob(canonicalPath(url.split('?', 1)[0] ?? ''), request, this.writeContext(), arrivedAt);
    return getProfiles(request, { ...common, store: this.store }, arrivedAt);
  }

  private cursorPolicy(nowMs: number): CursorPolicy {
    return { epoch: this.cursorEpoch, nowMs, maxAgeMs: this.cursorMaxAgeMs };
  }

  /** A simulator bug surfaces as Klaviyo's 500 rather than a dropped connection. */
  private answer(respond: () => SimulatedResponse): SimulatedResponse {
    try {
      return respond();
    } catch (error) {
      return serverError(error);
    }
  }

  private send(
    response: ServerResponse,
    request: { method: string; url: string; at: number },
    reply: SimulatedResponse,
    delayMs: number,
    fault?: FaultKind,
  ): void {
    const send = (): void => {
      this.recorder.record({ ...request, status: reply.status, ...(reply.status >= 400 && reply.status < 500 ? { refusal: refusalOf(reply.body) } : {}) }, fault);
      response.writeHead(reply.status, { ...reply.headers, 'Content-Length': Buffer.byteLength(reply.body) });
      response.end(reply.body);
    };
    if (delayMs <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.pendingReplies.delete(timer);
      send();
    }, delayMs);
    this.pendingReplies.add(timer);
  }

  /** Applies a programmatic consent change at `at` (default now), honouring the bump switch. */
  private changeConsent(profileId: string, at: Date | undefined, change: (attributes: ProfileAttributes, atMs: number) => ConsentEvent[]): void {
    const slot = this.store.slotOf(profileId);
    if (slot === undefined) throw new Error(`No profile with id ${profileId}`);
    const atMs = (at ?? new Date()).getTime();
    this.writer.apply(slot, atMs, (attributes) => change(attributes, atMs));
  }

  private writeContext(): WriteContext {
    return {
      apiKeys: this.apiKeys,
      limits: this.limits,
      lists: this.listCatalog,
      baseUrl: this.baseUrl,
      store: this.store,
      writer: this.writer,
      jobIds: this.jobIds,
      jobs: this.suppressionJobs,
      pendingOptIns: this.pendingOptIns,
      doubleOptInByDefault: this.doubleOptInByDefault,
      smsCountries: this.smsCountries,
      schedule: (apply) => {
        if (this.writeDelayMs === 0) {
          apply(Date.now());
          return;
        }
        const timer = setTimeout(() => {
          this.pendingApplies.delete(timer);
          if (!this.closed) apply(Date.now());
        }, this.writeDelayMs);
        this.pendingApplies.add(timer);
      },
    };
  }

}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** `code: detail` of a Klaviyo error body, for the request log. */
function refusalOf(body: string): string {
  try {
    const first = (JSON.parse(body) as { errors?: Array<{ code?: string; detail?: string }> }).errors?.[0];
    return `${first?.code ?? 'error'}: ${first?.detail ?? ''}`;
  } catch {
    return 'error: (no JSON body)';
  }
}

function checkedLatency(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latencyMs must be a non-negative number, got ${ms}`);
  return ms;
}

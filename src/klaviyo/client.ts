import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { ConfigError, ConnectorError, TransientError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { sleep } from '../common/sleep.js';
import { packageVersion } from '../common/package-files.js';
import { errorForStatus } from './errors.js';
import { endpointOf, OTHER_ENDPOINT_LIMITS, type Endpoint } from './endpoints.js';
import { RateLimiter, type Grant } from './rate-limiter.js';

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  revision: string;
  concurrency: number;
  requestsPerSecond: number;
  requestsPerMinute: number;
  maxRetrySeconds: number;
  requestTimeoutSeconds: number;
  logger: Logger;
}

export interface RequestRecord {
  url: string;
  status: number | 'network-error';
  durationMs: number;
}

/** What axios's http adapter calls to make a request (its `transport` option, typed `any` there). */
interface Transport {
  request(options: http.RequestOptions, callback: (response: http.IncomingMessage) => void): http.ClientRequest;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'EAI_AGAIN']);
// Bounds the loop even when max_retry_seconds is large and failures are instant.
const MAX_ATTEMPTS = 30;


/** A retry-worthy failure of one attempt, with how long the server asked us to wait, if it did. */
class AttemptFailed extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: unknown,
    readonly retryAfterMs: number | undefined,
    /** A 2xx whose body is not JSON: the server answered, but not with Klaviyo's API. */
    readonly garbled = false,
  ) {
    super(message);
  }
}

function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Klaviyo's API as the connector needs it: GET with auth and revision headers, one rate limiter per endpoint
 * shared by every request to it, retries with backoff for what may pass by itself, and errors a person can act
 * on for what will not.
 * Axios errors never escape: they carry the request headers, hence the key.
 */
export class KlaviyoClient {
  /** Get Profiles' limiter: the one nearly every request of a sync waits on. */
  readonly limiter: RateLimiter;
  private readonly limiters: ReadonlyMap<Endpoint, RateLimiter>;
  private readonly http: AxiosInstance;
  private readonly origin: string;
  /** Called after every request (status, duration), for metrics such as Singer's http_request_duration. */
  onRequest: ((record: RequestRecord) => void) | undefined;
  requestCount = 0;
  /** POSTs sent (consent jobs), retries included. */
  writeRequestCount = 0;
  /** A moving average of answer times per kind of request (`what`): a one-profile probe or a metrics list
   * answers faster than a page of 100 profiles with their subscriptions. */
  private readonly latencyMs = new Map<string, number>();

  constructor(private readonly options: ClientOptions) {
    this.limiter = new RateLimiter({ perSecond: options.requestsPerSecond, perMinute: options.requestsPerMinute });
    this.limiters = new Map<Endpoint, RateLimiter>([
      ['profiles', this.limiter],
      ...Object.entries(OTHER_ENDPOINT_LIMITS).map(([endpoint, limits]) => [endpoint as Endpoint, new RateLimiter(limits)] as const),
    ]);
    this.origin = new URL(options.baseUrl).origin;
    this.http = axios.create({
      headers: {
        Authorization: `Klaviyo-API-Key ${options.apiKey}`,
        revision: options.revision,
        Accept: 'application/vnd.api+json',
        'User-Agent': `source-klaviyo-consent/${packageVersion()}`,
      },
      timeout: options.requestTimeoutSeconds * 1000,
      // We judge statuses and parse bodies ourselves, so that a garbled body is a retry, not a crash.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: options.concurrency }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: options.concurrency }),
      proxy: false,
    });
  }

  /**
   * Node's own http/https, telling the limiter when the request has been written out ('finish': after a new
   * connection's handshake, and after whatever held the event loop since the grant).
   *
   * With a transport of its own, axios no longer times the connect phase itself (only the socket's idle
   * time, once connected), so this does: a connect that never completes, or a wait for a free socket,
   * ends after request_timeout_seconds like any other request, as a retryable ECONNABORTED.
   */
  private tellingWhenSent(url: string, grant: Grant): Transport {
    const node = url.startsWith('https:') ? https : http;
    const timeoutMs = this.options.requestTimeoutSeconds * 1000;
    return {
      request: (options, callback) => {
        const request = node.request(options, callback);
        request.once('finish', () => grant.sent());
        const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${this.options.requestTimeoutSeconds} s`), { code: 'ECONNABORTED' })), timeoutMs);
        const stop = () => clearTimeout(timer);
        request.once('response', stop);
        request.once('close', stop);
        return request;
      },
    };
  }

  /** The revision every request is sent with. */
  get revision(): string {
    return this.options.revision;
  }

  /** The limiter of the endpoint a URL calls. */
  limiterFor(url: string): RateLimiter {
    return this.limiters.get(endpointOf(url)) ?? this.limiter;
  }

  /** Time requests spent waiting at the rate limiters, every endpoint, in ms. */
  get waitedMs(): number {
    let total = 0;
    for (const limiter of this.limiters.values()) total += limiter.waitedMs;
    return total;
  }

  /** Tells `listener` about every wait at any endpoint's limiter; returns a function that stops telling. */
  onWait(listener: (waitMs: number, untilMs: number) => void): () => void {
    const stops = [...this.limiters.values()].map((limiter) => limiter.onWait(listener));
    return () => {
      for (const stop of stops) stop();
    };
  }

  /** How long Klaviyo takes to answer requests of this kind (`what`), a moving average; undefined before one. */
  typicalLatencyMs(what: string): number | undefined {
    return this.latencyMs.get(what);
  }

  /** Builds an absolute URL under base_url from a path and query parameters. */
  url(path: string, params: Record<string, string | number | undefined> = {}): string {
    const url = new URL(`${this.options.baseUrl}${path}`);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /**
   * GETs a URL built by url() or taken from a `links.next` of Klaviyo's. `what` names the request in errors.
   * A next link that points at another host is refused: following it would hand the key to that host.
   * `signal`: once aborted, the request is not sent (even if it already waits at the limiter) or is dropped
   * in flight, and the call rejects with the signal's reason; a read that stops sends nothing more.
   */
  async getJson<T>(url: string, what: string, signal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', url, what, undefined, signal);
  }

  /**
   * POSTs a JSON:API document (a consent job). Retried like a GET: every job this connector sends sets a
   * target state, so sending it twice (after a dropped connection whose request did arrive) changes nothing
   * more. Resolves with the response body, undefined for Klaviyo's empty 202.
   */
  async postJson<T>(url: string, body: unknown, what: string, signal?: AbortSignal): Promise<T | undefined> {
    return this.send<T | undefined>('POST', url, what, JSON.stringify(body), signal);
  }

  private async send<T>(method: 'GET' | 'POST', url: string, what: string, body: string | undefined, signal: AbortSignal | undefined): Promise<T> {
    if (new URL(url).origin !== this.origin) {
      throw new ConnectorError(`Klaviyo's response pointed to ${new URL(url).origin}, outside base_url ${this.origin}; refusing to send the API key there.`, 'system_error');
    }
    const started = Date.now();
    const deadline = started + this.options.maxRetrySeconds * 1000;
    const limiter = this.limiterFor(url);
    let lastFailure: AttemptFailed | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // Klaviyo said the quota is spent (a 429 or RateLimit-Remaining: 0) for longer than this request may
      // wait: fail now with the time it frees up, rather than sleep for hours on a daily quota.
      const pausedFor = limiter.pausedUntilMs - Date.now();
      if (pausedFor > deadline - Date.now()) throw quotaError(what, pausedFor, this.options.maxRetrySeconds);
      const grant = await limiter.acquire(signal);
      try {
        return await this.attempt<T>(method, url, what, body, grant, signal);
      } catch (error) {
        if (!(error instanceof AttemptFailed)) throw error;
        lastFailure = error;
      }
      const backoff = Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      const wait = lastFailure.retryAfterMs ?? backoff;
      if (Date.now() + wait > deadline) {
        if (lastFailure.status === 429 && lastFailure.retryAfterMs !== undefined) throw quotaError(what, lastFailure.retryAfterMs, this.options.maxRetrySeconds);
        break;
      }
      this.options.logger.warn(`${what}: ${lastFailure.message}; retry ${attempt} in ${(wait / 1000).toFixed(1)} s`);
      if (lastFailure.status === 429) {
        // Throttling concerns the whole account's use of this endpoint: hold every worker calling it, and let
        // the limiter do the waiting; then pace with more room, so that it does not happen again.
        limiter.pauseUntil(Date.now() + wait);
        // A Retry-After of a second at most speaks of the one-second window, which this limiter should have
        // kept; a longer one is the minute's quota or another app's use of it, which no margin fixes.
        if ((lastFailure.retryAfterMs ?? 1000) <= 1000) limiter.widenMargin();
      } else {
        await sleep(wait);
      }
      signal?.throwIfAborted();
    }
    const failure = lastFailure as AttemptFailed;
    const seconds = Math.round((Date.now() - started) / 1000);
    if (failure.status !== undefined) throw errorForStatus(failure.status, failure.body, what, url);
    if (failure.garbled) {
      throw new TransientError(`Klaviyo kept answering ${what} with a body that is not JSON, for ${seconds} s of retries. This is usually a proxy or an outage page in front of the API: check base_url. A sync resumes from its last state.`);
    }
    throw new TransientError(`Could not reach Klaviyo for ${what} (${failure.message}) after retrying for ${seconds} s. Check the network and base_url. A sync resumes from its last state.`);
  }

  private async attempt<T>(method: 'GET' | 'POST', url: string, what: string, payload: string | undefined, grant: Grant, signal: AbortSignal | undefined): Promise<T> {
    const started = Date.now();
    let response: AxiosResponse<string>;
    try {
      this.requestCount += 1;
      if (method === 'POST') this.writeRequestCount += 1;
      response = await this.http.request<string>({
        method,
        url,
        transport: this.tellingWhenSent(url, grant),
        ...(payload === undefined ? {} : { data: payload, headers: { 'Content-Type': 'application/vnd.api+json' } }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      signal?.throwIfAborted();
      this.onRequest?.({ url, status: 'network-error', durationMs: Date.now() - started });
      const code = (error as { code?: string }).code ?? 'network error';
      if (code === 'ENOTFOUND') {
        throw new ConfigError(`Cannot resolve the host of base_url (${new URL(url).hostname}) for ${what}. Check base_url.`);
      }
      if (RETRYABLE_NETWORK.has(code)) throw new AttemptFailed(code === 'ECONNABORTED' ? `timed out after ${this.options.requestTimeoutSeconds} s` : code, undefined, undefined, undefined);
      throw new TransientError(`Request to Klaviyo for ${what} failed: ${code}.`);
    }
    const took = Date.now() - started;
    this.onRequest?.({ url, status: response.status, durationMs: took });
    if (response.status >= 200 && response.status < 300) {
      const average = this.latencyMs.get(what);
      this.latencyMs.set(what, average === undefined ? took : average * 0.8 + took * 0.2);
    }
    this.limiterFor(url).observe(response.headers);
    const body = parseBody(response.data);
    if (response.status >= 200 && response.status < 300) {
      // A job's 202 may come with no body; any other success must be Klaviyo's JSON.
      const empty = method === 'POST' && (response.data === '' || response.data === undefined);
      if (body === undefined && !empty) throw new AttemptFailed('response body is not valid JSON', undefined, undefined, undefined, true);
      return body as T;
    }
    if (RETRYABLE_STATUS.has(response.status)) {
      throw new AttemptFailed(`HTTP ${response.status}`, response.status, body, parseRetryAfter(response.headers['retry-after']));
    }
    throw errorForStatus(response.status, body, what, url);
  }
}

function quotaError(what: string, waitMs: number, maxRetrySeconds: number): TransientError {
  const freeAt = new Date(Date.now() + waitMs).toISOString();
  return new TransientError(
    `Klaviyo's rate limit for ${what} asks to wait ${Math.ceil(waitMs / 1000)} s (until ${freeAt}), longer than max_retry_seconds (${maxRetrySeconds}). The quota frees up at ${freeAt}; run the sync again then, it resumes from the last state.`,
  );
}

function parseBody(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

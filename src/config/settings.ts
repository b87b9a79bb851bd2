import type { Config } from '../generated/config.js';

/** Config after validation, with defaults applied and values parsed: what the rest of the code runs on. */
export interface Settings {
  apiKey: string;
  /** Inclusive lower bound on `updated`, ms since the epoch. */
  startDateMs: number | undefined;
  revision: string;
  /** Origin plus optional path prefix, without a trailing slash. */
  baseUrl: string;
  pageSize: number;
  concurrency: number;
  requestsPerSecond: number;
  requestsPerMinute: number;
  maxRetrySeconds: number;
  requestTimeoutSeconds: number;
  consentEvents: boolean;
  fullResyncDays: number;
  lookbackSeconds: number;
  maxListsToScan: number;
}

export type RawConfig = Config;

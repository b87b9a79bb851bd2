import { makeListId } from './ids.js';
import { deriveSeed, mulberry32, randomInt } from '../generation/prng.js';
import { formatSeconds } from './timestamps.js';

/**
 * Klaviyo renamed its SMS consent metrics in July 2026: "Subscribed to SMS Marketing" became "Subscribed to
 * Text Messaging Marketing" (klaviyo-rules.md: singer-io/tap-klaviyo PR 87). 'text': the 2026 names; 'sms': an
 * account that still holds only the old ones; 'both': an account holding both, whose new events go to the new
 * names.
 */
export type SmsMetricNaming = 'text' | 'sms' | 'both';

const OLD_SMS_NAMES = ['Subscribed to SMS Marketing', 'Unsubscribed from SMS Marketing', 'Subscribed to SMS Transactional', 'Unsubscribed from SMS Transactional'];
/** Added after the first consent metrics, so that those keep their ids from one version to the next. */
const LATER_CONSENT: readonly ConsentMetric[] = ['subscribedToSmsTransactional', 'unsubscribedFromSmsTransactional'];

/** The consent metrics the simulator records events for, by role rather than by (account-dependent) name. */
export type ConsentMetric =
  | 'subscribedToEmail'
  | 'unsubscribedFromEmail'
  | 'subscribedToSms'
  | 'unsubscribedFromSms'
  | 'subscribedToSmsTransactional'
  | 'unsubscribedFromSmsTransactional'
  | 'suppressedFromEmail'
  | 'unsuppressedFromEmail'
  | 'markedEmailAsSpam'
  | 'bouncedEmail'
  | 'subscribedToList'
  | 'unsubscribedFromList'
  | 'updatedEmailPreferences';

export interface Integration {
  object: 'integration';
  id: string;
  key: string;
  name: string;
  category: string;
}

export interface Metric {
  id: string;
  name: string;
  created: string;
  updated: string;
  integration: Integration;
}

const KLAVIYO: Integration = { object: 'integration', id: '0rG4eQ', key: 'klaviyo', name: 'Klaviyo', category: 'Internal' };
const SHOPIFY: Integration = { object: 'integration', id: '0eMvjm', key: 'shopify', name: 'Shopify', category: 'eCommerce' };
const API: Integration = { object: 'integration', id: '7FtS4J', key: 'api', name: 'API', category: 'API' };

function consentMetricNames(naming: SmsMetricNaming): Record<ConsentMetric, string> {
  const sms = naming === 'sms' ? 'SMS' : 'Text Messaging';
  return {
    subscribedToEmail: 'Subscribed to Email Marketing',
    unsubscribedFromEmail: 'Unsubscribed from Email Marketing',
    subscribedToSms: `Subscribed to ${sms} Marketing`,
    unsubscribedFromSms: `Unsubscribed from ${sms} Marketing`,
    suppressedFromEmail: 'Manually Suppressed from Email Marketing',
    unsuppressedFromEmail: 'Manually Unsuppressed from Email Marketing',
    markedEmailAsSpam: 'Marked Email as Spam',
    bouncedEmail: 'Bounced Email',
    subscribedToList: 'Subscribed to List',
    unsubscribedFromList: 'Unsubscribed from List',
    updatedEmailPreferences: 'Updated Email Preferences',
    // Renamed with the marketing ones in July 2026 (singer-io/tap-klaviyo PR 87 lists the new names).
    subscribedToSmsTransactional: `Subscribed to ${sms} Transactional`,
    unsubscribedFromSmsTransactional: `Unsubscribed from ${sms} Transactional`,
  };
}

/** Metrics that are not about consent but have events, so a connector that does not filter by metric is caught. */
export const ACTIVITY_METRICS: ReadonlyArray<readonly [name: string, integration: Integration]> = [
  ['Placed Order', SHOPIFY],
  ['Opened Email', KLAVIYO],
  ['Clicked Email', KLAVIYO],
  ['Active on Site', API],
];

const METRICS_SALT = 0x3e7;
const DAY = 86_400;

/**
 * The account's metrics: the consent metrics, a few activity metrics and `customMetrics` custom
 * ones (by default enough to need a second page of GET /api/metrics). Ids are 6 characters and
 * derive from the seed alone, so they do not change with the naming option.
 */
export class MetricCatalog {
  /** In GET /api/metrics order: by id. */
  private readonly metrics: Metric[];
  private readonly byIdMap = new Map<string, Metric>();
  private readonly byNameMap = new Map<string, Metric>();
  private readonly consentNames: Record<ConsentMetric, string>;

  constructor(seed: number, anchor: Date, naming: SmsMetricNaming, customMetrics: number) {
    if (!Number.isSafeInteger(customMetrics) || customMetrics < 0 || customMetrics > 10_000) {
      throw new RangeError(`customMetrics must be an integer from 0 to 10000, got ${customMetrics}`);
    }
    this.consentNames = consentMetricNames(naming);
    const definitions: Array<readonly [string, Integration]> = [
      ...(Object.entries(this.consentNames) as Array<[ConsentMetric, string]>).filter(([role]) => !LATER_CONSENT.includes(role)).map(([, name]) => [name, KLAVIYO] as const),
      ...ACTIVITY_METRICS,
    ];
    for (let i = 1; i <= customMetrics; i++) definitions.push([`Custom Metric ${String(i).padStart(3, '0')}`, API]);
    for (const role of LATER_CONSENT) definitions.push([this.consentNames[role], KLAVIYO]);
    // Last, so that every other metric keeps its id whatever the naming.
    if (naming === 'both') for (const name of OLD_SMS_NAMES) definitions.push([name, KLAVIYO]);

    const rng = mulberry32(deriveSeed(seed, METRICS_SALT));
    const anchorSec = Math.floor(anchor.getTime() / 1000);
    const metrics: Metric[] = [];
    for (const [name, integration] of definitions) {
      let id = makeListId(rng);
      while (this.byIdMap.has(id)) id = makeListId(rng);
      const created = formatSeconds(anchorSec - randomInt(rng, 400 * DAY, 1200 * DAY));
      const metric: Metric = { id, name, created, updated: created, integration };
      metrics.push(metric);
      this.byIdMap.set(id, metric);
      this.byNameMap.set(name, metric);
    }
    this.metrics = metrics.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  all(): readonly Metric[] {
    return this.metrics;
  }

  byId(id: string): Metric | undefined {
    return this.byIdMap.get(id);
  }

  byName(name: string): Metric | undefined {
    return this.byNameMap.get(name);
  }

  consent(role: ConsentMetric): Metric {
    const metric = this.byNameMap.get(this.consentNames[role]);
    if (!metric) throw new Error(`no metric for ${role}`);
    return metric;
  }
}

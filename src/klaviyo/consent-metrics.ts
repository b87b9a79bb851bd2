import type { MetricResource } from './events.js';

export type ConsentChannel = 'email' | 'sms' | 'sms_transactional' | 'list';
export type ConsentAction = 'subscribed' | 'unsubscribed' | 'suppressed' | 'unsuppressed' | 'bounced' | 'spam_complaint' | 'preferences_updated';

/** What a consent metric's events say: the channel and the change. */
export interface ConsentKind {
  channel: ConsentChannel;
  action: ConsentAction;
}

/** "Subscribed to ..." or "Unsubscribed from ..." (or the older "Unsubscribed for ..."). */
const direction = (verb: string): ConsentAction => (/^subscribed/i.test(verb) ? 'subscribed' : 'unsubscribed');

/**
 * Klaviyo's consent metrics, by name (klaviyo-rules.md; Klaviyo Help Center "Understanding consent in profiles").
 * Klaviyo renamed "SMS" to "Text Messaging" in July 2026, so both spellings match, and an account may hold both.
 * Push and WhatsApp consent have no metric (the periodic full pass of profile_consent catches them).
 */
const RULES: ReadonlyArray<{ label: string; pattern: RegExp; kind: (match: RegExpExecArray) => ConsentKind; legacy?: true }> = [
  { label: 'Subscribed to / Unsubscribed from Email Marketing', pattern: /^(subscribed to|unsubscribed from) email marketing$/i, kind: (m) => ({ channel: 'email', action: direction(m[1] ?? '') }) },
  {
    label: 'Subscribed to / Unsubscribed from SMS (Text Messaging) Marketing',
    pattern: /^(subscribed to|unsubscribed from) (?:sms|text message|text messaging) marketing$/i,
    kind: (m) => ({ channel: 'sms', action: direction(m[1] ?? '') }),
  },
  {
    label: 'Subscribed to / Unsubscribed from SMS (Text Messaging) Transactional',
    pattern: /^(subscribed to|unsubscribed from) (?:sms|text message|text messaging) transactional$/i,
    kind: (m) => ({ channel: 'sms_transactional', action: direction(m[1] ?? '') }),
  },
  // Older accounts' SMS metrics: "Unsubscribed for SMS" (Klaviyo's help centre), "Consented to Receive SMS" and
  // "Unsubscribed from SMS" (seen in singer-io/tap-klaviyo issue 50, 2022; not in Klaviyo's docs).
  { label: 'Unsubscribed for SMS', pattern: /^(unsubscribed (?:for|from)) sms$/i, kind: () => ({ channel: 'sms', action: 'unsubscribed' }), legacy: true },
  { label: 'Consented to Receive SMS', pattern: /^consented to receive sms$/i, kind: () => ({ channel: 'sms', action: 'subscribed' }), legacy: true },
  { label: 'Manually Suppressed / Unsuppressed from Email Marketing', pattern: /^manually (un)?suppressed from email marketing$/i, kind: (m) => ({ channel: 'email', action: m[1] ? 'unsuppressed' : 'suppressed' }) },
  { label: 'Marked Email as Spam', pattern: /^marked email as spam$/i, kind: () => ({ channel: 'email', action: 'spam_complaint' }) },
  { label: 'Bounced Email', pattern: /^bounced email$/i, kind: () => ({ channel: 'email', action: 'bounced' }) },
  { label: 'Subscribed to / Unsubscribed from List', pattern: /^(subscribed to|unsubscribed from) list$/i, kind: (m) => ({ channel: 'list', action: direction(m[1] ?? '') }) },
  { label: 'Updated Email Preferences', pattern: /^updated email preferences$/i, kind: () => ({ channel: 'email', action: 'preferences_updated' }) },
];

/** The consent kind of a metric by its name, or undefined for a metric that is not about consent. */
export function consentKindOf(name: string | undefined): ConsentKind | undefined {
  if (name === undefined) return undefined;
  for (const rule of RULES) {
    const match = rule.pattern.exec(name.trim());
    if (match) return rule.kind(match);
  }
  return undefined;
}

export interface ConsentMetric {
  metric: MetricResource;
  name: string;
  kind: ConsentKind;
}

/** The account's consent metrics, and the kinds of consent metric it has none of (no such event yet), for the log. */
export function consentMetricsOf(metrics: readonly MetricResource[]): { found: ConsentMetric[]; missing: string[] } {
  const found: ConsentMetric[] = [];
  for (const metric of metrics) {
    const name = metric.attributes?.name;
    const kind = consentKindOf(name);
    if (kind && name !== undefined) found.push({ metric, name, kind });
  }
  const missing = RULES.filter((rule) => !rule.legacy && !found.some((m) => rule.pattern.test(m.name.trim()))).map((rule) => rule.label);
  return { found, missing };
}

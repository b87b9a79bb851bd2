import type { ProfileResource } from '../klaviyo/types.js';
import { WRITE_CHANNELS, type WriteChannel } from './decisions.js';
import { instantMs } from './input.js';

/** Klaviyo's side of one channel: its consent and when it was recorded. */
export interface ChannelState {
  consent: string | undefined;
  atMs: number | undefined;
}

export interface SuppressionEntry {
  reason: string;
  atMs: number | undefined;
}

/** The consent of a profile as Klaviyo holds it, as the plan needs it. */
export interface CurrentConsent {
  id: string;
  email: string | undefined;
  phoneNumber: string | undefined;
  channels: Record<WriteChannel, ChannelState>;
  /** Global email suppressions. */
  suppressions: SuppressionEntry[];
}

function at(value: unknown): number | undefined {
  return typeof value === 'string' ? instantMs(value) : undefined;
}

export function currentConsent(profile: ProfileResource): CurrentConsent {
  const subscriptions = (profile.attributes.subscriptions ?? {}) as Record<string, Record<string, Record<string, unknown> | null | undefined> | null | undefined>;
  const channels = {} as Record<WriteChannel, ChannelState>;
  for (const [name, channel] of Object.entries(WRITE_CHANNELS) as Array<[WriteChannel, (typeof WRITE_CHANNELS)[WriteChannel]]>) {
    const entry = subscriptions[channel.path[0]]?.[channel.path[1]];
    const consent = typeof entry?.['consent'] === 'string' ? (entry['consent'] as string) : undefined;
    channels[name] = { consent, atMs: at(entry?.['consent_timestamp']) ?? at(entry?.['last_updated']) };
  }
  const marketing = subscriptions['email']?.['marketing'];
  const raw = Array.isArray(marketing?.['suppression']) ? (marketing['suppression'] as Array<Record<string, unknown>>) : [];
  return {
    id: profile.id,
    email: typeof profile.attributes.email === 'string' ? profile.attributes.email : undefined,
    phoneNumber: typeof profile.attributes.phone_number === 'string' ? profile.attributes.phone_number : undefined,
    channels,
    suppressions: raw.map((entry) => ({ reason: String(entry['reason'] ?? ''), atMs: at(entry['timestamp']) })),
  };
}

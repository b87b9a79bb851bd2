// The write side's vocabulary: what a record asks of Klaviyo, and what became of it.

/** The channels Klaviyo's consent jobs take, by the record column that carries each decision. */
export const WRITE_CHANNELS = {
  email: { column: 'email_consent', time: 'email_consent_timestamp', path: ['email', 'marketing'], needs: 'email' },
  sms: { column: 'sms_consent', time: 'sms_consent_timestamp', path: ['sms', 'marketing'], needs: 'phone_number' },
  sms_transactional: { column: 'sms_transactional_consent', time: 'sms_transactional_consent_timestamp', path: ['sms', 'transactional'], needs: 'phone_number' },
  whatsapp_marketing: { column: 'whatsapp_marketing_consent', time: 'whatsapp_marketing_consent_timestamp', path: ['whatsapp', 'marketing'], needs: 'phone_number' },
  whatsapp_transactional: { column: 'whatsapp_transactional_consent', time: 'whatsapp_transactional_consent_timestamp', path: ['whatsapp', 'transactional'], needs: 'phone_number' },
} as const;

export type WriteChannel = keyof typeof WRITE_CHANNELS;
/** A consent channel, or the global email suppression (`email_suppressed`). */
export type Subject = WriteChannel | 'email_suppression';

export interface Identifiers {
  id?: string;
  email?: string;
  phone_number?: string;
  external_id?: string;
}

export interface ConsentDecision {
  subject: WriteChannel;
  consent: 'SUBSCRIBED' | 'UNSUBSCRIBED';
  /** When the person decided (ms), from `<channel>_consent_timestamp` or `consent_last_changed`; undefined: unknown. */
  atMs: number | undefined;
}

export interface SuppressionDecision {
  subject: 'email_suppression';
  /** true: suppress; false: lift a manual suppression. */
  suppressed: boolean;
  atMs: number | undefined;
}

export type Decision = ConsentDecision | SuppressionDecision;

/** One input record, read: who, and what they decided. `position` counts records from 1 in arrival order. */
export interface WriteRequest {
  position: number;
  stream: string;
  identifiers: Identifiers;
  decisions: Decision[];
}

export type OutcomeKind = 'applied' | 'unchanged' | 'conflict' | 'rejected' | 'skipped' | 'pending' | 'unconfirmed';

/** What became of one decision of one record (or of the record, when it had none to act on). */
export interface Outcome {
  position: number;
  stream: string;
  identifiers: Identifiers;
  subject: Subject | undefined;
  outcome: OutcomeKind;
  reason: string;
  decidedAt?: string;
  klaviyoAt?: string;
  /** Set in a dry run: what a real run would have done, nothing written. */
  dryRun?: boolean;
}

/** One change the plan decided to write: a consent job entry (or an email for a suppression job). */
export interface SubjectChange {
  request: WriteRequest;
  /** Klaviyo's id of the profile, when it has one (a subscribe may create it). */
  profileId?: string;
  subject: Subject;
  action: 'subscribe' | 'unsubscribe' | 'suppress' | 'unsuppress';
  /** The email or phone number the job names (Klaviyo's own, for a profile it has). */
  address: string;
  /** A historical import's consented_at. */
  consentedAtMs?: number;
  decidedAtMs?: number;
  klaviyoAtMs?: number;
  /** Said with the outcome (a suppression that stays, say). */
  note?: string;
}

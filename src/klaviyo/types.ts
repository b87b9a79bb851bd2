// Wire types for the parts of Klaviyo's Get Profiles response this connector reads, written from
// the OpenAPI spec (revision 2026-07-15, components.schemas). Klaviyo does not always honour its own
// spec, so every field the mapper reads is treated as possibly missing or of the wrong type.

export interface EmailMarketingSuppression {
  reason: string;
  timestamp: string;
}

export interface EmailMarketingListSuppression {
  list_id: string;
  reason: string;
  timestamp: string;
}

export interface EmailMarketing {
  can_receive_email_marketing: boolean;
  consent: string;
  consent_timestamp?: string | null;
  last_updated?: string | null;
  method?: string | null;
  method_detail?: string | null;
  custom_method_detail?: string | null;
  double_optin?: boolean | null;
  suppression?: EmailMarketingSuppression[] | null;
  list_suppressions?: EmailMarketingListSuppression[] | null;
}

export interface SmsMarketing {
  can_receive_sms_marketing: boolean;
  consent: string;
  consent_timestamp?: string | null;
  last_updated?: string | null;
  method?: string | null;
  method_detail?: string | null;
}

export interface SmsTransactional {
  can_receive_sms_transactional: boolean;
  consent: string;
  consent_timestamp?: string | null;
  last_updated?: string | null;
  method?: string | null;
  method_detail?: string | null;
}

export interface PushMarketing {
  can_receive_push_marketing: boolean;
  consent: string;
  consent_timestamp?: string | null;
}

/** WhatsappMarketingChannel, WhatsappTransactionalChannel and WhatsappConversationalChannel share this shape. */
export interface WhatsappPermission {
  consent: string;
  can_receive: boolean;
  consent_timestamp?: string | null;
  last_updated?: string | null;
  created_timestamp?: string | null;
  valid_until?: string | null;
  phone_number?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface Subscriptions {
  email?: { marketing?: EmailMarketing | null } | null;
  sms?: { marketing?: SmsMarketing | null; transactional?: SmsTransactional | null } | null;
  mobile_push?: { marketing?: PushMarketing | null } | null;
  whatsapp?: {
    marketing?: WhatsappPermission | null;
    transactional?: WhatsappPermission | null;
    conversational?: WhatsappPermission | null;
  } | null;
}

export interface ProfileAttributes {
  email?: string | null;
  phone_number?: string | null;
  external_id?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  created?: string | null;
  updated?: string | null;
  subscriptions?: Subscriptions | null;
  [other: string]: unknown;
}

export interface ProfileResource {
  type: 'profile';
  id: string;
  attributes: ProfileAttributes;
  links?: { self: string };
}

export interface ProfilesPage {
  data: ProfileResource[];
  links: { self: string; next?: string | null; prev?: string | null };
}

/** Klaviyo's JSON:API error body, for every 4xx and 5xx. */
export interface KlaviyoErrorBody {
  errors: Array<{
    id: string;
    status?: number;
    code: string;
    title: string;
    detail: string;
    source?: { pointer?: string; parameter?: string };
  }>;
}

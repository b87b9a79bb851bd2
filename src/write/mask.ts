import type { Identifiers } from './decisions.js';

/** `ana.smith@example.com` -> `an***@example.com`: enough to tell records apart in a log, not to mail anyone. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
}

/** `+447700900123` -> `+44*******23`. */
export function maskPhone(phone: string): string {
  if (phone.length <= 5) return '***';
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 5)}${phone.slice(-2)}`;
}

/** How a record is named in a log line: Klaviyo's id if it has one, else its identifiers masked. */
export function describeIdentifiers(identifiers: Identifiers): string {
  if (identifiers.id) return `profile ${identifiers.id}`;
  if (identifiers.email) return maskEmail(identifiers.email);
  if (identifiers.phone_number) return maskPhone(identifiers.phone_number);
  if (identifiers.external_id) return `external_id ${identifiers.external_id.slice(0, 3)}***`;
  return 'a record without identifiers';
}

/**
 * Masks every email address and phone number in a text, such as Klaviyo's error detail quoting the number it
 * refused: log lines may carry such text, the report file keeps it whole.
 */
export function maskContactsIn(text: string): string {
  return text.replace(/[^\s'"<>(),;:]+@[^\s'"<>(),;:]+\.[A-Za-z]{2,}/g, (email) => maskEmail(email)).replace(/\+\d[\d\s-]{5,18}\d/g, (phone) => maskPhone(phone.replace(/[\s-]/g, '')));
}

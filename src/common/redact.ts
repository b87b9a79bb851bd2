// The private key gives full access to a Klaviyo account. Every byte the connector writes passes through
// redact() at the writer, so no code path (an HTTP error that carries request headers, a config echoed back
// in a message) can leak it, whatever it does upstream.

const secrets = new Set<string>();
let secretBytes: Buffer[] = [];
const MASK = '**********';

export function registerSecret(value: unknown): void {
  // Very short values would mask ordinary words; Klaviyo private keys are 37 characters.
  if (typeof value === 'string' && value.trim().length >= 4) {
    secrets.add(value);
    const trimmed = value.trim();
    if (trimmed !== value) secrets.add(trimmed);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) secrets.add(encoded);
    secretBytes = [...secrets].map((s) => Buffer.from(s, 'utf8'));
  }
}

/** True when UTF-8 bytes about to be written contain a registered secret (a fast byte search). */
export function containsSecret(bytes: Buffer): boolean {
  return secretBytes.some((secret) => bytes.includes(secret));
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

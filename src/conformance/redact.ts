/**
 * Secret redaction for everything the suite prints or writes: tokens the user gave and every
 * SecretID the suite mints are registered here and replaced by `<redacted>` wherever they appear.
 */
const secrets = new Set<string>();

/** Registers a secret (ignores empty and very short strings, which would redact noise). */
export function addSecret(value: string | undefined | null): void {
  if (value && value.length >= 8) secrets.add(value);
}

/** Replaces every registered secret in `text`. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("<redacted>");
  return out;
}

/** Redacts a header map, also blanking token-carrying headers whatever their value. */
export function redactHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [k, v] of entries) {
    out[k] = /^(x-nomad-token|authorization)$/i.test(k) ? "<redacted>" : redact(v);
  }
  return out;
}

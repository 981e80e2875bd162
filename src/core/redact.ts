/** Keeping secrets (the API key) out of everything the server writes: results, logs, sidecars. */

/** Replace every occurrence of each secret in a text. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

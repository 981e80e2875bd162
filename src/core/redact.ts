/**
 * The one redaction boundary: every byte that leaves the process (tool results, JSON-RPC errors,
 * progress and log notifications, stderr, sidecars, CLI output) passes a Redactor built from the
 * same secrets (see `secretsOf` in config.ts). A secret is removed in every form it can take on
 * the way out: as written, JSON-escaped (once, or twice when a quoted JSON text is itself put in
 * JSON), and URL-encoded. Redact before truncating a text: a cut-off secret no longer matches.
 */

const REDACTED = '[redacted]';

/** Shorter values are not treated as secrets: redacting "ab" everywhere would garble every message. */
const MIN_SECRET_LENGTH = 4;

/** Query parameters whose values are credentials (`?key=…`, `api_key`, `access_token`, `sig`…). */
const CREDENTIAL_PARAM = /key|token|secret|passw|pwd|auth|sig|credential|session/i;

const jsonEscaped = (text: string): string => JSON.stringify(text).slice(1, -1);

/** Every form a secret may take in what the server writes, longest first. */
function formsOf(secret: string): string[] {
  const once = jsonEscaped(secret);
  const encoded = encodeURIComponent(secret);
  const forms = new Set([
    secret,
    once,
    jsonEscaped(once),
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    // application/x-www-form-urlencoded, as URLSearchParams writes it.
    new URLSearchParams({ s: secret }).toString().slice(2),
  ]);
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

export class Redactor {
  private readonly forms: readonly string[];

  constructor(secrets: readonly (string | undefined)[]) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret && secret.length >= MIN_SECRET_LENGTH) for (const form of formsOf(secret)) forms.add(form);
    }
    // Longest first, so that a form containing another is replaced whole.
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }

  /** The text with every form of every secret replaced. */
  text(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  }

  /**
   * A JSON value (a JSON-RPC message, a result) with every secret removed, judged on its
   * serialized form so that nothing nested escapes; the value itself when it holds none.
   */
  value<T>(value: T): T {
    if (this.forms.length === 0) return value;
    const json = JSON.stringify(value);
    if (json === undefined) return value;
    const clean = this.text(json);
    return clean === json ? value : (JSON.parse(clean) as T);
  }
}

/** Redactors by secrets list, so that callers that pass the same list share the prepared forms. */
const redactors = new WeakMap<readonly (string | undefined)[], Redactor>();

/** Replace every form of each secret in a text. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let redactor = redactors.get(secrets);
  if (!redactor) {
    redactor = new Redactor(secrets);
    redactors.set(secrets, redactor);
  }
  return redactor.text(text);
}

/**
 * The credentials a URL carries: its user name and password, and the values of query
 * parameters named like credentials. Both the raw (percent-encoded) and decoded forms.
 */
export function credentialsInUrl(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const found = [url.username, url.password];
  for (const [name, value] of url.searchParams) if (CREDENTIAL_PARAM.test(name)) found.push(value);
  return [...new Set(found.flatMap((value) => [value, safeDecode(value)]))].filter(
    (value) => value.length >= MIN_SECRET_LENGTH,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A URL as it may be shown: user name, password and credential-like query values replaced. */
export function displayUrl(text: string): string {
  return new Redactor(credentialsInUrl(text)).text(text);
}

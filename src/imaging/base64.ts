/**
 * Strict base64: Node's decoder silently skips characters it does not know, so a corrupted or
 * truncated payload would decode to garbage instead of failing. Line breaks (some encoders wrap
 * at 76 columns) are tolerated; anything else that is not base64 is not.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The decoded bytes, or null when the text is not complete, valid base64. */
export function decodeBase64Strict(text: string): Buffer | null {
  const payload = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  if (payload.length === 0 || payload.length % 4 !== 0 || !BASE64.test(payload)) return null;
  return Buffer.from(payload, 'base64');
}

/** Bytes a base64 text decodes to, from its length alone (before decoding anything). */
export function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

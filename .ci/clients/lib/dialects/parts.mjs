/**
 * The one shape every dialect reads a request into, so the script and the measures never look at
 * a provider's wire format:
 *
 *   { tools: [{ name, schema, strict, schemaField }],
 *     turns: [ { kind: 'call', id, name, args }
 *            | { kind: 'result', callId, name, isError, parts }
 *            | { kind: 'user', parts } ],
 *     rejections: ['what the real provider would answer with a 400', …] }
 *
 * A part is { type: 'text', text } or { type: 'image', mediaType, base64Chars }: an image is only
 * an image when the provider gets it as an image block; base64 inside a string is text.
 */
export const textPart = (text) => ({ type: 'text', text: String(text) });

export const imagePart = (mediaType, base64) => ({
  type: 'image',
  mediaType: mediaType ?? 'unknown',
  base64Chars: typeof base64 === 'string' ? base64.length : 0,
});

/** `data:image/jpeg;base64,AAAA` → an image part; anything else (a URL) → an image part of unknown size. */
export function imageFromUrl(url) {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(typeof url === 'string' ? url : (url?.url ?? ''));
  return match ? imagePart(match[1], match[2]) : imagePart('url', '');
}

/** Parts of a JSON value the model reads as text (a tool result sent as an object). */
export const jsonPart = (value) => textPart(typeof value === 'string' ? value : JSON.stringify(value));

/** Parses tool-call arguments that arrive as a JSON string, keeping the raw text when it is not JSON. */
export function parseArgs(raw) {
  if (typeof raw !== 'string') return raw ?? {};
  try {
    return JSON.parse(raw);
  } catch {
    return { __unparsed: raw };
  }
}

let counter = 0;
/** Ids that look like the provider's own (some clients check the prefix). */
export const newId = (prefix) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36).padStart(4, '0')}`;

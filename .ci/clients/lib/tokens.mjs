/**
 * Tokens of text the model reads: OpenAI's o200k_base encoding (js-tiktoken, whose ranks ship in
 * the package: no download) for every provider, so the cells compare with one another; Claude and
 * Gemini tokenize differently, within tens of percent. Falls back to characters / 4 if the
 * tokenizer cannot load, and says so in the report.
 */
let encoder;
let method = 'chars/4';
try {
  const { Tiktoken } = await import('js-tiktoken/lite');
  const { default: ranks } = await import('js-tiktoken/ranks/o200k_base');
  encoder = new Tiktoken(ranks);
  method = 'o200k_base (js-tiktoken)';
} catch {
  encoder = undefined;
}

export const TOKENIZER = method;

export function countTokens(text) {
  if (!text) return 0;
  return encoder ? encoder.encode(text).length : Math.ceil(text.length / 4);
}

/** A run of base64 long enough to be image data rather than an id or a hash (a 64×64 JPEG is ~2 KB). */
const BASE64_RUN = /[A-Za-z0-9+/]{1000,}={0,2}/;

export const hasBase64 = (text) => BASE64_RUN.test(text);

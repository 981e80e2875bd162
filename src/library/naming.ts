/**
 * File names for saved images: `YYYYMMDD-HHMMSS-<slug>-<id>`. The timestamp sorts files by
 * time, the slug says what the image is, the random id keeps names unique. Only [a-z0-9-] ever
 * reaches the file system, whatever the prompt or the caller's filename hint holds.
 */
import { randomBytes } from 'node:crypto';

const SLUG_MAX_LENGTH = 48;
const SLUG_MAX_WORDS = 6;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local time, because people look for "the image I made at 14:05". */
export function timestampForName(date: Date): string {
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
  );
}

/** The first few words of a text as lowercase ASCII joined by dashes; "image" if none survive. */
export function slugify(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, SLUG_MAX_WORDS);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > SLUG_MAX_LENGTH) break;
    slug = next;
  }
  return slug || words[0]?.slice(0, SLUG_MAX_LENGTH) || 'image';
}

function shortId(length = 6): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

export function imageStem(createdAt: Date, nameHint: string, id: string = shortId()): string {
  return `${timestampForName(createdAt)}-${slugify(nameHint)}-${id}`;
}

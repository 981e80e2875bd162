/**
 * What a file is, from its first bytes alone. Only PNG, JPEG and WebP are ever handed to an
 * image decoder; anything else is named from its magic number for the message and never parsed
 * (sharp would happily open SVG, TIFF, GIF or HEIF documents of any complexity).
 */

/** Enough bytes for every signature below. */
export const SNIFF_BYTES = 32;

type SniffedFormat = 'png' | 'jpeg' | 'webp';

const startsWith = (head: Buffer, bytes: readonly number[], at = 0): boolean =>
  head.length >= at + bytes.length && bytes.every((byte, i) => head[at + i] === byte);
const ascii = (head: Buffer, text: string, at = 0): boolean =>
  startsWith(
    head,
    [...text].map((c) => c.charCodeAt(0)),
    at,
  );

/** png, jpeg or webp by magic number; undefined for anything else. */
export function sniffImageFormat(head: Buffer): SniffedFormat | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(head, 'RIFF') && ascii(head, 'WEBP', 8)) return 'webp';
  return undefined;
}

/** A name for a format this server does not take ("GIF", "HEIF"…), for messages; undefined when unknown. */
export function otherFormatName(head: Buffer): string | undefined {
  if (ascii(head, 'GIF87a') || ascii(head, 'GIF89a')) return 'GIF';
  if (ascii(head, 'ftyp', 4)) {
    const brand = head.subarray(8, 12).toString('latin1');
    if (/^(avif|avis)$/.test(brand)) return 'AVIF';
    if (/^(heic|heix|hevc|hevx|mif1|msf1|heim|heis)$/.test(brand)) return 'HEIF';
    return undefined;
  }
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (ascii(head, 'BM')) return 'BMP';
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00])) return 'ICO';
  if (ascii(head, '%PDF')) return 'PDF';
  if (startsWith(head, [0xff, 0x0a]) || ascii(head, 'JXL ', 4)) return 'JPEG XL';
  if (/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(head.toString('latin1'))) return 'SVG';
  return undefined;
}

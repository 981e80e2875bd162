/**
 * Cleaning an image file without touching its pixels: the container (JPEG segments, PNG chunks,
 * WebP RIFF chunks) is walked, and what is not the image is left out.
 *
 * - Bytes after the image's end (JPEG EOI, PNG IEND, the RIFF size) are never kept: they can be
 *   anything (a zip, a second image, text), and a decoder never sees them anyway.
 * - Unless metadata is kept, what describes where, when and with what the picture was taken goes:
 *   JPEG APP1 (EXIF: GPS position, camera make and model, serial numbers; XMP), APP2 other than
 *   the ICC profile, APP3–APP13 and APP15 (IPTC, maker data), comments; PNG eXIf, tEXt, zTXt,
 *   iTXt and tIME chunks; WebP EXIF and XMP chunks. Colour (ICC, JFIF, Adobe) and every part of
 *   the coded image stay as they are.
 * - An EXIF orientation other than upright survives in a minimal EXIF block that holds nothing
 *   else, so the image is still shown the right way up.
 *
 * Each walk is one pass over the bytes (entropy-coded JPEG data is skipped with indexOf).
 */
import { crc32 } from 'node:zlib';
import type { ImageFormat } from './inspect.js';

interface CleanOptions {
  /** Keep metadata as it is; only bytes after the image's end are dropped. */
  readonly keepMetadata: boolean;
  /** The image's EXIF orientation (1 = upright), kept when the EXIF block itself is removed. */
  readonly orientation: number;
}

interface CleanedImage {
  /** The cleaned file, in pieces: slices of the original and a few new bytes. */
  readonly parts: readonly Buffer[];
  readonly bytes: number;
  /** What was left out, in words: "EXIF", "XMP", "text chunks", "120 bytes after the image". */
  readonly removed: readonly string[];
}

/** The container's structure is broken (a segment or chunk runs past the end of the file). */
export class DamagedImageError extends Error {
  override readonly name = 'DamagedImageError';
}

/** The cleaned image, or undefined when there is nothing to remove. Throws DamagedImageError. */
export function cleanImage(bytes: Buffer, format: ImageFormat, options: CleanOptions): CleanedImage | undefined {
  switch (format) {
    case 'jpeg':
      return cleanJpeg(bytes, options);
    case 'png':
      return cleanPng(bytes, options);
    case 'webp':
      return cleanWebp(bytes, options);
  }
}

/** A stretch of the original file, kept or left out (and if so, as what). */
interface Piece {
  readonly start: number;
  readonly end: number;
  readonly dropped?: string;
}

/** The result of a walk: kept pieces joined (with `inserted` after piece `insertAfter`), or undefined if unchanged. */
function assemble(
  bytes: Buffer,
  pieces: readonly Piece[],
  imageEnd: number,
  inserted?: { readonly after: number; readonly bytes: Buffer },
): CleanedImage | undefined {
  const removed = new Set(pieces.flatMap((p) => (p.dropped ? [p.dropped] : [])));
  if (imageEnd < bytes.length)
    removed.add(`${(bytes.length - imageEnd).toLocaleString('en-US')} bytes after the image`);
  if (removed.size === 0) return undefined;
  const parts: Buffer[] = [];
  let run: { start: number; end: number } | undefined;
  const flush = (): void => {
    if (run) parts.push(bytes.subarray(run.start, run.end));
    run = undefined;
  };
  pieces.forEach((piece, index) => {
    if (!piece.dropped) {
      if (run && run.end === piece.start) run.end = piece.end;
      else {
        flush();
        run = { start: piece.start, end: piece.end };
      }
    }
    if (inserted && inserted.after === index) {
      flush();
      parts.push(inserted.bytes);
    }
  });
  flush();
  return { parts, bytes: parts.reduce((sum, part) => sum + part.length, 0), removed: [...removed] };
}

// ---- EXIF orientation alone ---------------------------------------------------------------------

/** A TIFF structure (what an EXIF block holds) with one entry: Orientation. */
function orientationTiff(orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'latin1'); // big-endian
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // first IFD right after the header
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // one value, stored in the entry itself
  tiff.writeUInt16BE(orientation, 18);
  tiff.writeUInt32BE(0, 22); // no next IFD
  return tiff;
}

// ---- JPEG -----------------------------------------------------------------------------------

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

/** What a JPEG segment holds, when it is metadata to leave out; undefined to keep it. */
function jpegMetadata(marker: number, data: Buffer): string | undefined {
  const starts = (text: string): boolean => data.subarray(0, text.length).toString('latin1') === text;
  if (marker === 0xe1) return starts('Exif\0') ? 'EXIF' : starts('http://ns.adobe.com/') ? 'XMP' : 'APP1 data';
  if (marker === 0xe2) return starts('ICC_PROFILE\0') ? undefined : 'APP2 data';
  if (marker === 0xed) return 'IPTC';
  if ((marker >= 0xe3 && marker <= 0xec) || marker === 0xef) return 'maker data';
  if (marker === 0xfe) return 'comment';
  return undefined;
}

/** Where entropy-coded data starting at `from` ends: the 0xFF of the next marker, or -1. */
function entropyEnd(bytes: Buffer, from: number): number {
  let at = bytes.indexOf(0xff, from);
  while (at >= 0 && at + 1 < bytes.length) {
    const next = bytes[at + 1]!;
    // 0xFF00 is an escaped data byte, 0xFFD0–D7 restart markers inside the data, 0xFFFF fill.
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) at = bytes.indexOf(0xff, at + 2);
    else if (next === 0xff) at += 1;
    else return at;
  }
  return -1;
}

function cleanJpeg(bytes: Buffer, options: CleanOptions): CleanedImage | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) throw new DamagedImageError('does not start like a JPEG file');
  const damaged = (at: number): DamagedImageError =>
    new DamagedImageError(`is a damaged JPEG file (its structure breaks at byte ${at.toLocaleString('en-US')})`);
  const pieces: Piece[] = [{ start: 0, end: 2 }];
  let droppedExif = false;
  let imageEnd = bytes.length;
  let at = 2;
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) {
      // Bytes between segments: decoders skip them with a warning; they are not the image.
      const next = bytes.indexOf(0xff, at);
      const end = next < 0 ? bytes.length : next;
      pieces.push({ start: at, end, dropped: 'stray bytes' });
      at = end;
      continue;
    }
    let markerAt = at + 1;
    while (markerAt < bytes.length && bytes[markerAt] === 0xff) markerAt += 1; // fill bytes
    if (markerAt >= bytes.length) throw damaged(at);
    const marker = bytes[markerAt]!;
    if (marker === EOI) {
      pieces.push({ start: at, end: markerAt + 1 });
      imageEnd = markerAt + 1;
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pieces.push({ start: at, end: markerAt + 1 });
      at = markerAt + 1;
      continue;
    }
    if (markerAt + 3 > bytes.length) throw damaged(at);
    const end = markerAt + 1 + bytes.readUInt16BE(markerAt + 1);
    if (end > bytes.length || end < markerAt + 3) throw damaged(at);
    const dropped = options.keepMetadata ? undefined : jpegMetadata(marker, bytes.subarray(markerAt + 3, end));
    if (dropped === 'EXIF') droppedExif = true;
    pieces.push(dropped ? { start: at, end, dropped } : { start: at, end });
    at = end;
    if (marker === SOS) {
      const next = entropyEnd(bytes, at);
      // No marker after the data: a file cut short. Keep what there is; a decoder copes or refuses.
      const dataEnd = next < 0 ? bytes.length : next;
      pieces.push({ start: at, end: dataEnd });
      at = dataEnd;
    }
  }
  if (!droppedExif || options.orientation === 1) return assemble(bytes, pieces, imageEnd);
  // JFIF wants its APP0 first; the orientation goes right after it (or after SOI).
  const first = pieces[1];
  const app0 = first && !first.dropped && bytes[first.start + 1] === 0xe0 ? 1 : 0;
  const tiff = orientationTiff(options.orientation);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(2 + 6 + tiff.length, 2);
  const segment = Buffer.concat([header, Buffer.from('Exif\0\0', 'latin1'), tiff]);
  return assemble(bytes, pieces, imageEnd, { after: app0, bytes: segment });
}

// ---- PNG ------------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_METADATA: Readonly<Record<string, string>> = {
  eXIf: 'EXIF',
  tEXt: 'text chunks',
  zTXt: 'text chunks',
  iTXt: 'text chunks',
  tIME: 'time stamp',
};

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

function cleanPng(bytes: Buffer, options: CleanOptions): CleanedImage | undefined {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new DamagedImageError('does not start like a PNG file');
  const pieces: Piece[] = [{ start: 0, end: 8 }];
  let droppedExif = false;
  let imageEnd: number | undefined;
  let at = 8;
  while (at + 12 <= bytes.length) {
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    const end = at + 12 + bytes.readUInt32BE(at);
    if (end > bytes.length) break;
    const dropped = options.keepMetadata ? undefined : PNG_METADATA[type];
    if (type === 'eXIf' && dropped) droppedExif = true;
    pieces.push(dropped ? { start: at, end, dropped } : { start: at, end });
    at = end;
    if (type === 'IEND') {
      imageEnd = end;
      break;
    }
  }
  if (imageEnd === undefined) {
    throw new DamagedImageError(
      `is a damaged PNG file (no IEND chunk; it breaks at byte ${at.toLocaleString('en-US')})`,
    );
  }
  if (!droppedExif || options.orientation === 1) return assemble(bytes, pieces, imageEnd);
  // eXIf must come before the image data: right after IHDR.
  return assemble(bytes, pieces, imageEnd, { after: 1, bytes: pngChunk('eXIf', orientationTiff(options.orientation)) });
}

// ---- WebP -----------------------------------------------------------------------------------

/** VP8X: "VP8X", its size (10), then flags and the canvas size. */
const VP8X_CHUNK_BYTES = 18;
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function cleanWebp(bytes: Buffer, options: CleanOptions): CleanedImage | undefined {
  const fourcc = (at: number): string => bytes.subarray(at, at + 4).toString('latin1');
  if (bytes.length < 20 || fourcc(0) !== 'RIFF' || fourcc(8) !== 'WEBP') {
    throw new DamagedImageError('does not start like a WebP file');
  }
  const imageEnd = 8 + bytes.readUInt32LE(4);
  if (imageEnd > bytes.length)
    throw new DamagedImageError('is a damaged WebP file (shorter than its RIFF header says)');
  // Only the extended format (VP8X) carries metadata; a simple one can only have bytes after it.
  if (options.keepMetadata || fourcc(12) !== 'VP8X') return assemble(bytes, [{ start: 0, end: imageEnd }], imageEnd);

  const chunks: Piece[] = [];
  let droppedExif = false;
  for (let at = 12; at + 8 <= imageEnd; ) {
    const type = fourcc(at);
    const size = bytes.readUInt32LE(at + 4);
    const end = Math.min(imageEnd, at + 8 + size + (size % 2));
    if (at + 8 + size > imageEnd) throw new DamagedImageError('is a damaged WebP file (a chunk runs past its end)');
    const dropped = type === 'EXIF' ? 'EXIF' : type === 'XMP ' ? 'XMP' : undefined;
    if (dropped === 'EXIF') droppedExif = true;
    chunks.push(dropped ? { start: at, end, dropped } : { start: at, end });
    at = end;
  }
  const exif =
    droppedExif && options.orientation !== 1
      ? (() => {
          const tiff = orientationTiff(options.orientation);
          const header = Buffer.alloc(8);
          header.write('EXIF', 0, 'latin1');
          header.writeUInt32LE(tiff.length, 4);
          return Buffer.concat([header, tiff]); // 26 bytes: no padding needed
        })()
      : undefined;
  const cleaned = assemble(bytes, chunks, imageEnd, exif ? { after: chunks.length - 1, bytes: exif } : undefined);
  if (!cleaned) return undefined;

  // A new RIFF header, and VP8X flags that say what is still there (the VP8X chunk comes first).
  const [first, ...rest] = cleaned.parts;
  const vp8x = Buffer.from(first!.subarray(0, VP8X_CHUNK_BYTES));
  vp8x[8] = (vp8x[8]! & ~(VP8X_EXIF | VP8X_XMP)) | (exif ? VP8X_EXIF : 0);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + cleaned.bytes, 4);
  riff.write('WEBP', 8, 'latin1');
  const parts = [riff, vp8x, first!.subarray(VP8X_CHUNK_BYTES), ...rest];
  return { parts, bytes: 12 + cleaned.bytes, removed: cleaned.removed };
}

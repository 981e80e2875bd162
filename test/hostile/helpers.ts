/**
 * What the hostile-input tests attack with, made in the test and fast: decompression bombs (a
 * palette PNG, a solid-colour lossless WebP, a JPEG whose frame header claims a huge size, each a
 * few KB that would decode to hundreds of megapixels), images with planted metadata and trailing
 * bytes, and a loopback "witness" server that must never be reached.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

// ---- bombs ------------------------------------------------------------------------------------

/** Sides of every bomb: 256 MP, under libvips' default limit of 268 MP, so nothing but our limits stops it. */
export const BOMB_SIDE = 16_000;

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/**
 * A real PNG bomb: 1-bit palette, every row zeros (one colour), deflated to ~30 KB; a decoder
 * expands it to 16000 × 16000 RGB, 768 MB.
 */
export function pngBomb(side = BOMB_SIDE): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 3; // palette
  const rows = Buffer.alloc((Math.ceil(side / 8) + 1) * side); // filter byte 0 + zero bits, every row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('PLTE', Buffer.from([200, 60, 40, 40, 60, 200])),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A real WebP bomb: a solid-colour lossless WebP codes no pixel at all, so the 38-byte file sharp
 * makes for a small canvas, given a 16000 × 16000 header, decodes to 16000 × 16000.
 */
export async function webpBomb(side = BOMB_SIDE): Promise<Buffer> {
  const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
    .webp({ lossless: true, effort: 0 })
    .toBuffer();
  const bomb = Buffer.from(small);
  // VP8L header after "RIFF" size "WEBP" "VP8L" size and the 0x2f signature: 14 bits width-1, 14 bits height-1.
  const bits = bomb.readUInt32LE(21);
  bomb.writeUInt32LE(((bits & ~0x0fffffff) | ((side - 1) & 0x3fff) | (((side - 1) & 0x3fff) << 14)) >>> 0, 21);
  return bomb;
}

/**
 * A JPEG whose frame header says 16000 × 16000, with EXIF orientation 6 (turning it upright
 * needs the whole image in memory): a decoder that tolerates the missing data expands it whole.
 */
export async function jpegBomb(side = BOMB_SIDE, orientation = 6): Promise<Buffer> {
  const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
    .jpeg()
    .withMetadata({ orientation })
    .toBuffer();
  const bomb = Buffer.from(small);
  // SOF0/SOF2 (FF C0 / FF C2): length(2) precision(1) height(2) width(2).
  for (let at = 2; at < bomb.length - 9; at++) {
    if (bomb[at] === 0xff && (bomb[at + 1] === 0xc0 || bomb[at + 1] === 0xc2)) {
      bomb.writeUInt16BE(side, at + 5);
      bomb.writeUInt16BE(side, at + 7);
      return bomb;
    }
  }
  throw new Error('no frame header in the JPEG');
}

// ---- metadata ---------------------------------------------------------------------------------

export const CAMERA = { make: 'AcmeCam-Leak', model: 'Spyphone-9000' };
export const TRAILER = Buffer.from('TRAILING-SECRET-after-the-image');

/** An image with GPS, make and model in its EXIF, an orientation, and bytes after its end. */
export async function photoWithMetadata(
  format: 'jpeg' | 'png' | 'webp',
  orientation = 1,
  size = { width: 128, height: 96 },
): Promise<Buffer> {
  const image = sharp({ create: { ...size, channels: 3, background: '#c83c28' } })
    [format]()
    .withMetadata({ orientation })
    .withExifMerge({
      IFD0: { Make: CAMERA.make, Model: CAMERA.model },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 26/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 39/1' },
    });
  return Buffer.concat([await image.toBuffer(), TRAILER]);
}

/** The decoded pixels of an image, to compare two files' pictures regardless of their bytes. */
export async function pixels(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes).raw().toBuffer();
}

// ---- a server that must not be reached ------------------------------------------------------

export interface Witness {
  readonly port: number;
  /** Requests it received: every one is a failure of the test that made it. */
  readonly hits: string[];
  url(host: string, pathname?: string): string;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that answers every request with `body` (an image, or what `answer`
 * says), and records it: on 127.0.0.1, and on [::1] at the same port where the machine has IPv6.
 */
export async function startWitness(
  body: Buffer,
  answer: { status: number; type: string } = { status: 200, type: 'image/png' },
): Promise<Witness> {
  const hits: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(body);
  };
  const v4: Server = createServer(handler);
  v4.listen(0, '127.0.0.1');
  await once(v4, 'listening');
  const { port } = v4.address() as AddressInfo;
  const servers = [v4];
  const v6: Server = createServer(handler);
  const listening = await new Promise<boolean>((resolve) => {
    v6.once('error', () => resolve(false));
    v6.listen(port, '::1', () => resolve(true));
  });
  if (listening) servers.push(v6);
  return {
    port,
    hits,
    url: (host, pathname = '/image.png') => `http://${host}:${port}${pathname}`,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

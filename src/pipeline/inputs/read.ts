/**
 * Getting an input's bytes, once, into a private temporary file: a local file is copied from the
 * one handle it is opened with, a URL is streamed from the network, a data URL written out. The
 * copy is hashed as it is written, checked, and is what gets sent: nothing can swap the file
 * between the check and the upload, and nothing is held in memory whole. Each failure is an
 * InputProblem: a phrase that completes "image 2 ("/path") …".
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, realpath, writeFile } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { throwIfCancelled } from '../../core/failure.js';
import { discardBody, type HttpResponse, headerValue, httpRequest, type OutboundPolicy } from '../../core/http.js';
import { addressRefusal } from '../../core/outbound-policy.js';
import { formatBytes, thousands } from '../../core/units.js';
import { USER_AGENT } from '../../core/version.js';

export class InputProblem extends Error {
  override readonly name = 'InputProblem';
}

/** Copies go in large pieces: inputs are up to tens of MB, and each piece costs a round trip. */
const CHUNK_BYTES = 1024 * 1024;

/** What was written: how many bytes, and their hash. */
export interface Copied {
  readonly size: number;
  readonly sha256: string;
}

/** Counts and hashes what passes, and stops the stream past `maxBytes`. */
class Meter extends Transform {
  readonly hash: Hash = createHash('sha256');
  size = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      done(new TooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`over ${maxBytes} bytes`);
  }
}

/** The size and hash of a file (one the server wrote itself). */
export async function measureFile(file: string): Promise<Copied> {
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false, highWaterMark: CHUNK_BYTES })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest('hex') };
}

/** Pieces of a new file (a cleaned image), written in order. */
export async function writeParts(parts: readonly Buffer[], destination: string): Promise<Copied> {
  const meter = new Meter(Number.POSITIVE_INFINITY);
  await pipeline(Readable.from(parts), meter, await writeStream(destination));
  return { size: meter.size, sha256: meter.hash.digest('hex') };
}

/** Bytes already in memory (a data URL's), to the file. */
export async function writeBytes(bytes: Buffer, destination: string): Promise<Copied> {
  await writeFile(destination, bytes, { mode: 0o600, flag: 'wx' });
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

// ---- local files ------------------------------------------------------------------------------

/**
 * Opened without blocking (a FIFO would otherwise hang the call until someone writes to it) and
 * without following a link at the last step (the path is resolved first, and must stay what it
 * resolved to).
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** A local file's real path (links resolved), or why there is none. */
export async function resolveLocalFile(filePath: string): Promise<string> {
  try {
    return await realpath(filePath);
  } catch (error) {
    throw new InputProblem(fileErrorText(error));
  }
}

/**
 * Copy a regular, readable local file of 1 to `maxBytes` bytes to `destination`, reading it
 * through one handle: the checks (kind, size) and the bytes copied are of the same file.
 */
export async function copyLocalFile(realPath: string, maxBytes: number, destination: string): Promise<Copied> {
  let handle: FileHandle;
  try {
    handle = await open(realPath, OPEN_FLAGS);
  } catch (error) {
    throw new InputProblem(fileErrorText(error));
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory())
      throw new InputProblem('is a directory, not an image file: give the path of an image inside it');
    if (!stats.isFile())
      throw new InputProblem('is not a regular file (a device, pipe or socket): give the path of an image file');
    if (stats.size === 0) throw new InputProblem('is an empty file (0 bytes)');
    if (stats.size > maxBytes) throw tooLarge(stats.size, maxBytes);
    const meter = new Meter(maxBytes);
    try {
      const source = handle.createReadStream({ autoClose: false, start: 0, highWaterMark: CHUNK_BYTES });
      await pipeline(source, meter, await writeStream(destination));
    } catch (error) {
      if (error instanceof TooLargeError) throw tooLarge(meter.size, maxBytes);
      throw new InputProblem(`could not be read to the end (${(error as Error).message})`);
    }
    return { size: meter.size, sha256: meter.hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

function tooLarge(size: number, maxBytes: number): InputProblem {
  return new InputProblem(
    `is ${thousands(size)} bytes, over the ${formatBytes(maxBytes)} ` +
      `limit (${thousands(maxBytes)} bytes) for this model's inputs: ` +
      `save it as a JPEG or downscale it, then pass the new file`,
  );
}

async function writeStream(destination: string) {
  const file = await open(destination, 'wx', 0o600);
  return file.createWriteStream({ highWaterMark: CHUNK_BYTES });
}

function fileErrorText(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'does not exist: check the path (it must be absolute, on the machine this server runs on)';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read by this server (permission denied): check the file permissions';
    case 'EISDIR':
      return 'is a directory, not an image file: give the path of an image inside it';
    case 'ELOOP':
      return 'is a symbolic link loop, or was replaced by a link while it was being opened';
    default:
      return `cannot be read (${(error as Error).message})`;
  }
}

// ---- URLs -------------------------------------------------------------------------------------

/** How long fetching one input URL may take. */
const INPUT_FETCH_TIMEOUT_MS = 30_000;

/**
 * Why a URL gave no image, in one sentence whatever went wrong: no answer, an HTTP error, too many
 * bytes, too slow, or bytes that are not an image. One sentence for all, so that the server cannot
 * be used to tell a closed port from a service that answers (a port scan through the agent).
 */
export function unfetchableUrl(maxBytes: number): InputProblem {
  return new InputProblem(
    `is not an image this server could fetch (no answer, an HTTP error, ` +
      `more than ${formatBytes(maxBytes)} or ${INPUT_FETCH_TIMEOUT_MS / 1000} s, or not a PNG, JPEG or WebP image): ` +
      `check the URL, or download the image and pass its absolute path`,
  );
}

/**
 * Stream an http(s) input to `destination`: at most `maxBytes`, within the time cap, at most 3
 * redirects, only to addresses the policy allows (checked on each connection), never with
 * credentials (the API key is only ever sent to the gateway).
 */
export async function fetchUrl(
  url: URL,
  maxBytes: number,
  destination: string,
  policy: OutboundPolicy,
  signal?: AbortSignal,
): Promise<Copied> {
  const deadline = AbortSignal.timeout(INPUT_FETCH_TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([deadline, signal]) : deadline;
  let response: HttpResponse;
  try {
    response = await httpRequest(url.href, {
      method: 'GET',
      headers: { 'user-agent': USER_AGENT, accept: 'image/png,image/jpeg,image/webp,image/*;q=0.8' },
      signal: combined,
      outbound: policy,
    });
  } catch (error) {
    throwIfCancelled(signal);
    const refused = addressRefusal(error);
    if (refused) {
      throw new InputProblem(
        `was not fetched: ${refused.message}. Pass a public URL, or download the image and pass its absolute path ` +
          `(FLUX_MCP_ALLOW_PRIVATE_URLS=1 allows private addresses for self-hosted set-ups)`,
      );
    }
    throw unfetchableUrl(maxBytes);
  }
  const declared = Number(headerValue(response.headers, 'content-length'));
  if (response.statusCode < 200 || response.statusCode >= 300 || (Number.isFinite(declared) && declared > maxBytes)) {
    await discardBody(response);
    throw unfetchableUrl(maxBytes);
  }
  const meter = new Meter(maxBytes);
  try {
    await pipeline(response.body, meter, await writeStream(destination));
  } catch {
    response.body.destroy();
    throwIfCancelled(signal);
    throw unfetchableUrl(maxBytes);
  }
  if (meter.size === 0) throw unfetchableUrl(maxBytes);
  return { size: meter.size, sha256: meter.hash.digest('hex') };
}

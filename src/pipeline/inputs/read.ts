/**
 * Getting at an input's bytes without holding more than needed: a local file is opened as a
 * file-backed Blob (read only when hashed and sent; reading fails if the file changes after the
 * checks), a URL is fetched with a size and time cap. Each failure is an InputProblem: a phrase
 * that completes "image 2 ("/path") …".
 */
import { constants, openAsBlob } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { throwIfCancelled } from '../../core/failure.js';
import { BodyTooLargeError, discardBody, type HttpResponse, httpRequest, readBody } from '../../core/http.js';
import { formatBytes } from '../../core/units.js';
import { USER_AGENT } from '../../core/version.js';
import type { Payload } from '../../gateway/bodies.js';

export class InputProblem extends Error {
  override readonly name = 'InputProblem';
}

/** A regular, readable local file (symlinks resolved), not yet read. */
export async function openLocalFile(filePath: string): Promise<Extract<Payload, { kind: 'file' }>> {
  let real: string;
  let stats: Awaited<ReturnType<typeof stat>>;
  try {
    real = await realpath(filePath);
    stats = await stat(real);
  } catch (error) {
    throw new InputProblem(fileErrorText(error));
  }
  if (stats.isDirectory())
    throw new InputProblem('is a directory, not an image file: give the path of an image inside it');
  if (!stats.isFile())
    throw new InputProblem('is not a regular file (a device, pipe or socket): give the path of an image file');
  if (stats.size === 0) throw new InputProblem('is an empty file (0 bytes)');
  try {
    await access(real, constants.R_OK);
  } catch (error) {
    throw new InputProblem(fileErrorText(error));
  }
  return { kind: 'file', path: real, size: stats.size, blob: await openAsBlob(real) };
}

function fileErrorText(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'does not exist: check the path (it must be absolute, on the machine this server runs on)';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read by this server (permission denied): check the file permissions';
    case 'ELOOP':
      return 'is a symbolic link loop';
    default:
      return `cannot be read (${(error as Error).message})`;
  }
}

/** How long fetching one input URL may take. */
export const INPUT_FETCH_TIMEOUT_MS = 30_000;

/**
 * Fetch an http(s) input for upload: at most `maxBytes`, within the time cap, at most 3
 * redirects, never with credentials (the API key is only ever sent to the gateway).
 */
export async function fetchImageUrl(url: URL, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  const deadline = AbortSignal.timeout(INPUT_FETCH_TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([deadline, signal]) : deadline;
  const why = (error: unknown): string => {
    if (deadline.aborted) return `did not arrive within ${INPUT_FETCH_TIMEOUT_MS / 1000} s`;
    if (error instanceof BodyTooLargeError) return `is over the ${formatBytes(maxBytes)} limit for this model's inputs`;
    const code = (error as { code?: unknown }).code;
    return `could not be fetched (${typeof code === 'string' ? code : (error as Error).message})`;
  };
  let response: HttpResponse;
  try {
    response = await httpRequest(url.href, {
      method: 'GET',
      headers: { 'user-agent': USER_AGENT, accept: 'image/png,image/jpeg,image/webp,image/*;q=0.8' },
      signal: combined,
      followRedirects: true,
    });
  } catch (error) {
    throwIfCancelled(signal);
    throw new InputProblem(`${why(error)}: check the URL, or download the image and pass its absolute path`);
  }
  if (response.statusCode < 200 || response.statusCode >= 300) {
    await discardBody(response);
    throw new InputProblem(
      `answered HTTP ${response.statusCode} when fetched: check the URL, or download the image and pass its absolute path`,
    );
  }
  try {
    return await readBody(response, maxBytes);
  } catch (error) {
    throwIfCancelled(signal);
    throw new InputProblem(`${why(error)}: download it, shrink it and pass its absolute path`);
  }
}

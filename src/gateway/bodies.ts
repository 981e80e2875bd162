/**
 * Request bodies for the gateway, built so that big reference images are streamed, never held
 * whole: eight references of tens of MB as one JSON string would be hundreds of MB of text plus copies. A body
 * is opened afresh for each attempt, so a request can be sent again.
 *
 * - JSON whose data-URL values are base64-encoded on the fly from the image bytes (JSON edits);
 * - multipart/form-data with file parts (multipart edits), through undici's FormData, which
 *   reads file-backed Blobs lazily and computes the length itself.
 */
import { Readable } from 'node:stream';
import type { FormData } from 'undici';

/** Image bytes to send: a file on disk (read lazily, as it is sent) or a buffer. */
export type Payload =
  | { readonly kind: 'file'; readonly path: string; readonly size: number; readonly blob: Blob }
  | { readonly kind: 'memory'; readonly size: number; readonly bytes: Buffer };

export function memoryPayload(bytes: Buffer): Payload {
  return { kind: 'memory', size: bytes.length, bytes };
}

/** Reading buffers in slices keeps each base64 chunk small; a multiple of 3 keeps it padding-free. */
const SLICE_BYTES = 3 * 256 * 1024;

/** A body that could not be produced as announced: the request is cut before it is complete. */
export class RequestBodyError extends Error {
  override readonly name = 'RequestBodyError';
}

export async function* payloadChunks(payload: Payload): AsyncGenerator<Uint8Array> {
  if (payload.kind === 'memory') {
    for (let offset = 0; offset < payload.size; offset += SLICE_BYTES)
      yield payload.bytes.subarray(offset, offset + SLICE_BYTES);
    return;
  }
  // A Blob from fs.openAsBlob fails to read if the file changed after it was checked.
  try {
    for await (const chunk of payload.blob.stream() as unknown as AsyncIterable<Uint8Array>) yield chunk;
  } catch (error) {
    throw new RequestBodyError(
      `${payload.path} could not be read while sending (${(error as Error).message}); was it changed?`,
    );
  }
}

/** The payload as a Blob of the given type, without reading a file-backed one. */
function payloadBlob(payload: Payload, type: string): Blob {
  return payload.kind === 'file' ? payload.blob.slice(0, payload.size, type) : new Blob([payload.bytes], { type });
}

export interface RequestBody {
  /** Undefined for multipart: the form sets its own type with the boundary. */
  readonly contentType: string | undefined;
  /** Exact length in bytes of a streamed body (sent as content-length). */
  readonly length: number | undefined;
  /** For logs: what is being sent, never its content. */
  readonly summary: string;
  /** A fresh body for one attempt. */
  open(): Promise<string | Readable | FormData>;
}

export function jsonBody(value: Readonly<Record<string, unknown>>): RequestBody {
  const text = JSON.stringify(value);
  return {
    contentType: 'application/json',
    length: undefined,
    summary: `JSON, ${Buffer.byteLength(text)} bytes`,
    open: async () => text,
  };
}

/** A value of a streamed JSON body that is sent as `data:<mimeType>;base64,<payload>`. */
interface DataUrlValue {
  readonly dataUrl: { readonly mimeType: string; readonly payload: Payload };
}

function isDataUrlValue(value: unknown): value is DataUrlValue {
  return typeof value === 'object' && value !== null && 'dataUrl' in value;
}

const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

/** A JSON object, in the given field order, whose DataUrlValue fields are streamed. */
export function streamedJsonBody(fields: ReadonlyArray<readonly [string, unknown]>): RequestBody {
  type Part = Buffer | DataUrlValue['dataUrl'];
  const parts: Part[] = [];
  let pending = '{';
  fields.forEach(([key, value], index) => {
    pending += `${index > 0 ? ',' : ''}${JSON.stringify(key)}:`;
    if (isDataUrlValue(value)) {
      parts.push(Buffer.from(`${pending}"data:${value.dataUrl.mimeType};base64,`), value.dataUrl);
      pending = '"';
    } else {
      pending += JSON.stringify(value);
    }
  });
  parts.push(Buffer.from(`${pending}}`));

  const length = parts.reduce(
    (sum, part) => sum + (Buffer.isBuffer(part) ? part.length : base64Length(part.payload.size)),
    0,
  );
  const streamed = parts.filter((part) => !Buffer.isBuffer(part)).length;

  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (const part of parts) {
      if (Buffer.isBuffer(part)) yield part;
      else yield* base64Chunks(payloadChunks(part.payload));
    }
  }
  return {
    contentType: 'application/json',
    length,
    summary: `JSON with ${streamed} inline image(s), ${length.toLocaleString('en-US')} bytes, streamed`,
    open: async () => Readable.from(exactly(length, chunks())),
  };
}

/** Base64 of a byte stream, chunk by chunk, carrying the remainder of each chunk to the next. */
export async function* base64Chunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    const data =
      carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const whole = data.length - (data.length % 3);
    if (whole > 0) yield Buffer.from(data.subarray(0, whole).toString('base64'), 'latin1');
    carry = Buffer.from(data.subarray(whole));
  }
  if (carry.length > 0) yield Buffer.from(carry.toString('base64'), 'latin1');
}

/**
 * Fails the body (and so the request, before the gateway has it whole) if it is not exactly the
 * announced length: undici throws an uncatchable error on a body longer than its
 * content-length, and a file that changed size must not go out half old, half new.
 */
async function* exactly(length: number, source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of source) {
    sent += chunk.byteLength;
    if (sent > length) throw new RequestBodyError(`request body longer than its announced ${length} bytes`);
    yield chunk;
  }
  if (sent !== length) throw new RequestBodyError(`request body of ${sent} bytes, announced ${length}`);
}

export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly payload: Payload;
}

/** multipart/form-data: text fields first, then the files in order. */
export function multipartBody(
  fields: ReadonlyArray<readonly [string, string]>,
  files: readonly MultipartFile[],
): RequestBody {
  const bytes = files.reduce((sum, file) => sum + file.payload.size, 0);
  return {
    contentType: undefined,
    length: undefined,
    summary: `multipart with ${files.length} file(s), ${bytes.toLocaleString('en-US')} bytes of images`,
    open: async () => {
      const { FormData } = await import('undici');
      const form = new FormData();
      for (const [name, value] of fields) form.append(name, value);
      for (const file of files) form.append(file.field, payloadBlob(file.payload, file.mimeType), file.filename);
      return form;
    },
  };
}

/**
 * The gateway client. `send` is the one place a request to the gateway's API is made (retries,
 * queuing and cancellation policy belong there); `download` is the one place a result URL is
 * fetched. Both turn every failure into a ToolFailure.
 */
import { z } from 'zod';
import { decodeBase64Strict } from '../imaging/base64.js';
import { inspectImage, type ImageInfo } from '../imaging/inspect.js';
import type { Logger } from '../log.js';
import { cancelledFailure, ToolFailure } from '../tools/failure.js';
import { RequestBodyError, type RequestBody } from './bodies.js';
import { describeErrorJson, failureFromNetworkError, failureFromResponse } from './errors.js';
import { BodyTooLargeError, discardBody, headerValue, httpRequest, readBody, type HttpResponse } from './http.js';

/** Largest API answer accepted: a gpt-image-2 4K PNG in base64 is ~40 MB. */
const MAX_API_BODY_BYTES = 100 * 1024 * 1024;
/** Largest result image downloaded (a 4 MP PNG is ~12 MB). */
const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;
/** Result URLs are on a CDN: a download that takes longer than this is stuck. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

export interface GatewayClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly userAgent: string;
  readonly log: Logger;
}

export interface CallOptions {
  /** The model's timeout: the gateway holds the connection until the image is done. */
  readonly timeoutMs: number;
  /** The tool call's signal: fires when the client cancels. */
  readonly signal?: AbortSignal;
}

export interface TokenUsage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  readonly total_tokens?: number;
}

export interface GatewayImage {
  readonly bytes: Buffer;
  readonly info: ImageInfo;
  readonly requestId: string | undefined;
  readonly usage: TokenUsage | undefined;
}

const ImagesResponse = z.looseObject({
  created: z.number().optional(),
  data: z.array(z.looseObject({ url: z.string().nullish(), b64_json: z.string().nullish() })),
  usage: z
    .looseObject({
      input_tokens: z.number().optional(),
      output_tokens: z.number().optional(),
      total_tokens: z.number().optional(),
    })
    .optional(),
});

function flatHeaders(headers: HttpResponse['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.keys(headers)) out[name] = headerValue(headers, name);
  return out;
}

export class GatewayClient {
  constructor(private readonly options: GatewayClientOptions) {}

  /** Text-to-image, and FLUX edits (input_image…): JSON to /images/generations. */
  async generate(body: RequestBody, call: CallOptions): Promise<GatewayImage> {
    const answer = await this.send('/images/generations', body, call);
    return this.imageFrom(answer, call);
  }

  /** gpt-image-2 edits: multipart to /images/edits. */
  async edit(body: RequestBody, call: CallOptions): Promise<GatewayImage> {
    const answer = await this.send('/images/edits', body, call);
    return this.imageFrom(answer, call);
  }

  /**
   * POST to the gateway's API and return the parsed JSON of a 2xx answer. The deadline covers
   * the whole exchange, body included.
   */
  private async send(path: string, body: RequestBody, call: CallOptions): Promise<{ json: unknown; requestId: string | undefined }> {
    const url = `${this.options.baseUrl}${path}`;
    const deadline = AbortSignal.timeout(call.timeoutMs);
    const signal = call.signal ? AbortSignal.any([deadline, call.signal]) : deadline;
    const timedOut = (): ToolFailure =>
      new ToolFailure('timeout', `no answer from the gateway within ${Math.round(call.timeoutMs / 1000)} s`, {
        hint: 'The gateway may still have made and billed the image. Check the APIYI console before calling again, or use a faster model (flux-2-klein-9b, flux-2-pro).',
      });

    let response: HttpResponse;
    try {
      response = await httpRequest(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          ...(body.contentType ? { 'content-type': body.contentType } : {}),
          ...(body.length !== undefined ? { 'content-length': String(body.length) } : {}),
          accept: 'application/json',
          'user-agent': this.options.userAgent,
        },
        body: await body.open(),
        signal,
      });
    } catch (error) {
      if (deadline.aborted) throw timedOut();
      if (call.signal?.aborted) throw cancelledFailure();
      if (error instanceof RequestBodyError) {
        // The request was cut before its body was complete, so the gateway cannot have run it.
        throw new ToolFailure('invalid_argument', `the request could not be sent whole: ${error.message}`, {
          hint: 'Nothing was billed. Make sure the input files stay unchanged during the call, then call again.',
        });
      }
      throw failureFromNetworkError(error, this.options.baseUrl);
    }

    const headers = flatHeaders(response.headers);
    const requestId = headers['x-request-id'];
    let raw: Buffer;
    try {
      raw = await readBody(response, MAX_API_BODY_BYTES);
    } catch (error) {
      if (deadline.aborted) throw timedOut();
      if (call.signal?.aborted) throw cancelledFailure();
      const what = error instanceof BodyTooLargeError ? `was over ${error.limit} bytes` : 'broke off';
      throw new ToolFailure('gateway_error', `the gateway's answer (HTTP ${response.statusCode}) ${what}`, {
        ...(requestId ? { requestId } : {}),
        hint: 'The image may have been made and billed. Call again; if this repeats, contact APIYI support with the request id.',
      });
    }

    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw failureFromResponse({ status: response.statusCode, headers, body: raw, requestId, baseUrl: this.options.baseUrl });
    }
    try {
      return { json: JSON.parse(raw.toString('utf8')), requestId };
    } catch {
      throw new ToolFailure('gateway_error', `the gateway answered HTTP ${response.statusCode} with a body that is not JSON`, {
        ...(requestId ? { requestId } : {}),
        hint: 'Call again in a moment; if this repeats, contact APIYI support with the request id.',
      });
    }
  }

  /** The image in a 2xx answer: downloaded from data[0].url at once, or decoded from b64_json. */
  private async imageFrom(answer: { json: unknown; requestId: string | undefined }, call: CallOptions): Promise<GatewayImage> {
    const { requestId } = answer;
    const withId = requestId ? { requestId } : {};
    const parsed = ImagesResponse.safeParse(answer.json);
    const first = parsed.success ? parsed.data.data[0] : undefined;
    if (!parsed.success || !first || (!first.url && !first.b64_json)) {
      // Some relays answer 200 with an error envelope instead of an image.
      const said = describeErrorJson(answer.json)?.message;
      const quote = said ? `: "${said}"` : '';
      throw new ToolFailure('gateway_error', `the gateway answered without an image (no data[0].url or data[0].b64_json)${quote}`, {
        ...withId,
        hint: 'Only answers with an image are billed. Call again; if this repeats, contact APIYI support with the request id.',
      });
    }
    const usage = parsed.data.usage
      ? {
          ...(parsed.data.usage.input_tokens !== undefined ? { input_tokens: parsed.data.usage.input_tokens } : {}),
          ...(parsed.data.usage.output_tokens !== undefined ? { output_tokens: parsed.data.usage.output_tokens } : {}),
          ...(parsed.data.usage.total_tokens !== undefined ? { total_tokens: parsed.data.usage.total_tokens } : {}),
        }
      : undefined;

    let bytes: Buffer;
    let source: string;
    if (first.b64_json) {
      bytes = decodeBase64Image(first.b64_json, requestId);
      source = 'the b64_json in the answer';
    } else {
      bytes = await this.download(first.url!, requestId, call.signal);
      source = 'the delivery URL';
    }
    const info = await inspectImage(bytes);
    if (!info) {
      throw new ToolFailure('gateway_error', `${source} did not hold a png, jpeg or webp image (${bytes.length} bytes)`, {
        ...withId,
        hint: 'The image may have been billed; contact APIYI support with the request id if this repeats.',
      });
    }
    return { bytes, info, requestId, usage };
  }

  /**
   * Fetch a result URL now: it expires 10 minutes after the image is made. Never sends the
   * API key (the URL is signed; it is on another host).
   */
  async download(url: string, requestId: string | undefined, callerSignal?: AbortSignal): Promise<Buffer> {
    const withId = requestId ? { requestId } : {};
    const deadline = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
    const signal = callerSignal ? AbortSignal.any([deadline, callerSignal]) : deadline;
    const lost = 'The image was made and billed but could not be saved.';
    let response: HttpResponse;
    try {
      response = await httpRequest(url, {
        method: 'GET',
        headers: { 'user-agent': this.options.userAgent, accept: 'image/*' },
        signal,
        followRedirects: true,
      });
    } catch (error) {
      if (callerSignal?.aborted) throw cancelledFailure();
      throw new ToolFailure('network', `downloading the result failed (${failureCode(error, deadline)})`, {
        ...withId,
        hint: `${lost} Its URL stays valid for 10 minutes after it was made: ${url}`,
      });
    }
    if (response.statusCode === 404 || response.statusCode === 403 || response.statusCode === 410) {
      await discardBody(response);
      throw new ToolFailure('expired_result', `the result URL answered HTTP ${response.statusCode}: it had expired before it could be downloaded`, {
        ...withId,
        hint: `${lost} Result URLs live 10 minutes; generate the image again (a fixed seed reproduces it on FLUX models).`,
      });
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await discardBody(response);
      throw new ToolFailure('gateway_error', `the result URL answered HTTP ${response.statusCode}`, {
        ...withId,
        hint: `${lost} Its URL stays valid for 10 minutes after it was made: ${url}`,
      });
    }
    try {
      return await readBody(response, MAX_DOWNLOAD_BYTES);
    } catch (error) {
      if (callerSignal?.aborted) throw cancelledFailure();
      throw new ToolFailure('network', `the result download broke off (${failureCode(error, deadline)})`, {
        ...withId,
        hint: `${lost} Its URL stays valid for 10 minutes after it was made: ${url}`,
      });
    }
  }
}

function failureCode(error: unknown, deadline: AbortSignal): string {
  if (deadline.aborted) return `no complete answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
  if (error instanceof BodyTooLargeError) return `over ${error.limit} bytes`;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** gpt-image-2's raw base64 (tolerating a data: prefix and line breaks), strictly checked. */
function decodeBase64Image(text: string, requestId: string | undefined): Buffer {
  const bytes = decodeBase64Strict(text.replace(/^data:[^,]*,/, ''));
  if (!bytes) {
    throw new ToolFailure('gateway_error', 'the gateway answered with b64_json that is not valid base64', {
      ...(requestId ? { requestId } : {}),
      hint: 'The image may have been billed; call again, and contact APIYI support with the request id if this repeats.',
    });
  }
  return bytes;
}

/**
 * The image in a 2xx answer of the gateway's API: `data[0].url` (downloaded at once) or
 * `data[0].b64_json` (decoded, strictly), checked to be a png, jpeg or webp image, with the token
 * usage when the answer reports it.
 */
import * as z from 'zod';
import { ToolFailure } from '../core/failure.js';
import type { Redactor } from '../core/redact.js';
import { decodeBase64Strict } from '../imaging/base64.js';
import { type ImageInfo, inspectImage } from '../imaging/inspect.js';
import { describeErrorJson } from './errors.js';

interface TokenUsage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  readonly total_tokens?: number;
}

export interface GatewayImage {
  readonly bytes: Buffer;
  readonly info: ImageInfo;
  readonly requestId: string | undefined;
  readonly usage: TokenUsage | undefined;
  /** Requests to the API it took, retries included. */
  readonly attempts: number;
}

/** A 2xx answer's parsed JSON, with what the request took. */
export interface ApiAnswer {
  readonly json: unknown;
  readonly requestId: string | undefined;
  /** Requests it took, retries included. */
  readonly attempts: number;
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

/**
 * The image of an answer; `download` fetches a delivery URL. Throws a ToolFailure when there is
 * none, quoting what the answer said once `redactor` has removed any secret it echoed.
 */
export async function imageFromAnswer(
  answer: ApiAnswer,
  redactor: Redactor,
  download: (url: string, requestId: string | undefined) => Promise<Buffer>,
): Promise<GatewayImage> {
  const { requestId, attempts } = answer;
  const withId = requestId ? { requestId } : {};
  const parsed = ImagesResponse.safeParse(answer.json);
  const first = parsed.success ? parsed.data.data[0] : undefined;
  const delivered: { base64: string } | { url: string } | undefined = first?.b64_json
    ? { base64: first.b64_json }
    : first?.url
      ? { url: first.url }
      : undefined;
  if (!parsed.success || !delivered) {
    // Some relays answer 200 with an error envelope instead of an image.
    const said = describeErrorJson(redactor.value(answer.json))?.message;
    const quote = said ? `: "${said}"` : '';
    throw new ToolFailure(
      'gateway_error',
      `the gateway answered without an image (no data[0].url or data[0].b64_json)${quote}`,
      {
        ...withId,
        hint:
          'Only answers with an image are billed. Call again; ' +
          'if this repeats, contact APIYI support with the request id.',
      },
    );
  }
  const reported = parsed.data.usage;
  const usage = reported
    ? {
        ...(reported.input_tokens !== undefined ? { input_tokens: reported.input_tokens } : {}),
        ...(reported.output_tokens !== undefined ? { output_tokens: reported.output_tokens } : {}),
        ...(reported.total_tokens !== undefined ? { total_tokens: reported.total_tokens } : {}),
      }
    : undefined;

  let bytes: Buffer;
  let source: string;
  if ('base64' in delivered) {
    bytes = decodeBase64Image(delivered.base64, requestId);
    source = 'the b64_json in the answer';
  } else {
    bytes = await download(delivered.url, requestId);
    source = 'the delivery URL';
  }
  const info = await inspectImage(bytes);
  if (!info) {
    throw new ToolFailure('gateway_error', `${source} did not hold a png, jpeg or webp image (${bytes.length} bytes)`, {
      ...withId,
      hint: 'The image may have been billed; contact APIYI support with the request id if this repeats.',
    });
  }
  return { bytes, info, requestId, usage, attempts };
}

/** Raw base64 (tolerating a data: prefix and line breaks), strictly checked. */
function decodeBase64Image(text: string, requestId: string | undefined): Buffer {
  const bytes = decodeBase64Strict(text.replace(/^data:[^,]*,/, ''));
  if (!bytes) {
    throw new ToolFailure('gateway_error', 'the gateway answered with b64_json that is not valid base64', {
      ...(requestId ? { requestId } : {}),
      hint:
        'The image may have been billed; call again, and ' +
        'contact APIYI support with the request id if this repeats.',
    });
  }
  return bytes;
}

/**
 * The part of an image call after its arguments are checked, shared by both tools: wait for a
 * slot (queuing), prepare the request (an edit reads, checks and copies its input images only
 * now, so at most as many calls as there are slots hold inputs at once), make the gateway request
 * (retries inside), save the paid image, and report progress all along. A call the client cancels
 * before its request goes out makes no request; a call cancelled after that still saves its
 * image, and the log says where.
 */

import type { RequestBody } from '../gateway/bodies.js';
import type { GatewayClient } from '../gateway/client.js';
import type { GatewayImage } from '../gateway/image-answer.js';
import type { ToolCall, ToolOutput } from './call.js';
import type { ToolContext } from './context.js';
import { type Delivery, deliverImage } from './deliver.js';
import type { ImageResult } from './image-result.js';

/** A request ready to post, with what the delivery needs to know of how it was made. */
export interface PreparedRequest extends Pick<Delivery, 'notes' | 'inputs'> {
  readonly body: RequestBody;
  /** Called once the request is done with, however it ended (an edit removes its input copies). */
  readonly dispose?: () => Promise<void>;
}

/** Everything a delivery needs except the image (which the request brings) and what preparing it tells. */
export interface ImageCall extends Omit<Delivery, 'image' | 'notes' | 'inputs'> {
  readonly gateway: GatewayClient;
  /** Makes the request to post to `endpoint`, once a slot is free; throws a ToolFailure to refuse it. */
  readonly prepare: () => Promise<PreparedRequest>;
}

export async function runImageCall(
  ctx: ToolContext,
  { signal, progress }: ToolCall,
  call: ImageCall,
): Promise<ToolOutput<ImageResult>> {
  const { model } = call;
  try {
    const release = await ctx.limiter.acquire(model.id, {
      signal,
      onPosition: (position, waiting) => progress.queued(position, waiting),
    });
    let image: GatewayImage;
    let prepared: PreparedRequest | undefined;
    try {
      prepared = await call.prepare();
      image = await call.gateway.post(call.endpoint, prepared.body, {
        timeoutMs: ctx.config.timeoutMs ?? model.timeoutMs,
        signal,
        observer: progress,
      });
    } finally {
      release();
      await prepared
        ?.dispose?.()
        .catch((error: unknown) => ctx.log.warn(`could not clean up after the call: ${String(error)}`));
    }

    const { notes, inputs } = prepared;
    const output = await deliverImage(ctx, { ...call, image, notes, ...(inputs ? { inputs } : {}) });
    const saved = output.structuredContent.images[0]!.path;
    ctx.imageSaved(saved);
    if (signal.aborted) {
      ctx.log.warn(
        `${call.tool} ${model.id}: the client cancelled the call after the request went out; the paid image was saved anyway: ${saved}`,
      );
    }
    progress.saved(saved);
    return output;
  } finally {
    progress.finish();
  }
}

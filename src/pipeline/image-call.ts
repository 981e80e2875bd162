/**
 * The part of an image call after its arguments are checked, shared by both tools: wait for a
 * slot (queuing), make the gateway request (retries inside), save the paid image, and report
 * progress all along. A call the client cancels before its request goes out makes no request; a
 * call cancelled after that still saves its image, and the log says where.
 */

import type { RequestBody } from '../gateway/bodies.js';
import type { GatewayClient } from '../gateway/client.js';
import type { GatewayImage } from '../gateway/image-answer.js';
import type { ToolCall, ToolOutput } from './call.js';
import type { ToolContext } from './context.js';
import { type Delivery, deliverImage } from './deliver.js';
import type { ImageResult } from './image-result.js';

/** Everything a delivery needs except the image, which the request brings; and the request. */
export interface ImageCall extends Omit<Delivery, 'image'> {
  readonly gateway: GatewayClient;
  /** Posted to `endpoint` once a slot is free. */
  readonly body: RequestBody;
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
    try {
      image = await call.gateway.post(call.endpoint, call.body, {
        timeoutMs: ctx.config.timeoutMs ?? model.timeoutMs,
        signal,
        observer: progress,
      });
    } finally {
      release();
    }

    const output = await deliverImage(ctx, { ...call, image });
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

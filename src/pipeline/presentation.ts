/**
 * How a result is shown to the client: with or without the inline preview, with or without a
 * resource_link. Agent stacks differ (mcp/clients.ts): an image block reaches some models as an
 * image and others as tens of thousands of tokens of base64 text, and a resource_link makes some
 * stacks throw. The user's setting decides, a call's own `preview` argument overrides it, and
 * `auto` asks what the client is known to do.
 */
import type { PreviewMode } from '../config.js';
import type { ClientTraits } from './call.js';
import type { ToolContext } from './context.js';

export interface Presentation {
  readonly preview: boolean;
  readonly resourceLink: boolean;
}

export function presentationFor(ctx: ToolContext, asked: PreviewMode | undefined, client: ClientTraits): Presentation {
  const mode = asked ?? ctx.config.preview;
  const preview = ctx.config.previewSize > 0 && (mode === 'on' || (mode === 'auto' && client.imagesReachModel));
  return { preview, resourceLink: ctx.config.resourceLinks };
}

/**
 * How a result is shown to the client: with or without the inline preview, with or without a
 * resource_link. Agent stacks differ (mcp/clients.ts): an image block reaches some models as an
 * image and others as tens of thousands of tokens of base64 text, and a resource_link makes some
 * stacks throw. The user's setting decides, a call's own `preview` argument overrides it, and
 * `auto` asks what the client is known to do.
 */
import type { PreviewMode } from '../config.js';
import { makeContactSheet } from '../imaging/contact-sheet.js';
import { makePreview, type Preview } from '../imaging/preview.js';
import { readRegularBytes } from '../library/regular-file.js';
import type { ClientTraits, Presentation, ToolOutput } from './call.js';
import type { ToolContext } from './context.js';
import { type ImageResult, resultOutput } from './image-result.js';

export function presentationFor(ctx: ToolContext, asked: PreviewMode | undefined, client: ClientTraits): Presentation {
  const mode = asked ?? ctx.config.preview;
  const preview = ctx.config.previewSize > 0 && (mode === 'on' || (mode === 'auto' && client.imagesReachModel));
  return { preview, resourceLink: ctx.config.resourceLinks };
}

/** The largest saved image read back for a preview (a 4K PNG is ~40 MB). */
const MAX_PREVIEW_SOURCE_BYTES = 100 * 1024 * 1024;

/**
 * A result as a client gets it: the structured result with its text, and the preview and link the
 * presentation asks for. The preview is made from the saved file, so a result can be shown again
 * (wait_for_image, after a restart) exactly as the call would have shown it.
 */
export async function present(
  ctx: ToolContext,
  result: ImageResult,
  presentation: Presentation,
): Promise<ToolOutput<ImageResult>> {
  let preview: Preview | undefined;
  const first = result.images[0];
  if (presentation.preview && first) {
    try {
      // Several images: one contact sheet of them all, in the budget of a single preview.
      const images = await Promise.all(
        result.images.map((image) => readRegularBytes(image.path, MAX_PREVIEW_SOURCE_BYTES)),
      );
      preview =
        images.length === 1
          ? await makePreview(images[0]!, ctx.config.previewSize)
          : await makeContactSheet(images, ctx.config.previewSize);
    } catch (error) {
      ctx.log.warn(`preview of ${first.path} failed: ${(error as Error).message}`);
    }
  }
  return resultOutput(result, preview, presentation.resourceLink);
}

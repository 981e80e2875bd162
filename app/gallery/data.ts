/**
 * The gallery's data out of a tool result: the server's `_meta["flux-mcp/gallery"]` (thumbnails and
 * button plans), or, where a host dropped `_meta`, the bare facts of `structuredContent.images`.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { GALLERY_META_KEY, type GalleryData, type GalleryItem } from '../../src/apps/contract.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The items of a result: full gallery items when the server sent them, bare facts otherwise. */
export function galleryDataOf(result: CallToolResult): GalleryData {
  const meta = result._meta?.[GALLERY_META_KEY];
  if (isRecord(meta) && Array.isArray(meta.items)) return meta as unknown as GalleryData;
  const structured = result.structuredContent;
  const images = isRecord(structured) && Array.isArray(structured.images) ? structured.images : [];
  return {
    items: images.filter(isRecord).map(
      (image): GalleryItem => ({
        path: String(image.path ?? ''),
        uri: String(image.uri ?? ''),
        file:
          String(image.path ?? '')
            .split(/[\\/]/)
            .pop() ?? '',
        width: Number(image.width ?? 0),
        height: Number(image.height ?? 0),
        mimeType: String(image.mimeType ?? ''),
        bytes: Number(image.bytes ?? 0),
        model: String(image.model ?? structured?.model ?? ''),
        prompt: String(image.prompt ?? ''),
        tool: '',
        createdAt: String(image.createdAt ?? ''),
      }),
    ),
  };
}

/** The first text block of a result: what a failed call says. */
export function textOf(result: CallToolResult): string {
  const block = result.content.find((item) => item.type === 'text');
  return block && block.type === 'text' ? block.text : '';
}

/** "1024×1024 · flux-2-pro · seed 42 · $0.03" */
export function factsOf(item: GalleryItem): string {
  return [
    `${item.width}×${item.height}`,
    item.model,
    ...(item.seed !== undefined ? [`seed ${item.seed}`] : []),
    ...(item.priceUsd !== undefined ? [`$${item.priceUsd}`] : []),
  ].join(' · ');
}

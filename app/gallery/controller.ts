/**
 * What the gallery does: show a tool result (a call's images, or a list_images page with search
 * and "more"), and carry out a card's buttons through the host: the calls the server planned for
 * "more like this" and "variants", a chat message for "edit this", a resource read for full size.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type GalleryData, type GalleryItem, PAGE_TOOL, type ToolCallPlan } from '../../src/apps/contract.js';
import { galleryDataOf, textOf } from './data.js';
import type { GalleryHost } from './host.js';
import type { CardActions, GalleryView } from './view.js';

/** list_images filters the page tool also takes. */
const FILTERS = ['query', 'model', 'since', 'until'] as const;
const PAGE_SIZE = 12;

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

export class GalleryController implements CardActions {
  private view!: GalleryView;
  /** The list_images filters in force (from the call's arguments, then the search box). */
  private filters: Record<string, unknown> = {};
  private nextCursor: string | undefined;
  private shown = 0;
  /** Whether this view shows the library (list_images) rather than one call's images. */
  private isLibrary = false;

  constructor(private readonly host: GalleryHost) {}

  attach(view: GalleryView): void {
    this.view = view;
  }

  /** The arguments of the call this view belongs to (sent before its result). */
  toolInput(args: Record<string, unknown>): void {
    this.filters = Object.fromEntries(FILTERS.flatMap((key) => (args[key] !== undefined ? [[key, args[key]]] : [])));
  }

  toolResult(result: CallToolResult, toolName: string | undefined): void {
    this.view.setBusy(false);
    if (result.isError) {
      this.view.setTitle('No image');
      this.view.setStatus(textOf(result).split('\n')[0] ?? 'the call failed', true);
      return;
    }
    const data = galleryDataOf(result);
    const isLibrary = toolName === 'list_images' || data.matched !== undefined;
    if (isLibrary) {
      this.view.showSearch(typeof this.filters.query === 'string' ? this.filters.query : '');
      this.showPage(data, false);
    } else if (data.items.length === 0) {
      // A call that lists no image (a job handed off and still running): say what it said.
      this.view.replace([]);
      this.view.setTitle('No image yet');
      this.view.setStatus(textOf(result).split('\n')[0] ?? '');
    } else {
      this.view.replace(data.items);
      this.view.setTitle(`${plural(data.items.length, 'image')} from ${data.items[0]?.model ?? 'this call'}`);
      this.view.setStatus('');
    }
    this.isLibrary = isLibrary;
  }

  toolCancelled(reason: string): void {
    this.view.setBusy(false);
    this.view.setStatus(`Cancelled${reason ? `: ${reason}` : ''}`, true);
  }

  async search(query: string): Promise<void> {
    this.filters = { ...this.filters, query: query || undefined };
    await this.page(undefined);
  }

  async more(): Promise<void> {
    if (this.nextCursor) await this.page(this.nextCursor);
  }

  async open(item: GalleryItem): Promise<void> {
    try {
      const read = await this.host.readResource(item.uri);
      const image = read.contents.find((content) => 'blob' in content && content.uri === item.uri);
      if (!image || !('blob' in image)) throw new Error('no image in the answer');
      this.view.showFull(`data:${image.mimeType ?? item.mimeType};base64,${image.blob}`, item.path);
    } catch (error) {
      // Too big for one message (the server caps reads at 750 KB): the file itself, if the host opens links.
      if (await this.host.openLink(item.uri).catch(() => false)) return;
      this.view.setStatus(`Cannot show ${item.file} here (${(error as Error).message}); it is at ${item.path}`, true);
    }
  }

  async edit(item: GalleryItem, change: string): Promise<void> {
    const text = `Edit the image ${item.path} with edit_images: ${change}`;
    if (await this.host.sendMessage(text).catch(() => false)) {
      this.view.setStatus('Edit request sent to the chat.');
    } else {
      await this.copy(text);
      this.view.setStatus('This host takes no messages from the gallery: the edit request is copied, paste it.');
    }
  }

  async moreLikeThis(item: GalleryItem): Promise<void> {
    if (item.moreLikeThis) await this.run(item.moreLikeThis, 1, 'Making one more like this…');
  }

  async variants(item: GalleryItem): Promise<void> {
    if (item.variants) await this.run(item.variants.call, item.variants.times, 'Making variants…');
  }

  async copyPath(item: GalleryItem, field: HTMLInputElement): Promise<void> {
    if (await this.copy(item.path)) {
      this.view.setStatus(`Copied ${item.path}`);
    } else {
      // No clipboard in this sandbox: show the path selected, for the person to copy.
      field.hidden = false;
      field.select();
      this.view.setStatus('Select and copy the path below the image.');
    }
  }

  /** Runs a planned call `times` times at once; the new images go to the top of the grid. */
  private async run(plan: ToolCallPlan, times: number, status: string): Promise<void> {
    this.view.setStatus(status);
    this.view.setBusy(true);
    const results = await Promise.allSettled(
      Array.from({ length: times }, () => this.host.callTool(plan.tool, plan.arguments)),
    );
    this.view.setBusy(false);
    const made = results.flatMap((r) =>
      r.status === 'fulfilled' && !r.value.isError ? galleryDataOf(r.value).items : [],
    );
    const failures = results.flatMap((r) =>
      r.status === 'rejected' ? [String(r.reason)] : r.value.isError ? [textOf(r.value).split('\n')[0]] : [],
    );
    this.view.prepend(made);
    if (!this.isLibrary) this.view.setTitle(plural(this.view.count(), 'image'));
    this.view.setStatus(
      failures.length > 0
        ? `${plural(made.length, 'new image')}; ${failures[0]}`
        : `${plural(made.length, 'new image')}.`,
      failures.length > 0,
    );
  }

  /** One page of the library from the app-only page tool: the first (cursor undefined) or the next. */
  private async page(cursor: string | undefined): Promise<void> {
    this.view.setBusy(true);
    this.view.setStatus('Loading…');
    try {
      const result = await this.host.callTool(PAGE_TOOL, {
        ...this.filters,
        ...(cursor ? { cursor } : {}),
        limit: PAGE_SIZE,
      });
      if (result.isError) throw new Error(textOf(result).split('\n')[0]);
      this.showPage(result.structuredContent as unknown as GalleryData, cursor !== undefined);
    } catch (error) {
      this.view.setStatus((error as Error).message, true);
    } finally {
      this.view.setBusy(false);
    }
  }

  private showPage(data: GalleryData, appended: boolean): void {
    if (appended) this.view.append(data.items);
    else this.view.replace(data.items);
    this.shown = appended ? this.shown + data.items.length : data.items.length;
    this.nextCursor = data.nextCursor;
    const query = typeof this.filters.query === 'string' && this.filters.query ? ` for “${this.filters.query}”` : '';
    this.view.setTitle(`Saved images${query}`);
    this.view.setStatus(`${this.shown} of ${plural(data.matched ?? this.shown, 'image')}`);
    this.view.showMore(data.nextCursor !== undefined);
  }

  private async copy(text: string): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return false;
    }
  }
}

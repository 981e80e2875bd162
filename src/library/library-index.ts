/**
 * What the server asks of its image library, whatever keeps it: `list_images` queries it,
 * `resources/list` pages through it, `resources/read` looks an image up, and every save adds to it.
 * The sidecars in the output directory stay the source of truth; an index only remembers them so
 * that a library of 100,000 images answers in milliseconds. The first backend keeps its index in a
 * file beside the images (file-library-index.ts); a team mode may keep one in a database.
 *
 * Every backend keeps the library's promises: newest first (by creation time, then file name),
 * cursors that stay put when images arrive, a `*.json` that is not a usable sidecar skipped with one
 * warning, and only regular files inside the output directory ever served.
 */
import type { SavedImage } from './sidecar.js';

/** A listed image: where it is, what it is, and how it was made. */
export type LibraryImage = Omit<SavedImage, 'sha256'>;

export interface ImageQuery {
  /** Words that must all appear in the prompt (case-insensitive). */
  readonly query?: string;
  readonly model?: string;
  /** ISO dates or times, inclusive. */
  readonly since?: Date;
  readonly until?: Date;
}

export interface QueryResult {
  /** The newest `limit` matches. */
  readonly images: LibraryImage[];
  /** How many images match in all, before the limit. */
  readonly matched: number;
}

/** A place in the newest-first order: the last image of the page before. */
export interface PagePosition {
  readonly createdAt: string;
  readonly file: string;
}

export interface Page {
  readonly images: LibraryImage[];
  /** More images follow the last one of this page. */
  readonly more: boolean;
}

export interface LibraryIndex {
  /** The output directory whose images this is. */
  readonly directory: string;
  /** Record an image just saved with its sidecar; images saved elsewhere (the rescue directory) are ignored. */
  add(image: SavedImage): Promise<void>;
  /** Images matching the query, newest first. */
  query(query: ImageQuery, limit: number): Promise<QueryResult>;
  /** Up to `size` images after `after` in newest-first order (from the newest when absent). */
  page(after: PagePosition | undefined, size: number): Promise<Page>;
  /** The image at a file:// URI or absolute path, if it is one of the library's and still a regular file. */
  get(uriOrPath: string): Promise<LibraryImage | undefined>;
}

/**
 * The library index kept in a file in the output directory (index-file.ts), shared by every server
 * process that saves there (Claude Desktop and the CLI, say). The sidecars stay the truth; the
 * index is how 100,000 of them are listed without reading 100,000 files.
 *
 * Keeping it true, cheaply, before every listing:
 * - Missing, damaged (cut short, garbled, another format) or unreadable: rebuilt from the sidecars,
 *   with one warning when it was damaged.
 * - Another process appended lines (its saves, its discoveries): only the new lines are read.
 *   Another process rewrote it (a new inode): it is read again whole.
 * - The directory changed since the index last matched it (its modification time differs from the
 *   one recorded: images added by anyone, sidecars deleted by the user, files copied in): the
 *   directory is listed, new sidecars are read, vanished ones dropped, and the changes appended.
 *   Every save changes the directory's time, so no image is missed, whoever saved it.
 * - A modification time is trusted only once it is a few seconds old: file systems keep it in
 *   ticks (a few ms on ext4, 2 s on FAT), so a change in the same tick as a listing could hide
 *   behind an unchanged time. While the time is that fresh, each request lists the directory
 *   again, unless a listing began after the request arrived (which saw whatever came before it).
 *
 * Saves add their image at once (`add`), without waiting for a listing in progress. Listings run
 * one at a time, so the in-memory set and the file are changed by one of them only.
 */
import { lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../core/log.js';
import {
  directoryTime,
  indexedImageOf,
  isSidecarName,
  type Listing,
  listDirectory,
  readSidecars,
  type SidecarsRead,
} from './directory-scan.js';
import { ImageSet, type IndexedImage } from './image-set.js';
import {
  appendLines,
  type FileIdentity,
  foldLines,
  INDEX_DIR,
  IndexFold,
  type IndexLine,
  identityOf,
  indexFileOf,
  readFrom,
  sameFile,
  writeIndexFile,
} from './index-file.js';
import type { ImageQuery, LibraryImage, LibraryIndex, Page, PagePosition, QueryResult } from './library-index.js';
import { kindOf } from './regular-file.js';
import type { SavedImage } from './sidecar.js';

/** Past this many lines of changes, a start folds them into the columns, to load faster next time. */
const SLACK_LINES = 2_000;

/** Names that file URIs spell as they are (those the server gives its images among them). */
const URL_SAFE_NAME = /^[A-Za-z0-9._~-]+$/;

export class FileLibraryIndex implements LibraryIndex {
  readonly directory: string;
  /** The directory's file:// URI, without a trailing slash. */
  private readonly directoryUri: string;
  private readonly indexFile: string;
  private images = new ImageSet();
  /** `*.json` names known not to be usable sidecars. */
  private readonly skipped = new Set<string>();
  /** Names this process has warned about: one warning per bad file, however often it is seen. */
  private readonly warned = new Set<string>();
  /** Skipped names learned from the index file, to read (and warn about) before the next answer. */
  private readonly toRecheck = new Set<string>();
  private loaded = false;
  /** The index file as far as this process has read it (`size`: bytes read). */
  private file: FileIdentity | undefined;
  /** The directory modification time the images match, and whether it was too fresh to trust. */
  private syncedMtime: number | undefined;
  private syncedRacy = false;
  /** The index could not be written here once: the library still works, from memory. */
  private cannotWrite = false;
  /** Listings (and the rebuilds they may cause) one at a time. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Directory listings begun so far: a request knows whether one began after it arrived. */
  private listings = 0;
  /**
   * Sidecars added by saves while a directory listing was under way: the listing may have missed
   * them, which does not make them gone.
   */
  private addedWhileListing: Set<string> | undefined;

  constructor(
    directory: string,
    private readonly log: Logger,
  ) {
    this.directory = path.resolve(directory);
    this.directoryUri = pathToFileURL(this.directory).href.replace(/\/$/, '');
    this.indexFile = indexFileOf(this.directory);
  }

  async add(saved: SavedImage): Promise<void> {
    if (path.dirname(saved.path) !== this.directory) return;
    const image = indexedImageOf(saved);
    this.addedWhileListing?.add(image.sidecar);
    if (this.loaded) {
      this.images.upsert([image]);
      this.skipped.delete(image.sidecar);
    }
    // Not created here when missing: the first listing builds the index, from every sidecar.
    await this.append([{ kind: 'image', image }]);
  }

  query(query: ImageQuery, limit: number): Promise<QueryResult> {
    const arrived = this.listings;
    return this.exclusive(async () => {
      await this.refresh(arrived);
      const { images, matched } = this.images.query(query, limit);
      return { images: images.map((image) => this.libraryImageOf(image)), matched };
    });
  }

  page(after: PagePosition | undefined, size: number): Promise<Page> {
    const arrived = this.listings;
    return this.exclusive(async () => {
      await this.refresh(arrived);
      const { images, more } = this.images.page(after, size);
      return { images: images.map((image) => this.libraryImageOf(image)), more };
    });
  }

  async get(uriOrPath: string): Promise<LibraryImage | undefined> {
    const file = this.fileNameOf(uriOrPath);
    if (file === undefined) return undefined;
    const arrived = this.listings;
    const indexed = await this.exclusive(async () => {
      await this.refresh(arrived);
      return this.images.byFileName(file);
    });
    if (!indexed) return undefined;
    const image = this.libraryImageOf(indexed);
    if (image.uri !== uriOrPath && image.path !== uriOrPath) return undefined;
    // It may have been replaced (by a link, say) since it was indexed: serve regular files only.
    const kind = await lstat(image.path).then(kindOf, () => undefined);
    return kind === 'file' ? image : undefined;
  }

  /** The name of the file a URI or path points at, when that file is directly in the directory. */
  private fileNameOf(uriOrPath: string): string | undefined {
    let file: string;
    try {
      file = uriOrPath.startsWith('file:') ? fileURLToPath(uriOrPath) : uriOrPath;
    } catch {
      return undefined;
    }
    if (!path.isAbsolute(file) || path.dirname(file) !== this.directory) return undefined;
    return path.basename(file);
  }

  private libraryImageOf(image: IndexedImage): LibraryImage {
    return {
      path: this.pathOf(image.file),
      uri: this.uriOf(image.file),
      width: image.width,
      height: image.height,
      mimeType: image.mimeType,
      bytes: image.bytes,
      file: image.file,
      sidecarPath: this.pathOf(image.sidecar),
      createdAt: image.createdAt,
      tool: image.tool,
      model: image.model,
      prompt: image.prompt,
    };
  }

  /** A page of 50 images derives 100 paths and 50 URIs: plain names need neither path.join nor URL encoding. */
  private pathOf(name: string): string {
    return `${this.directory}${path.sep}${name}`;
  }

  private uriOf(name: string): string {
    return URL_SAFE_NAME.test(name) ? `${this.directoryUri}/${name}` : pathToFileURL(this.pathOf(name)).href;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /**
   * Brings the images up to date with the index file and the directory, for a request that arrived
   * when `arrived` listings had begun.
   */
  private async refresh(arrived: number): Promise<void> {
    if (!this.loaded) {
      await this.load();
      this.loaded = true;
      if (this.toRecheck.size > 0) await this.recheckSkipped();
      return this.syncWithDirectory(arrived, await directoryTime(this.directory));
    }
    // Both checks at once: paging through 100,000 images makes 2,000 requests.
    const [, time] = await Promise.all([this.catchUp(), directoryTime(this.directory)]);
    if (this.toRecheck.size > 0) await this.recheckSkipped();
    await this.syncWithDirectory(arrived, time);
  }

  // ---- the index file ------------------------------------------------------------------------

  private async load(): Promise<void> {
    let read: Awaited<ReturnType<typeof readFrom>>;
    try {
      read = await readFrom(this.indexFile, 0);
    } catch (error) {
      return this.rebuild(`it cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (!read) return this.rebuild(undefined);
    const fold = new IndexFold();
    const { damage } = foldLines(read.data, fold, true);
    if (damage) return this.rebuild(damage);
    const columns = fold.columns();
    if (!columns) return this.rebuild('its columns are not all the same length');
    this.images = ImageSet.of(columns);
    this.skipped.clear();
    this.applyChanges(fold);
    this.file = read.identity;
    if (fold.changeLines > SLACK_LINES) await this.rewrite();
  }

  /** Lines appended by any process since this one last read the file, or the whole file if it was replaced. */
  private async catchUp(): Promise<void> {
    const now = await identityOf(this.indexFile);
    if (now === undefined) {
      // Removed (by a person tidying up): written again from what is known.
      if (!this.cannotWrite) await this.rewrite();
      return;
    }
    if (!sameFile(now, this.file) || now.size < this.file!.size) return this.reload();
    if (now.size === this.file!.size) return;
    const appended = await readFrom(this.indexFile, this.file!.size);
    if (!appended || !sameFile(appended.identity, this.file)) return this.reload();
    const fold = new IndexFold(false);
    const { bytes, damage } = foldLines(appended.data, fold, false);
    if (damage) return this.rebuild(damage);
    this.applyChanges(fold);
    this.file = { ...this.file!, size: this.file!.size + bytes };
  }

  /** The changes of index lines, over what is known. */
  private applyChanges(fold: IndexFold): void {
    if (fold.goneNames.size + fold.skippedNames.size > 0)
      this.images.remove(new Set([...fold.goneNames, ...fold.skippedNames]));
    for (const sidecar of fold.goneNames) this.forget(sidecar);
    if (fold.images.size > 0) this.images.upsert([...fold.images.values()]);
    for (const sidecar of fold.images.keys()) this.skipped.delete(sidecar);
    this.adoptSkipped(fold.skippedNames);
    this.adoptSynced(fold.lastSynced);
  }

  /** Another process rewrote the index: start again from its file. */
  private async reload(): Promise<void> {
    this.images = new ImageSet();
    this.skipped.clear();
    this.syncedMtime = undefined;
    await this.load();
  }

  /** Skipped names another process recorded: this one reads them itself, and warns once about those still bad. */
  private adoptSkipped(names: ReadonlySet<string>): void {
    for (const name of names) {
      this.skipped.add(name);
      if (!this.warned.has(name)) this.toRecheck.add(name);
    }
  }

  /** The directory time recorded in the file: lines are written with one only once it can be trusted. */
  private adoptSynced(mtimeMs: number | undefined): void {
    if (mtimeMs === undefined) return;
    this.syncedMtime = mtimeMs;
    this.syncedRacy = false;
  }

  private async append(lines: readonly IndexLine[]): Promise<void> {
    if (this.cannotWrite || lines.length === 0) return;
    try {
      const appended = await appendLines(this.indexFile, lines);
      if (!appended && this.loaded) await this.rewrite();
    } catch (error) {
      this.writeFailed(error);
    }
  }

  /** The whole index, written anew from what is in memory. */
  private async rewrite(): Promise<void> {
    if (this.cannotWrite) return;
    try {
      this.file = await writeIndexFile(this.indexFile, {
        columns: this.images.toColumns(),
        skipped: [...this.skipped],
        synced: this.syncedMtime !== undefined && !this.syncedRacy ? this.syncedMtime : undefined,
      });
    } catch (error) {
      this.writeFailed(error);
    }
  }

  private writeFailed(error: unknown): void {
    if (this.cannotWrite) return;
    this.cannotWrite = true;
    this.file = undefined;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    this.log.warn(
      `cannot write the library index ${this.indexFile} (${code}): ` +
        `images are still listed, but each start reads every sidecar`,
    );
  }

  // ---- the directory -------------------------------------------------------------------------

  /** Every sidecar read again, and the index written anew. `damage` says why, when it was not just missing. */
  private async rebuild(damage: string | undefined): Promise<void> {
    if (damage)
      this.log.warn(`the library index ${this.indexFile} is damaged (${damage}); rebuilding it from the sidecars`);
    const started = performance.now();
    this.images = new ImageSet();
    this.skipped.clear();
    this.toRecheck.clear();
    this.syncedMtime = undefined;
    this.file = undefined;
    // Made before the directory is listed, so that making it does not make the listing stale at once.
    await mkdir(path.join(this.directory, INDEX_DIR)).catch(() => undefined);
    const listing = await this.listDirectory();
    if (!listing) return; // no directory yet: an empty library, and no index until an image is saved
    const names = [...listing.entries.keys()].filter(isSidecarName);
    this.images.upsert((await this.readSidecars(names)).images);
    this.syncedMtime = listing.mtimeMs;
    this.syncedRacy = listing.racy;
    await this.rewrite();
    if (names.length > 0)
      this.log.info(
        `library index of ${this.directory}: ${this.images.size} images from ` +
          `${names.length} sidecars in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
  }

  /**
   * When the directory changed since the images last matched it (its time is `mtimeMs` now), the
   * changes are found and recorded.
   */
  private async syncWithDirectory(arrived: number, mtimeMs: number | undefined): Promise<void> {
    if (mtimeMs === undefined) {
      this.images = new ImageSet(); // the directory is gone: so is the library
      this.skipped.clear();
      this.syncedMtime = undefined;
      return;
    }
    if (mtimeMs === this.syncedMtime && (!this.syncedRacy || this.listings > arrived)) return;
    await this.reconcile();
  }

  private async reconcile(): Promise<void> {
    const addedWhileListing = new Set<string>();
    this.addedWhileListing = addedWhileListing;
    let listing: Listing | undefined;
    try {
      listing = await this.listDirectory();
    } finally {
      this.addedWhileListing = undefined;
    }
    if (!listing) return;
    const gone = new Set<string>();
    const toRead: string[] = [];
    for (const image of this.images.names()) {
      if (addedWhileListing.has(image.sidecar)) continue;
      if (!listing.entries.has(image.sidecar)) gone.add(image.sidecar);
      // Its image went away or became something else: reading the sidecar again says which.
      else if (!listing.entries.get(image.file)?.isFile()) toRead.push(image.sidecar);
    }
    for (const name of this.skipped) if (!listing.entries.has(name)) gone.add(name);
    for (const name of listing.entries.keys())
      if (isSidecarName(name) && !this.images.hasSidecar(name) && !this.skipped.has(name)) toRead.push(name);

    const read = await this.readSidecars(toRead);
    for (const name of gone) this.forget(name);
    for (const name of read.missing) gone.add(name);
    this.images.remove(new Set([...gone, ...read.skipped.map((skip) => skip.name)]));
    this.images.upsert(read.images);
    this.syncedMtime = listing.mtimeMs;
    this.syncedRacy = listing.racy;
    await this.append([
      ...[...gone].map((sidecar): IndexLine => ({ kind: 'gone', sidecar })),
      ...read.skipped.map(({ name }): IndexLine => ({ kind: 'skipped', sidecar: name })),
      ...read.images.map((image): IndexLine => ({ kind: 'image', image })),
      ...(listing.racy ? [] : [{ kind: 'synced', mtimeMs: listing.mtimeMs } as const]),
    ]);
  }

  /** Skipped names learned from the file: read once by this process, which warns about those still bad. */
  private async recheckSkipped(): Promise<void> {
    const names = [...this.toRecheck];
    this.toRecheck.clear();
    const read = await this.readSidecars(names);
    this.images.upsert(read.images);
    await this.append([
      ...read.missing.map((sidecar): IndexLine => ({ kind: 'gone', sidecar })),
      ...read.images.map((image): IndexLine => ({ kind: 'image', image })),
    ]);
  }

  private listDirectory(): Promise<Listing | undefined> {
    this.listings += 1;
    return listDirectory(this.directory);
  }

  /**
   * Reads these sidecars: the images of the good ones; the others are recorded as skipped, with one
   * warning each; names gone since the listing are forgotten without a word.
   */
  private async readSidecars(names: readonly string[]): Promise<SidecarsRead> {
    const read = await readSidecars(this.directory, names);
    for (const image of read.images) this.skipped.delete(image.sidecar);
    for (const name of read.missing) this.forget(name);
    for (const { name, reason } of read.skipped) this.skip(name, reason);
    return read;
  }

  private skip(name: string, reason: string): void {
    this.skipped.add(name);
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.log.warn(`skipped ${name}: ${reason}`);
  }

  /** A name that is gone: a new file under it later is read, and warned about, afresh. */
  private forget(name: string): void {
    this.skipped.delete(name);
    this.warned.delete(name);
  }
}

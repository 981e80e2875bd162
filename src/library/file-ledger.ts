/**
 * The ledger in a file: `<output dir>/.flux-mcp/ledger.jsonl`, shared by every server process that
 * saves there (Claude Desktop and the CLI, say). One JSON value per line:
 *
 *   {"format":"flux-mcp.ledger/1"}                          first line
 *   {"at":…,"model":…,"image":…,"job":…,"priceUsd":…}       one entry per saved image (+ "usage")
 *
 * - Appending: an entry is one line in one write to the file opened for appending, so processes
 *   never interleave their lines. Appending never creates the file: a ledger without the entries
 *   of the images saved before it would undercount.
 * - Reading: each query looks at the file's size and reads only what was appended since this
 *   process last read it, complete lines only (a writer may be writing the last one now); a file
 *   replaced (a new inode) or shorter is read again whole.
 * - Missing (a new folder, or someone deleted `.flux-mcp`) or damaged (no header, a line that is
 *   not an entry, a last line cut short): rebuilt from the sidecars, which stay the truth, with a
 *   warning when it was damaged. A missing file is created exclusively (a finished temp file
 *   hard-linked into place), so of two processes rebuilding at once one keeps the other's; a
 *   damaged one is replaced by rename.
 * - The same image twice (a save that raced a rebuild which had already read its sidecar) counts
 *   once: entries are keyed by the image's file name, which is never reused.
 * - Cannot be written (a read-only folder): one warning; the figures then come from the sidecars
 *   and from what this process saved.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import type { Redactor } from '../core/redact.js';
import { type FileIdentity, identityOf, readFrom, sameFile } from './index-file.js';
import {
  type CountedEntry,
  type Ledger,
  type LedgerEntry,
  ledgerEntrySchema,
  type ModelTotals,
  type TimeRange,
  TotalsByModel,
} from './ledger.js';
import { entriesFromSidecars } from './ledger-rebuild.js';
import { foldLineFile } from './line-file.js';
import { STATE_DIR } from './state-dir.js';

const LEDGER_FILE_NAME = 'ledger.jsonl';
const FORMAT = 'flux-mcp.ledger/1';
const HEADER = `${JSON.stringify({ format: FORMAT })}\n`;

/** An entry as kept in memory: what totals count, with its time as a number. */
interface HeldEntry extends CountedEntry {
  readonly time: number;
}

export function ledgerFileOf(directory: string): string {
  return path.join(directory, STATE_DIR, LEDGER_FILE_NAME);
}

export class FileLedger implements Ledger {
  private readonly file: string;
  private entries: HeldEntry[] = [];
  /** Images already counted (the key of an entry). */
  private images = new Set<string>();
  /** Entries this process could not write: counted whatever the file says. */
  private readonly unwritten: LedgerEntry[] = [];
  private loaded = false;
  /** The file as far as this process has read it (`size`: bytes of complete lines). */
  private readTo: FileIdentity | undefined;
  private cannotWrite = false;
  /** Reads, appends and rebuilds one at a time, so that one process never rebuilds twice at once. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly directory: string,
    private readonly log: Logger,
    /** Never written into the file, whatever an entry quotes. */
    private readonly redactor?: Redactor,
  ) {
    this.file = ledgerFileOf(directory);
  }

  record(entry: LedgerEntry): Promise<void> {
    return this.exclusive(async () => {
      if (!this.cannotWrite) {
        try {
          if (await this.append(entry)) return;
          // No ledger yet: built from the sidecars (the one just saved among them), then the entry added.
          await this.rebuild(undefined, true);
          if (this.images.has(entry.image) || (!this.cannotWrite && (await this.append(entry)))) return;
        } catch (error) {
          this.writeFailed(error);
        }
      }
      this.unwritten.push(entry);
      this.hold(entry);
    });
  }

  totals(range: TimeRange = {}): Promise<ModelTotals[]> {
    return this.exclusive(async () => {
      await this.refresh();
      const from = range.since?.getTime() ?? Number.NEGATIVE_INFINITY;
      const to = range.until?.getTime() ?? Number.POSITIVE_INFINITY;
      const totals = new TotalsByModel();
      for (const entry of this.entries) if (entry.time >= from && entry.time < to) totals.add(entry);
      return totals.list();
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** Adds an entry to memory unless its image is counted already. */
  private hold(entry: LedgerEntry): void {
    if (this.images.has(entry.image)) return;
    this.images.add(entry.image);
    const { model, priceUsd, usage } = entry;
    this.entries.push({ time: Date.parse(entry.at), model, priceUsd, ...(usage ? { usage } : {}) });
  }

  private forgetAll(): void {
    this.entries = [];
    this.images = new Set();
    this.readTo = undefined;
    for (const entry of this.unwritten) this.hold(entry);
  }

  private lineOf(entry: LedgerEntry): string {
    const clean = this.redactor ? this.redactor.value(entry) : entry;
    return `${JSON.stringify(ledgerEntrySchema.parse(clean))}\n`;
  }

  /** Appends the entry's line in one write; false when there is no ledger file to append to. */
  private async append(entry: LedgerEntry): Promise<boolean> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.file, constants.O_WRONLY | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      await handle.write(this.lineOf(entry));
      return true;
    } finally {
      await handle.close();
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Brings memory up to date with the file: what was appended since, or all of it when it changed. */
  private async refresh(): Promise<void> {
    if (!this.loaded) return this.load();
    if (this.cannotWrite) return; // no file to follow: memory holds the sidecars' and this process's entries
    const now = await identityOf(this.file);
    if (now === undefined) return this.rebuild(undefined, true);
    if (!sameFile(now, this.readTo) || now.size < this.readTo!.size) return this.load();
    if (now.size === this.readTo!.size) return;
    const appended = await readFrom(this.file, this.readTo!.size);
    if (!appended || !sameFile(appended.identity, this.readTo)) return this.load();
    const { bytes, damage } = this.apply(appended.data, false);
    if (damage) return this.rebuild(damage, false);
    this.readTo = { ...this.readTo!, size: this.readTo!.size + bytes };
  }

  /** The whole file, read anew. */
  private async load(): Promise<void> {
    this.forgetAll();
    let read: Awaited<ReturnType<typeof readFrom>>;
    try {
      read = await readFrom(this.file, 0);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return this.rebuild(`it cannot be read (${code})`, false);
    }
    if (!read) return this.rebuild(undefined, true);
    const { bytes, damage } = this.apply(read.data, true);
    if (damage) return this.rebuild(damage, false);
    this.readTo = { ...read.identity, size: bytes };
    this.loaded = true;
  }

  /**
   * Holds the entries of the complete lines of `data`; `bytes` is how much of it they take. With
   * `whole`, `data` is the whole file: it must start with the header and end with a complete line.
   * Otherwise it is what was appended since the last read, and a partial last line is left for later.
   */
  private apply(data: Buffer, whole: boolean): { bytes: number; damage: string | undefined } {
    return foldLineFile(data, { header: HEADER, format: FORMAT }, whole, (line) => {
      const entry = entryOfLine(line);
      if (!entry) return 'a line is not a ledger entry';
      this.hold(entry);
      return undefined;
    });
  }

  // ---- rebuilding ------------------------------------------------------------------------------

  /**
   * Every entry derived from the sidecars again, and the file written anew: created when it was
   * `missing` (another process may be doing the same), replaced otherwise. `damage` says why, when
   * the file was there but not usable.
   */
  private async rebuild(damage: string | undefined, missing: boolean): Promise<void> {
    if (damage) this.log.warn(`the ledger ${this.file} is damaged (${damage}); rebuilding it from the sidecars`);
    const entries = await entriesFromSidecars(this.directory);
    this.forgetAll();
    for (const entry of entries ?? []) this.hold(entry);
    this.loaded = true;
    // No output directory yet: nothing was bought here, and a query does not create the folder.
    if (entries === undefined || this.cannotWrite) return;
    try {
      this.readTo = await this.writeFile(entries, missing);
    } catch (error) {
      // Another process created it first, from the same sidecars: its file is the ledger.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return this.load();
      this.writeFailed(error);
    }
  }

  /** The ledger written to a temp file, flushed, then linked into place (`create`) or renamed over it. */
  private async writeFile(entries: readonly LedgerEntry[], create: boolean): Promise<FileIdentity> {
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `.${LEDGER_FILE_NAME}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      try {
        await handle.write(HEADER + entries.map((entry) => this.lineOf(entry)).join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
      const { dev, ino, size } = await stat(temp);
      if (create) await link(temp, this.file);
      else await rename(temp, this.file);
      return { dev, ino, size };
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  private writeFailed(error: unknown): void {
    if (this.cannotWrite) return;
    this.cannotWrite = true;
    this.readTo = undefined;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    this.log.warn(
      `cannot write the ledger ${this.file} (${code}): ` +
        `spending is still counted, from the sidecars and this process's saves`,
    );
  }
}

/** The entry a line holds, or undefined when it is not one. */
function entryOfLine(text: string): LedgerEntry | undefined {
  try {
    const parsed = ledgerEntrySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The ledger's entries derived from the sidecars in the output directory: what a missing or damaged
 * ledger is rebuilt from. Every valid sidecar is a purchase, whether or not its image is still
 * there (deleting an image does not refund it); a `*.json` that is not one is skipped without a word
 * (the library index already warns about it).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isSidecarName } from './directory-scan.js';
import type { LedgerEntry } from './ledger.js';
import { readRegularFile } from './regular-file.js';
import { type ImageSidecar, parseSidecar } from './sidecar.js';
import { MAX_SIDECAR_BYTES } from './sidecar-reader.js';

/** Sidecars read at once: the disk stays busy without running out of file handles. */
const READ_CONCURRENCY = 16;

/** The entry of the image a sidecar describes. */
function ledgerEntryOf(sidecar: ImageSidecar): LedgerEntry {
  return {
    at: sidecar.createdAt,
    model: sidecar.model,
    image: sidecar.file,
    ...(sidecar.job !== undefined ? { job: sidecar.job } : {}),
    priceUsd: sidecar.priceUsd,
    ...(sidecar.usage !== undefined ? { usage: sidecar.usage } : {}),
  };
}

/** An entry for every valid sidecar of `directory`; undefined when there is no directory. */
export async function entriesFromSidecars(directory: string): Promise<LedgerEntry[] | undefined> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter(isSidecarName);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const entries: LedgerEntry[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const entry = await entryOfFile(path.join(directory, names[next++]!));
      if (entry) entries.push(entry);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, names.length) }, worker));
  return entries;
}

async function entryOfFile(file: string): Promise<LedgerEntry | undefined> {
  let text: string;
  try {
    text = await readRegularFile(file, MAX_SIDECAR_BYTES);
  } catch {
    return undefined; // gone since the listing, or not a plain file
  }
  const reading = parseSidecar(text);
  return reading.ok ? ledgerEntryOf(reading.sidecar) : undefined;
}

/**
 * The ledger: one entry for every paid image saved (when, which model, which job, its flat price or
 * the tokens it was billed), so that "how much have I spent?" and the spending cap are answered
 * without reading every sidecar. The sidecars stay the source of truth: an entry holds nothing a
 * sidecar does not (ledger-rebuild.ts derives the entries from them).
 *
 * Behind a small interface: the file backend keeps `<output dir>/.flux-mcp/ledger.jsonl`
 * (file-ledger.ts); a team deployment can keep the same entries in a database, where `totals` is one
 * GROUP BY. Pricing tokens and choosing periods is the caller's (spend.ts): the ledger only adds up.
 */
import * as z from 'zod';
import { tokenUsageSchema } from './sidecar.js';

export const ledgerEntrySchema = z.object({
  /** ISO time the image was saved: its sidecar's createdAt. */
  at: z.string().refine((time) => !Number.isNaN(Date.parse(time)), 'expected an ISO time'),
  model: z.string().min(1),
  /** The image's file name. Names are never reused, so it identifies the entry (and the purchase). */
  image: z.string().min(1),
  job: z.string().max(40).optional(),
  /** Flat price of the image in USD, or null when the model bills by tokens (see usage). */
  priceUsd: z.number().nonnegative().nullable(),
  usage: tokenUsageSchema.optional(),
});
export type LedgerEntry = z.output<typeof ledgerEntrySchema>;

export interface TokenCounts {
  readonly input: number;
  readonly output: number;
  readonly total: number;
}

/** What one model's images in a time range add up to, before any token is priced. */
export interface ModelTotals {
  readonly model: string;
  readonly images: number;
  /** Images with a flat price, and what those prices add up to. */
  readonly flatImages: number;
  readonly flatUsd: number;
  /** Images billed by tokens whose usage was recorded (input and output), and their tokens. */
  readonly tokenImages: number;
  readonly tokens: TokenCounts;
  /** Images billed by tokens whose usage the gateway did not report: what they cost cannot be known. */
  readonly unmeteredImages: number;
}

/** From `since` (inclusive) to `until` (exclusive); an end left out is open. */
export interface TimeRange {
  readonly since?: Date;
  readonly until?: Date;
}

export interface Ledger {
  /** Adds the entry of an image just saved. */
  record(entry: LedgerEntry): Promise<void>;
  /** Totals by model (sorted by model id) of the entries saved in the range (all of them without one). */
  totals(range?: TimeRange): Promise<ModelTotals[]>;
}

/** What an entry counts in totals; the rest of it (image, job) only says which purchase it was. */
export type CountedEntry = Pick<LedgerEntry, 'model' | 'priceUsd' | 'usage'>;

/** Totals by model, entry by entry: what every backend that adds up in memory uses. */
export class TotalsByModel {
  private readonly byModel = new Map<string, Running>();

  add(entry: CountedEntry): void {
    let totals = this.byModel.get(entry.model);
    if (!totals) {
      totals = {
        model: entry.model,
        images: 0,
        flatImages: 0,
        flatUsd: 0,
        tokenImages: 0,
        tokens: { input: 0, output: 0, total: 0 },
        unmeteredImages: 0,
      };
      this.byModel.set(entry.model, totals);
    }
    totals.images += 1;
    if (entry.priceUsd !== null) {
      totals.flatImages += 1;
      totals.flatUsd += entry.priceUsd;
      return;
    }
    const { input_tokens: input, output_tokens: output, total_tokens: total } = entry.usage ?? {};
    // Input and output are priced apart, so an image counts as metered only with both.
    if (input === undefined || output === undefined) {
      totals.unmeteredImages += 1;
      return;
    }
    totals.tokenImages += 1;
    totals.tokens.input += input;
    totals.tokens.output += output;
    totals.tokens.total += total ?? input + output;
  }

  list(): ModelTotals[] {
    return [...this.byModel.values()].sort((a, b) => a.model.localeCompare(b.model));
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** A model's totals while they are being added up. */
type Running = Omit<Mutable<ModelTotals>, 'tokens'> & { tokens: Mutable<TokenCounts> };

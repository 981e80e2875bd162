/**
 * What was spent, from the ledger's totals: periods of local time, and tokens priced. Images billed
 * by tokens cost what FLUX_MCP_TOKEN_PRICE_USD says; until it is set (or when the gateway reported
 * no usage) they are *unpriced*: counted, with their tokens, never as $0.
 */
import type { BudgetPeriod, TokenPrice } from '../config.js';
import type { Ledger, ModelTotals, TimeRange, TokenCounts } from './ledger.js';

/** A period of local time: a day from midnight, or a month from midnight on the first. */
export interface Period {
  readonly since: Date;
  readonly until: Date;
}

/** The day or the month holding `now`, in local time (a day is 23 or 25 hours when the clocks change). */
export function periodOf(period: BudgetPeriod, now: Date): Period {
  const [year, month, day] = [now.getFullYear(), now.getMonth(), now.getDate()];
  return period === 'day'
    ? { since: new Date(year, month, day), until: new Date(year, month, day + 1) }
    : { since: new Date(year, month, 1), until: new Date(year, month + 1, 1) };
}

/** What tokens cost at a price in USD per million. */
function costOfTokens(tokens: TokenCounts, price: TokenPrice): number {
  return (tokens.input * price.input + tokens.output * price.output) / 1_000_000;
}

export interface ModelSpend {
  readonly model: string;
  readonly images: number;
  /** What its priced images cost; null when none of them could be priced. */
  readonly usd: number | null;
  /** Tokens its token-billed images were billed, when it has any with recorded usage. */
  readonly tokens?: TokenCounts;
  /** Images whose cost is unknown (billed by tokens, with no token price or no recorded usage). */
  readonly unpricedImages: number;
}

export interface PeriodSpend {
  /** When the period began and ended (local time, as ISO times); null for all time. */
  readonly since: string | null;
  readonly until: string | null;
  readonly images: number;
  /** What the priced images cost. */
  readonly usd: number;
  /** Images whose cost is unknown, and the tokens of those with recorded usage. */
  readonly unpriced: { readonly images: number; readonly tokens: TokenCounts };
  readonly byModel: readonly ModelSpend[];
}

const NO_TOKENS: TokenCounts = { input: 0, output: 0, total: 0 };

const addTokens = (a: TokenCounts, b: TokenCounts): TokenCounts => ({
  input: a.input + b.input,
  output: a.output + b.output,
  total: a.total + b.total,
});

/** One model's totals, priced. */
function priceModel(totals: ModelTotals, tokenPrice: TokenPrice | undefined): ModelSpend {
  const tokensPriced = tokenPrice !== undefined && totals.tokenImages > 0;
  const priced = totals.flatImages > 0 || tokensPriced;
  return {
    model: totals.model,
    images: totals.images,
    usd: priced ? totals.flatUsd + (tokensPriced ? costOfTokens(totals.tokens, tokenPrice) : 0) : null,
    ...(totals.tokenImages > 0 ? { tokens: totals.tokens } : {}),
    unpricedImages: totals.unmeteredImages + (tokenPrice === undefined ? totals.tokenImages : 0),
  };
}

/** The totals of a period (or of all time), priced and summed. */
export function periodSpend(
  totals: readonly ModelTotals[],
  tokenPrice: TokenPrice | undefined,
  range: TimeRange = {},
): PeriodSpend {
  const byModel = totals.map((model) => priceModel(model, tokenPrice));
  const unpricedTokens =
    tokenPrice === undefined ? totals.reduce((sum, model) => addTokens(sum, model.tokens), NO_TOKENS) : NO_TOKENS;
  return {
    since: range.since?.toISOString() ?? null,
    until: range.until?.toISOString() ?? null,
    images: byModel.reduce((sum, model) => sum + model.images, 0),
    usd: byModel.reduce((sum, model) => sum + (model.usd ?? 0), 0),
    unpriced: { images: byModel.reduce((sum, model) => sum + model.unpricedImages, 0), tokens: unpricedTokens },
    byModel,
  };
}

/** What the ledger says was spent in a period (all time without one), priced. */
export async function spentIn(
  ledger: Ledger,
  period: TimeRange | undefined,
  tokenPrice: TokenPrice | undefined,
): Promise<PeriodSpend> {
  return periodSpend(await ledger.totals(period), tokenPrice, period);
}

/**
 * The spending report: today, this month and all time (local time), by model, with the cap when
 * one is set. The `flux-mcp://spend` resource returns it as JSON and `apiyi-flux-mcp spend` prints it.
 */
import type { TokenPrice } from '../config.js';
import { type PeriodSpend, periodOf, spentIn } from '../library/spend.js';
import type { BudgetStatus } from './budget.js';
import type { ToolContext } from './context.js';

const SPEND_REPORT_SCHEMA = 'flux-mcp.spend/1';

export interface SpendReport {
  readonly schema: typeof SPEND_REPORT_SCHEMA;
  readonly currency: 'USD';
  /** When the report was made. */
  readonly at: string;
  /** The time zone periods are counted in (the server's). */
  readonly timeZone: string;
  /** Whose ledger this is. */
  readonly outputDir: string;
  /** FLUX_MCP_TOKEN_PRICE_USD, or null: token-billed images are then unpriced. */
  readonly tokenPriceUsdPerMillion: TokenPrice | null;
  readonly today: PeriodSpend;
  readonly thisMonth: PeriodSpend;
  readonly allTime: PeriodSpend;
  /** The cap (FLUX_MCP_BUDGET_USD), or null when there is none. */
  readonly budget: BudgetStatus | null;
  /** What a reader should know about the figures: unpriced images and how to price them. */
  readonly notes: readonly string[];
}

export async function spendReport(
  ctx: Pick<ToolContext, 'config' | 'ledger' | 'budget'>,
  now = new Date(),
): Promise<SpendReport> {
  const { tokenPrice } = ctx.config;
  const [today, thisMonth, allTime, budget] = await Promise.all([
    spentIn(ctx.ledger, periodOf('day', now), tokenPrice),
    spentIn(ctx.ledger, periodOf('month', now), tokenPrice),
    spentIn(ctx.ledger, undefined, tokenPrice),
    ctx.budget.status(now),
  ]);
  return {
    schema: SPEND_REPORT_SCHEMA,
    currency: 'USD',
    at: now.toISOString(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    outputDir: ctx.config.outputDir,
    tokenPriceUsdPerMillion: tokenPrice ?? null,
    today,
    thisMonth,
    allTime,
    budget: budget ?? null,
    notes: notesOn(allTime, tokenPrice),
  };
}

function notesOn(allTime: PeriodSpend, tokenPrice: TokenPrice | undefined): string[] {
  const { images } = allTime.unpriced;
  if (images === 0) return [];
  return [
    tokenPrice === undefined
      ? `${images} image(s) billed by tokens are unpriced (their tokens are shown): set FLUX_MCP_TOKEN_PRICE_USD ` +
        'to the price in USD per million tokens to count them.'
      : `${images} image(s) billed by tokens have no recorded token usage: what they cost is unknown.`,
  ];
}

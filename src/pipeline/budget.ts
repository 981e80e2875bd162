/**
 * The spending cap (FLUX_MCP_BUDGET_USD per FLUX_MCP_BUDGET_PERIOD, local time): the image pipeline
 * asks it when a job starts, before anything is sent, and a call whose cost would pass the cap is
 * refused with `budget_exceeded`. What counts as spent is the ledger of the output directory (every
 * process saving there) plus what this process's calls under way hold as reserved: a call's cost is
 * held from its start until its job ends (by then its image is in the ledger), so calls started
 * together cannot pass the cap together.
 *
 * Token-billed models cost what they cost only once the gateway has answered: with a token price
 * set, they run while the period's spend is under the cap and are counted after the fact; without
 * one the cap cannot count them, so they are refused while a cap is set.
 */
import type { ModelSpec } from '../catalog/models.js';
import type { BudgetPeriod, Config } from '../config.js';
import { ToolFailure } from '../core/failure.js';
import { formatUsd } from '../core/units.js';
import type { Ledger } from '../library/ledger.js';
import { periodOf, spentIn } from '../library/spend.js';

/** A call's cost, held against the cap until the call's job ends. */
export interface Reservation {
  /** Gives the held cost back; once is enough, more is harmless. */
  release(): void;
}

/** Where the spend stands against the cap (the spending report shows it). */
export interface BudgetStatus {
  readonly capUsd: number;
  readonly period: BudgetPeriod;
  /** When the period began and ends, in local time (ISO). */
  readonly since: string;
  readonly until: string;
  /** What the ledger says the period's priced images cost. */
  readonly spentUsd: number;
  /** What calls of this process under way hold. */
  readonly reservedUsd: number;
  readonly leftUsd: number;
}

/** Float sums of prices (0.035 × 3) must not refuse a call that fits exactly. */
const EPSILON_USD = 1e-9;

const NOTHING_HELD: Reservation = { release: () => undefined };

/** How a period reads in messages. */
const WORDS: Record<BudgetPeriod, { readonly per: string; readonly now: string; readonly resets: string }> = {
  day: { per: 'a day', now: 'today', resets: 'at local midnight' },
  month: { per: 'a month', now: 'this month', resets: 'on the first of the month (local time)' },
};

export interface BudgetOptions {
  readonly ledger: Ledger;
  readonly config: Pick<Config, 'budgetUsd' | 'budgetPeriod' | 'tokenPrice'>;
  /** The clock periods are counted by; tests move it. */
  readonly now?: () => Date;
}

export class Budget {
  private reservedUsd = 0;
  /** Reservations one at a time: each sees the spend and the holds of those before it. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: BudgetOptions) {}

  /**
   * Holds what `count` images of `model` cost, or throws the `budget_exceeded` failure when they
   * would pass the cap. Without a cap it holds nothing and reads nothing.
   */
  reserve(model: ModelSpec, count: number): Promise<Reservation> {
    const cap = this.options.config.budgetUsd;
    if (cap === undefined) return Promise.resolve(NOTHING_HELD);
    const result = this.turn.then(() => this.hold(model, count, cap));
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** Where the spend stands against the cap, or undefined when there is no cap. */
  async status(now = this.now()): Promise<BudgetStatus | undefined> {
    const { budgetUsd: cap, budgetPeriod: period, tokenPrice } = this.options.config;
    if (cap === undefined) return undefined;
    const { since, until } = periodOf(period, now);
    const spent = (await spentIn(this.options.ledger, { since, until }, tokenPrice)).usd;
    return {
      capUsd: cap,
      period,
      since: since.toISOString(),
      until: until.toISOString(),
      spentUsd: spent,
      reservedUsd: this.reservedUsd,
      leftUsd: Math.max(0, cap - spent - this.reservedUsd),
    };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async hold(model: ModelSpec, count: number, cap: number): Promise<Reservation> {
    const { budgetPeriod: period, tokenPrice } = this.options.config;
    if (model.priceUsd === null && tokenPrice === undefined) throw cannotCountTokens(model, cap, period);
    const spent = (await spentIn(this.options.ledger, periodOf(period, this.now()), tokenPrice)).usd;
    const held = spent + this.reservedUsd;
    const pricing = { model, count, cap, period, spent, reserved: this.reservedUsd };
    // A token-billed call's cost is known only afterwards: it runs while the spend is under the cap.
    if (model.priceUsd === null && held >= cap - EPSILON_USD) throw capReached(pricing);
    const cost = model.priceUsd === null ? 0 : count * model.priceUsd;
    if (held + cost > cap + EPSILON_USD) throw wouldPassCap({ ...pricing, cost, price: model.priceUsd! });
    this.reservedUsd += cost;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.reservedUsd = Math.max(0, this.reservedUsd - cost);
      },
    };
  }
}

interface Pricing {
  readonly model: ModelSpec;
  readonly count: number;
  readonly cap: number;
  readonly period: BudgetPeriod;
  readonly spent: number;
  readonly reserved: number;
}

/** "$4.96 spent today, $0.14 held by calls under way" */
function spendText({ spent, reserved, period }: Pricing): string {
  const held = reserved > 0 ? `, ${formatUsd(reserved)} held by calls under way` : '';
  return `${formatUsd(spent)} spent ${WORDS[period].now}${held}`;
}

/** What to do about a cap that refuses a call. */
function raiseHint({ cap, period }: Pick<Pricing, 'cap' | 'period'>, extra = ''): string {
  return (
    `Nothing was sent. To allow it, raise FLUX_MCP_BUDGET_USD (now ${cap}) in this server's environment and ` +
    `restart it, or wait: the cap counts again ${WORDS[period].resets} (FLUX_MCP_BUDGET_PERIOD=${period}).${extra} ` +
    '`apiyi-flux-mcp spend` or the flux-mcp://spend resource shows what was spent.'
  );
}

function wouldPassCap(pricing: Pricing & { readonly cost: number; readonly price: number }): ToolFailure {
  const { model, count, cap, period, cost, price, spent, reserved } = pricing;
  const left = Math.max(0, cap - spent - reserved);
  const images = count === 1 ? '1 image' : `${count} images`;
  return new ToolFailure(
    'budget_exceeded',
    `this call would cost ${formatUsd(cost)} (${images} of ${model.id} at ${formatUsd(price)}), which would pass ` +
      `the spending cap of ${formatUsd(cap)} ${WORDS[period].per}: ${spendText(pricing)}, ${formatUsd(left)} left`,
    { hint: raiseHint(pricing, left > 0 ? ' A cheaper model or fewer images may fit in what is left.' : '') },
  );
}

function capReached(pricing: Pricing): ToolFailure {
  const { model, cap, period } = pricing;
  return new ToolFailure(
    'budget_exceeded',
    `the spending cap of ${formatUsd(cap)} ${WORDS[period].per} is reached: ${spendText(pricing)}. ` +
      `${model.id} is billed by tokens: this call's cost is unknown until the gateway answers, so such calls run ` +
      'only while the spend is under the cap',
    { hint: raiseHint(pricing) },
  );
}

function cannotCountTokens(model: ModelSpec, cap: number, period: BudgetPeriod): ToolFailure {
  return new ToolFailure(
    'budget_exceeded',
    `${model.id} is billed by tokens, and the spending cap (FLUX_MCP_BUDGET_USD=${cap} ${WORDS[period].per}) ` +
      'cannot count tokens without their price, so it refuses the call; its cost is unknown',
    {
      hint:
        'Nothing was sent. Set FLUX_MCP_TOKEN_PRICE_USD to what the model costs in USD per million tokens (one ' +
        "number, or input=…,output=…) in this server's environment and restart it; or choose a model with a flat " +
        'price; or unset FLUX_MCP_BUDGET_USD.',
    },
  );
}

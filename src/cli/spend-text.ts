/**
 * `apiyi-flux-mcp spend` as a person reads it: each period (today, this month, all time) with its total
 * and a line per model, then the cap and the notes. `--json` prints the report itself instead.
 */
import { formatUsd, thousands } from '../core/units.js';
import type { ModelSpend, PeriodSpend } from '../library/spend.js';
import type { SpendReport } from '../pipeline/spend-report.js';

const images = (n: number): string => (n === 1 ? '1 image' : `${thousands(n)} images`);

/** "2026-12-01", in local time. */
function localDay(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "$0.30", "$0.30 + 1 unpriced", "unpriced". */
function costText(usd: number | null, unpriced: number, imageCount: number): string {
  if (usd === null || (usd === 0 && unpriced === imageCount && unpriced > 0)) return 'unpriced';
  return unpriced > 0 ? `${formatUsd(usd)} + ${unpriced} unpriced` : formatUsd(usd);
}

function modelLine(model: ModelSpend, width: number): string {
  const tokens = model.tokens
    ? ` (${thousands(model.tokens.total)} tokens: ` +
      `${thousands(model.tokens.input)} in, ${thousands(model.tokens.output)} out)`
    : '';
  const count = `${thousands(model.images).padStart(7)} ${(model.images === 1 ? 'image' : 'images').padEnd(6)}`;
  return `  ${model.model.padEnd(width)}${count}  ${costText(model.usd, model.unpricedImages, model.images)}${tokens}`;
}

function periodLines(title: string, period: PeriodSpend): string[] {
  const since = period.since ? ` (since ${localDay(period.since)})` : '';
  if (period.images === 0) return [`${title}${since}: nothing`];
  const width = Math.max(...period.byModel.map((model) => model.model.length));
  return [
    `${title}${since}: ${costText(period.usd, period.unpriced.images, period.images)} for ${images(period.images)}`,
    ...period.byModel.map((model) => modelLine(model, width)),
  ];
}

export function spendText(report: SpendReport): string {
  const lines = [
    `Spending of ${report.outputDir} (USD, local time: ${report.timeZone})`,
    '',
    ...periodLines('today', report.today),
    ...periodLines('this month', report.thisMonth),
    ...periodLines('all time', report.allTime),
  ];
  const { budget } = report;
  if (budget) {
    const held = budget.reservedUsd > 0 ? ` (${formatUsd(budget.reservedUsd)} held by calls under way)` : '';
    const now = budget.period === 'day' ? 'today' : 'this month';
    lines.push(
      '',
      `cap: ${formatUsd(budget.capUsd)} a ${budget.period}; ${formatUsd(budget.spentUsd)} spent ${now}${held}, ` +
        `${formatUsd(budget.leftUsd)} left (FLUX_MCP_BUDGET_USD, FLUX_MCP_BUDGET_PERIOD)`,
    );
  } else {
    lines.push('', 'cap: none (set FLUX_MCP_BUDGET_USD to refuse calls past a daily or monthly amount)');
  }
  if (report.notes.length > 0) lines.push('', ...report.notes);
  return `${lines.join('\n')}\n`;
}

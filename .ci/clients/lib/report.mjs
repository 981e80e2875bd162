/**
 * The table people read, and the keyword summary: which schema keywords break which provider's
 * rules, and in which stacks.
 */
const mark = (ok) => (ok === null || ok === undefined ? '–' : ok ? 'ok' : 'FAIL');

const COLUMNS = [
  ['library', (row) => row.stack],
  ['provider', (row) => row.provider],
  ['transport', (row) => row.transport],
  ['preview', (row) => row.preview],
  ['no throw', (row) => mark(row.targets.noThrow.ok)],
  ['schema', (row) => mark(row.targets.schema.ok)],
  ['generate', (row) => mark(row.targets.generate.ok)],
  ['edit', (row) => mark(row.targets.edit.ok)],
  ['error', (row) => mark(row.targets.error.ok)],
  ['text tokens/success', (row) => tokensCell(row)],
  ['image as image', (row) => imageCell(row)],
  ['notif. errors', (row) => String(row.notificationNoise.length)],
  ['s', (row) => (row.durationMs / 1000).toFixed(1)],
];

function tokensCell(row) {
  const got = [row.steps.generate?.received, row.steps.edit?.received].filter(Boolean);
  if (got.length === 0) return '–';
  const worst = Math.max(...got.map((entry) => entry.textTokens));
  const base64 = got.some((entry) => entry.base64InText) ? ' b64' : '';
  return `${worst}${base64} ${mark(row.targets.tokens.ok)}`;
}

function imageCell(row) {
  const got = row.steps.generate?.received;
  const delivered = got ? (got.images > 0 ? 'yes' : 'no') : '–';
  if (!row.nativeImages.native) return `${delivered} (n/a)`;
  return row.preview === 'on' ? `${delivered} ${mark(row.targets.image.ok)}` : delivered;
}

export function formatTable(rows) {
  const cells = rows.map((row) => COLUMNS.map(([, value]) => value(row)));
  const widths = COLUMNS.map(([title], index) => Math.max(title.length, ...cells.map((line) => line[index].length)));
  const line = (values) => `| ${values.map((value, index) => value.padEnd(widths[index])).join(' | ')} |`;
  return [
    line(COLUMNS.map(([title]) => title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ].join('\n');
}

export function formatFailures(rows) {
  const lines = [];
  for (const row of rows) {
    if (row.failed.length === 0) continue;
    lines.push(`${row.stack} × ${row.provider} × ${row.transport} × preview ${row.preview}:`);
    for (const { target, why } of row.failed) lines.push(`  - ${target}: ${why}`);
  }
  return lines.join('\n');
}

/** The server's tool name inside a client's prefixed one (`flux_generate_image` → `generate_image`). */
const serverToolName = (name) => name.replace(/^.*?(generate_image|edit_images|list_images)$/, '$1');

const addOnce = (list, value) => {
  if (!list.includes(value)) list.push(value);
};

/** rules → keyword → { rule, tools, stacks }: which keywords break which provider. */
export function keywordBreaks(rows) {
  const out = {};
  for (const row of rows) {
    for (const schema of row.schemas) {
      for (const violation of schema.violations) {
        out[schema.rules] = out[schema.rules] ?? {};
        const byKeyword = out[schema.rules];
        byKeyword[violation.keyword] = byKeyword[violation.keyword] ?? { rule: violation.rule, tools: [], stacks: [] };
        const entry = byKeyword[violation.keyword];
        addOnce(entry.tools, serverToolName(schema.tool));
        addOnce(entry.stacks, `${row.stack}/${row.provider}`);
      }
    }
  }
  return out;
}

export function formatKeywordBreaks(breaks) {
  const lines = [];
  for (const [rules, keywords] of Object.entries(breaks)) {
    lines.push(`${rules}:`);
    for (const [keyword, entry] of Object.entries(keywords))
      lines.push(`  - ${keyword}: ${entry.rule}; in ${entry.tools.join(', ')}; sent by ${entry.stacks.join(', ')}`);
  }
  return lines.length > 0 ? lines.join('\n') : 'none';
}

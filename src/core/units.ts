/** How sizes and counts read in messages, the same everywhere. */

/** "20,000,000" */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** "800 KB", "1.2 MB", "7 MB" (decimal units, as the gateway states its limits). */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / 1_000_000).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** "$0.125", "$5.00", "$1,234.50": cents always, and the fractions of a cent that prices per image have. */
export function formatUsd(usd: number): string {
  const [whole = '0', fraction = ''] = (Math.round(usd * 10_000) / 10_000).toFixed(4).split('.');
  return `$${thousands(Number(whole))}.${fraction.replace(/0+$/, '').padEnd(2, '0')}`;
}

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

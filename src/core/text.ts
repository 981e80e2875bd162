/** How values read in messages, and did-you-mean for mistyped names. */

/** A name as a message shows it (an argument key): as it is, or cut at 60 characters and quoted. */
export function showName(name: string): string {
  return name.length > 60 ? show(name) : name;
}

/** A value as quoted in a message: strings in quotes, long values cut at 60 characters. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 60)}…` : json;
}

/** Edit distance where swapping two neighbouring letters counts as one edit ("sede" → "seed"). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Longest value a suggestion is looked for: the edit distance costs length × length in time and
 * memory, and a value many times longer than any allowed one is no typo of it.
 */
export const MAX_SUGGESTION_INPUT = 64;

/** The closest allowed value to a mistyped one, if it is close enough to be a typo. */
export function closest(value: string, allowed: readonly string[]): string | undefined {
  if (value.length > MAX_SUGGESTION_INPUT) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of allowed) {
    const distance = editDistance(value.toLowerCase(), option.toLowerCase());
    if (distance < bestDistance) {
      best = option;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

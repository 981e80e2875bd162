/**
 * Reading the files the library keeps as a header line and then one line per entry, only ever
 * appended whole (the library index, the spending ledger): another process may be appending while
 * one reads, so a partial last line is left for the next read, not taken for damage.
 */

const NEWLINE = 0x0a;

/**
 * Takes the complete lines of `data` to `onLine` (the line, and its number in the file when
 * `whole`), which says why a line is not an entry, or nothing. With `whole`, `data` is the whole file: it
 * must start with `header` and end with a complete line. Otherwise it is what was appended since
 * the last read. `bytes` is how much of `data` the lines taken fill; `damage` why reading stopped.
 */
export function foldLineFile(
  data: Buffer,
  { header, format }: { readonly header: string; readonly format: string },
  whole: boolean,
  onLine: (line: string, number: number) => string | undefined,
): { readonly bytes: number; readonly damage: string | undefined } {
  let start = 0;
  if (whole) {
    const end = data.indexOf(NEWLINE) + 1;
    if (end === 0 || data.toString('utf8', 0, end) !== header) {
      return { bytes: 0, damage: data.length === 0 ? 'it is empty' : `it does not start with the ${format} header` };
    }
    start = end;
  }
  let number = whole ? 1 : 0;
  for (let end = data.indexOf(NEWLINE, start); end >= 0; end = data.indexOf(NEWLINE, start)) {
    number += 1;
    const damage = onLine(data.toString('utf8', start, end), number);
    if (damage !== undefined) return { bytes: start, damage };
    start = end + 1;
  }
  if (whole && start !== data.length) return { bytes: start, damage: 'its last line is cut short' };
  return { bytes: start, damage: undefined };
}

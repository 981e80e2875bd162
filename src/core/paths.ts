/** Path helpers shared by configuration and tool inputs. */
import path from 'node:path';

/** `~` and `~/…` (or `~\…`) under the user's home directory; anything else unchanged. */
export function expandHome(value: string, home: string): string {
  if (value === '~') return home;
  if (value.startsWith('~/') || value.startsWith('~\\')) return path.join(home, value.slice(2));
  return value;
}

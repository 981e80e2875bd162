/**
 * Which local files an input may name. Over stdio and from the CLI the caller is the user, on the
 * user's machine: any file the user can read. Over HTTP the caller is a client of the server, so
 * only files in the directories the operator lists (FLUX_MCP_HTTP_INPUT_DIRS, by default the
 * output directory) may be read, and a path outside them is refused before anything is looked up:
 * the answer must not tell whether a file exists, nor how big it is.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';

export class FileScope {
  private resolved: Promise<string[]> | undefined;

  /** `dirs` undefined: every path is in scope. */
  constructor(private readonly dirs: readonly string[] | undefined) {}

  /** The sentence that refuses a path out of scope (the same whatever the file is, or is not). */
  get refusal(): string {
    return (
      `is outside the directories this server reads files from for HTTP clients ` +
      `(${(this.dirs ?? []).join(', ')}): put the image in one of them, or pass it as a URL`
    );
  }

  /** Whether a path, as given (before any lookup), is in scope. */
  allowsPath(candidate: string): boolean {
    return this.dirs === undefined || this.dirs.some((dir) => isInside(candidate, dir));
  }

  /** Whether a resolved path (links followed) is in scope: a link inside must not lead outside. */
  async allowsRealPath(real: string): Promise<boolean> {
    if (this.dirs === undefined) return true;
    this.resolved ??= Promise.all(this.dirs.map((dir) => realpath(dir).catch(() => dir)));
    return (await this.resolved).some((dir) => isInside(real, dir));
  }
}

function isInside(candidate: string, dir: string): boolean {
  const relative = path.relative(dir, path.resolve(candidate));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * What an entry of `images` (or `mask`) points at: a local file, an http(s) URL or a data URL.
 * Paths must be absolute: an MCP server's working directory is wherever the client started it
 * (often `/`), not the user's, so a relative path would silently mean some other file.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandHome } from '../../core/paths.js';

export type ImageSource =
  | { readonly kind: 'file'; readonly given: string; readonly path: string }
  | { readonly kind: 'url'; readonly given: string; readonly url: URL }
  | { readonly kind: 'data'; readonly given: string; readonly declaredType: string; readonly base64: string };

/** Why a source string cannot be used, in a sentence that ends with what to do. */
export class SourceProblem {
  constructor(readonly message: string) {}
}

interface SourceContext {
  readonly home: string;
  /** process.platform; a parameter so Windows paths can be tested anywhere. */
  readonly platform: NodeJS.Platform;
}

/** Declared types a data URL may carry (image/jpg is a common misspelling of image/jpeg). */
const DATA_URL_TYPES = ['image/png', 'image/jpeg', 'image/jpg', 'image/webp'];
const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/i;
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A short, safe rendering of a source for messages: never a data URL's payload. */
export function describeSource(given: string): string {
  if (/^data:/i.test(given)) {
    const header = DATA_URL.exec(given)?.[0] ?? 'data:';
    return `${header}… (data URL, ${given.length.toLocaleString('en-US')} characters)`;
  }
  return JSON.stringify(given.length > 120 ? `${given.slice(0, 117)}…` : given);
}

export function parseImageSource(text: string, context: SourceContext): ImageSource | SourceProblem {
  const given = text.trim();
  if (/^data:/i.test(given)) return parseDataUrl(given);

  if (/^https?:\/\//i.test(given)) {
    try {
      return { kind: 'url', given, url: new URL(given) };
    } catch {
      return new SourceProblem('is not a valid URL: check it, or pass the absolute path of a local copy');
    }
  }

  const win = context.platform === 'win32';
  const paths = win ? path.win32 : path.posix;
  if (/^file:/i.test(given)) {
    try {
      const local = paths.normalize(fileURLToPath(given, { windows: win }));
      if (win && isNetworkPath(local)) return new SourceProblem(NETWORK_PATH);
      return { kind: 'file', given, path: local };
    } catch (error) {
      return new SourceProblem(
        `is not a usable file:// URI (${(error as Error).message}): ` +
          `use file:///absolute/path or the plain absolute path`,
      );
    }
  }
  if (OTHER_SCHEME.test(given)) {
    return new SourceProblem(
      'uses a scheme this server cannot read: give an absolute path, ' +
        'a file:// URI, an http(s):// URL or a data:image/…;base64 URL',
    );
  }

  const expanded = expandHome(given, context.home);
  if (win && isNetworkPath(expanded)) return new SourceProblem(NETWORK_PATH);
  if (isAbsolute(expanded, win)) return { kind: 'file', given, path: paths.normalize(expanded) };
  const example = win
    ? ', e.g. "C:\\Users\\you\\Pictures\\photo.jpg"'
    : ', e.g. "/Users/you/Pictures/photo.jpg" or "~/Pictures/photo.jpg"';
  return new SourceProblem(
    `is a relative path, and this server's working directory is not yours ` +
      `(MCP clients start servers wherever they like, often in /): give the absolute path${example}, or a file:// URI`,
  );
}

/** POSIX absolute paths; on Windows, drive paths (C:\ or C:/). */
function isAbsolute(candidate: string, win: boolean): boolean {
  if (!win) return path.posix.isAbsolute(candidate);
  return /^[a-z]:[\\/]/i.test(candidate);
}

/**
 * On Windows, a path that starts with two slashes is a UNC share (\\host\share), a device
 * (\\.\pipe\…) or a long path (\\?\…); file://host/… becomes one too. Opening a share makes
 * Windows connect to that host and offer the user's credentials (an SMB handshake to wherever the
 * agent chose), so none is opened.
 */
function isNetworkPath(candidate: string): boolean {
  return /^[\\/]{2}/.test(candidate);
}

const NETWORK_PATH =
  'is a network (UNC) or device path: this server opens only files on local drives ' +
  '(opening a share would make Windows connect to that host with your credentials); ' +
  'copy the image to a local folder and pass its path, e.g. "C:\\Users\\you\\Pictures\\photo.jpg"';

function parseDataUrl(given: string): ImageSource | SourceProblem {
  const header = DATA_URL.exec(given);
  const declaredType = header?.[1]?.toLowerCase() ?? '';
  const parameters = header?.[2]?.toLowerCase().split(';') ?? [];
  if (!header || !DATA_URL_TYPES.includes(declaredType) || !parameters.includes('base64')) {
    return new SourceProblem(
      'is not a data:image/png, image/jpeg or image/webp URL with ;base64: ' +
        'better, save the image and pass its absolute path (paths cost no tokens)',
    );
  }
  return {
    kind: 'data',
    given,
    declaredType: declaredType === 'image/jpg' ? 'image/jpeg' : declaredType,
    base64: given.slice(header[0].length),
  };
}

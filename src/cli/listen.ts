/** Why a server could not listen, in words that say what to change (`serve --http`, `simulate`). */

/** The sentence for a listen failure the user can fix with --port or --host; undefined for any other error. */
export function listenProblem(error: unknown, host: string, port: number): string | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `port ${port} is in use; try --port 0 or another port`;
    case 'EACCES':
      return (
        `port ${port} may not be opened by this user (ports below 1024 usually need privileges); ` +
        'try --port 0 or a port above 1023'
      );
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine; try --host 127.0.0.1`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host "${host}" could not be resolved; give an address such as 127.0.0.1`;
    default:
      return undefined;
  }
}

/**
 * The MCP sessions of one process and what each asked to hear. Nothing is pushed that a client
 * did not ask for: clients built on agent libraries report every unexpected notification as an
 * error (the Vercel AI SDK: "Unsupported message type", 7 per run), so
 * - `notifications/message` goes only to a session whose client set a level with
 *   `logging/setLevel`, and only at or above that level;
 * - `notifications/resources/list_changed` goes only to a session that has listed resources.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { type LoggingLevel, LoggingLevelSchema, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../core/log.js';
import { redact } from '../core/redact.js';
import { SERVER_NAME } from '../core/version.js';
import type { ClientTraits } from '../pipeline/call.js';
import { clientTraits } from './clients.js';

const SEVERITY = new Map(LoggingLevelSchema.options.map((level, index) => [level, index]));

class Session {
  /** Set by logging/setLevel; until then the session hears no log messages. */
  logLevel: LoggingLevel | undefined;
  /** Set by resources/list; until then the session hears of no new images. */
  listsResources = false;

  constructor(readonly server: Server) {
    server.setRequestHandler(SetLevelRequestSchema, (request) => {
      this.logLevel = request.params.level;
      return {};
    });
  }

  /** What the server knows of this session's client (stateless HTTP requests know none). */
  client(): ClientTraits {
    return clientTraits(this.server.getClientVersion()?.name);
  }

  wantsLog(level: LoggingLevel): boolean {
    return this.logLevel !== undefined && SEVERITY.get(level)! >= SEVERITY.get(this.logLevel)!;
  }
}

export class Sessions {
  private readonly open = new Set<Session>();

  add(server: Server): Session {
    const session = new Session(server);
    this.open.add(session);
    server.onclose = () => this.open.delete(session);
    return session;
  }

  get size(): number {
    return this.open.size;
  }

  /** Tell the sessions that browse resources that the library changed. */
  imageSaved(): void {
    for (const session of this.open) {
      // A client that has gone away is no reason to fail a call.
      if (session.listsResources) session.server.sendResourceListChanged().catch(() => undefined);
    }
  }

  /**
   * The log, also sent as `notifications/message` to the sessions that asked for it, so a client's
   * own log shows what the server did. Secrets are redacted before anything leaves.
   */
  forwardLog(base: Logger, secrets: readonly (string | undefined)[]): Logger {
    // Redacted here, whatever logger was passed in: the log goes to stderr and to clients.
    const emit = (write: (line: string) => void, level: LoggingLevel, message: string): void => {
      const data = redact(message, secrets);
      write(data);
      for (const session of this.open) {
        if (session.wantsLog(level))
          session.server.sendLoggingMessage({ level, logger: SERVER_NAME, data }).catch(() => undefined);
      }
    };
    return {
      debug: (message) => emit(base.debug, 'debug', message),
      info: (message) => emit(base.info, 'info', message),
      warn: (message) => emit(base.warn, 'warning', message),
      error: (message) => emit(base.error, 'error', message),
    };
  }
}

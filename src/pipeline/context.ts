/**
 * What every tool handler needs: configuration, the log, the gateway (when a key is set), the library and
 * the ledger.
 */
import type { Config } from '../config.js';
import { ToolFailure } from '../core/failure.js';
import type { Logger } from '../core/log.js';
import type { GatewayClient } from '../gateway/client.js';
import type { CallLimiter } from '../gateway/limiter.js';
import type { Ledger } from '../library/ledger.js';
import type { LibraryIndex } from '../library/library-index.js';
import type { Budget } from './budget.js';
import type { Jobs } from './jobs.js';

export interface ToolContext {
  readonly config: Config;
  readonly log: Logger;
  /** Undefined without APIYI_API_KEY: calls then fail with missing_api_key. */
  readonly gateway: GatewayClient | undefined;
  /** Caps on gateway calls in flight, shared by every call of this server. */
  readonly limiter: CallLimiter;
  /** The images saved in the output directory (for list_images and resources); every save adds to it. */
  readonly library: LibraryIndex;
  /**
   * Directories whose files edit_images may read (HTTP mode); undefined for any path the user can
   * read (stdio and the CLI, where the caller is the user).
   */
  readonly fileInputDirs?: readonly string[];
  /** What every saved image cost (the spending report, the cap); every save adds to it. */
  readonly ledger: Ledger;
  /** The spending cap: a job reserves its cost when it starts, or is refused before anything is sent. */
  readonly budget: Budget;
  /** Image calls as jobs that outlive their handlers (hand-off, wait_for_image, no double purchase). */
  readonly jobs: Jobs;
  /** Called after every saved image (resources/list_changed). */
  readonly imageSaved: (path: string) => void;
}

/** The gateway, or the missing_api_key failure that tells the user how to set the key. */
export function requireGateway(ctx: ToolContext): GatewayClient {
  if (ctx.gateway) return ctx.gateway;
  throw new ToolFailure('missing_api_key', 'APIYI_API_KEY is not set, so no image can be made', {
    hint:
      'Add it to this server\'s "env" block in your MCP client config, ' +
      'e.g. "env": {"APIYI_API_KEY": "sk-..."} (a key from the APIYI console), then restart the client.',
  });
}

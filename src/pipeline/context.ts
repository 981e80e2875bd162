/** What every tool handler needs: configuration, the log, and the gateway (when a key is set). */
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import type { GatewayClient } from '../gateway/client.js';
import type { CallLimiter } from '../gateway/limiter.js';
import type { LibraryIndex } from '../library/library-index.js';

export interface ToolContext {
  readonly config: Config;
  readonly log: Logger;
  /** Undefined without APIYI_API_KEY: calls then fail with missing_api_key. */
  readonly gateway: GatewayClient | undefined;
  /** Caps on gateway calls in flight, shared by every call of this server. */
  readonly limiter: CallLimiter;
  /** The images saved in the output directory (for list_images and resources); every save adds to it. */
  readonly library: LibraryIndex;
  /** Called after every saved image (resources/list_changed). */
  readonly imageSaved: (path: string) => void;
}

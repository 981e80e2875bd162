/**
 * An input's bytes, once, in a private file of the call's workspace: a local file copied (if the
 * caller may read it), a URL fetched (only from addresses the policy allows), a data URL decoded.
 * A URL that a JSON model gets as it is is not fetched at all, only checked to be one the gateway
 * could reach.
 */
import type { InputRule } from '../../catalog/models.js';
import type { OutboundPolicy } from '../../core/outbound-policy.js';
import { formatBytes, thousands } from '../../core/units.js';
import { decodeBase64Strict, decodedLength } from '../../imaging/base64.js';
import type { FileScope } from './file-scope.js';
import { type Copied, copyLocalFile, fetchUrl, InputProblem, resolveLocalFile, writeBytes } from './read.js';
import type { ImageSource } from './source.js';
import type { Workspace } from './workspace.js';

/** An input in the workspace: its private copy, with the size and hash of the bytes as given. */
export interface Obtained extends Copied {
  readonly file: string;
  /** The local file read, links resolved (for local sources). */
  readonly realPath?: string;
}

interface ObtainContext {
  readonly rule: InputRule;
  readonly workspace: Workspace;
  readonly outbound: OutboundPolicy;
  readonly scope: FileScope;
  readonly signal?: AbortSignal;
}

/** The private copy of a local file, URL or data URL. Throws InputProblem. */
export async function obtain(source: ImageSource, ctx: ObtainContext): Promise<Obtained> {
  const { rule, workspace } = ctx;
  switch (source.kind) {
    case 'url': {
      const file = workspace.file('download');
      return { file, ...(await fetchUrl(source.url, rule.maxBytes, file, ctx.outbound, ctx.signal)) };
    }
    case 'file': {
      // Out of scope is said before the path is looked up: the answer tells nothing about the file.
      if (!ctx.scope.allowsPath(source.path)) throw new InputProblem(ctx.scope.refusal);
      const realPath = await resolveLocalFile(source.path);
      if (!(await ctx.scope.allowsRealPath(realPath))) throw new InputProblem(ctx.scope.refusal);
      const file = workspace.file('copy');
      return { file, realPath, ...(await copyLocalFile(realPath, rule.maxBytes, file)) };
    }
    case 'data': {
      // Checked from the text's length, before decoding anything.
      const size = decodedLength(source.base64);
      if (size > rule.maxBytes) {
        throw new InputProblem(
          `holds ${thousands(size)} bytes, over the ${formatBytes(rule.maxBytes)} ` +
            `limit (${thousands(rule.maxBytes)} bytes) for this model's inputs: ` +
            `save the image to a file, shrink it and pass its absolute path`,
        );
      }
      const bytes = decodeBase64Strict(source.base64);
      if (!bytes)
        throw new InputProblem(
          'is not valid base64 (truncated or corrupted?): save the image to a file and pass its absolute path instead',
        );
      const file = workspace.file('data');
      return { file, ...(await writeBytes(bytes, file)) };
    }
  }
}

/**
 * Refuse a URL the gateway will fetch itself when it plainly cannot (judged without a DNS
 * lookup): a loopback, private or link-local address, or a local name such as localhost. Sending
 * it would at best fail at the gateway, and at worst make the gateway probe its own network.
 */
export async function checkPassedUrl(url: URL, outbound: OutboundPolicy): Promise<void> {
  if (outbound.allowPrivate || outbound.trustedOrigins.includes(url.origin)) return;
  // Address classification is loaded on first use: most sessions never pass a URL.
  const { plainlyLocalHost } = await import('../../core/addresses.js');
  const local = plainlyLocalHost(url.hostname);
  if (local) {
    throw new InputProblem(
      `points to a ${local} (${url.hostname}), which the gateway cannot reach: ` +
        `pass a public URL, or download the image and pass its absolute path ` +
        `(FLUX_MCP_ALLOW_PRIVATE_URLS=1 passes such URLs on, for a gateway on your own network)`,
    );
  }
}

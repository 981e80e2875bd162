/**
 * From the `images` and `mask` an agent passed to what goes on the wire. Each source is resolved
 * and its bytes read once into the call's private workspace (obtain.ts), its header checked
 * against the model's input rule before anything is decoded (check.ts), and what is sent made
 * from that same copy: normalized, or cleaned of what is not the image (send-as.ts). Every problem
 * with every input is collected and reported at once, before any request is made.
 */
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EditingModel } from '../../catalog/models.js';
import { formatSize } from '../../catalog/sizes.js';
import { invalidArgument, throwIfCancelled } from '../../core/failure.js';
import type { OutboundPolicy } from '../../core/outbound-policy.js';
import type { Payload } from '../../gateway/bodies.js';
import { IMAGE_FORMATS, type ImageHeader, readImageHeader } from '../../imaging/inspect.js';
import type { InputRecord } from '../../library/input-record.js';
import { checkInput } from './check.js';
import { FileScope } from './file-scope.js';
import { describePlan } from './normalize.js';
import { checkPassedUrl, type Obtained, obtain } from './obtain.js';
import { InputProblem, unfetchableUrl } from './read.js';
import { type SendAs, sendAs } from './send-as.js';
import { describeSource, type ImageSource, parseImageSource, SourceProblem } from './source.js';
import type { Workspace } from './workspace.js';

/** One input as it goes on the wire. */
export type WireInput =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'bytes'; readonly payload: Payload; readonly mimeType: string; readonly extension: string };

interface PreparedInput {
  readonly wire: WireInput;
  readonly record: InputRecord;
}

export interface PreparedInputs {
  readonly images: readonly PreparedInput[];
  readonly mask: PreparedInput | undefined;
  /** For the result text: what was normalized, or what was sent as given although off-rule. */
  readonly notes: readonly string[];
}

interface PrepareRequest {
  readonly images: readonly string[];
  readonly mask: string | undefined;
  readonly model: EditingModel;
  readonly normalize: boolean;
  /** Where this server saves images: a relative name found there is suggested as a path. */
  readonly outputDir: string;
  readonly signal?: AbortSignal;
  readonly home?: string;
  readonly platform?: NodeJS.Platform;
  /** Where inputs are copied, downloaded, cleaned and normalized; the caller disposes of it. */
  readonly workspace: Workspace;
  /** Where URLs may point (fetched ones, and those passed to the gateway). */
  readonly outbound: OutboundPolicy;
  /** Send location and camera metadata as given (FLUX_MCP_KEEP_INPUT_METADATA). */
  readonly keepMetadata: boolean;
  /** Directories local files may be read from; undefined for any (stdio, CLI). */
  readonly fileInputDirs?: readonly string[];
}

/** An input checked and ready: its private copy, header and what goes on the wire (or a URL passed on). */
interface Loaded {
  readonly role: 'image' | 'mask';
  readonly index: number | undefined;
  readonly label: string;
  readonly source: ImageSource;
  readonly obtained?: Obtained;
  readonly header?: ImageHeader;
  readonly send?: SendAs;
}

export async function prepareEditInputs(request: PrepareRequest): Promise<PreparedInputs> {
  const context = { home: request.home ?? os.homedir(), platform: request.platform ?? process.platform };
  const scope = new FileScope(request.fileInputDirs);
  const problems: string[] = [];

  const entries = [
    ...request.images.map((text, i) => ({ text, role: 'image' as const, index: (i + 1) as number | undefined })),
    ...(request.mask !== undefined ? [{ text: request.mask, role: 'mask' as const, index: undefined }] : []),
  ];
  const loaded: Loaded[] = [];
  for (const entry of entries) {
    throwIfCancelled(request.signal);
    const label = `${entry.role === 'mask' ? 'mask' : `image ${entry.index}`} ${describeSource(entry.text.trim())}`;
    const source = parseImageSource(entry.text, context);
    if (source instanceof SourceProblem) {
      const hint = scope.allowsPath(path.resolve(request.outputDir, entry.text.trim()))
        ? await savedImageHint(entry.text.trim(), request.outputDir)
        : '';
      problems.push(`${label} ${source.message}${hint}`);
      continue;
    }
    try {
      loaded.push(await load({ ...entry, label, source }, request, scope));
    } catch (error) {
      if (!(error instanceof InputProblem)) throw error;
      problems.push(`${label} ${error.message}`);
    }
  }

  const images = loaded.filter((input) => input.role === 'image');
  const mask = loaded.find((input) => input.role === 'mask');
  if (mask?.send && images[0]?.send && problems.length === 0) {
    const imageOne = images[0].send.dimensions;
    const maskSize = mask.send.dimensions;
    if (imageOne.width !== maskSize.width || imageOne.height !== maskSize.height) {
      problems.push(
        `${mask.label} is ${formatSize(maskSize)}, but image 1 is ${formatSize(imageOne)} as sent: ` +
          `the mask must be exactly the size of image 1 (resize it to ${formatSize(imageOne)})`,
      );
    }
  }

  if (problems.length > 0) {
    const [first, ...rest] = problems;
    throw invalidArgument(
      [first, ...rest.map((p) => `- ${p}`)].join('\n'),
      'Nothing was sent to the gateway. Fix the inputs and call again.',
    );
  }

  const notes: string[] = [];
  const prepared: PreparedInput[] = [];
  for (const input of loaded) prepared.push(await toWire(input, notes));
  return {
    images: prepared.filter((p) => p.record.role === 'image'),
    mask: prepared.find((p) => p.record.role === 'mask'),
    notes,
  };
}

/** Read, check and make ready one input. Throws InputProblem. */
async function load(
  entry: { role: 'image' | 'mask'; index: number | undefined; label: string; source: ImageSource },
  request: PrepareRequest,
  scope: FileScope,
): Promise<Loaded> {
  const { source } = entry;
  const { edits } = request.model;
  const rule = edits.inputRule;
  // The JSON path takes URLs: the gateway fetches them, so we neither download nor check their bytes.
  if (source.kind === 'url' && edits.transport === 'json') {
    await checkPassedUrl(source.url, request.outbound);
    return { ...entry };
  }
  const obtained = await obtain(source, {
    rule,
    workspace: request.workspace,
    outbound: request.outbound,
    scope,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  let header: ImageHeader;
  try {
    header = await checkInput(obtained.file, entry.role, rule);
  } catch (error) {
    // Whatever a URL held, the answer is the one sentence for every failed fetch (read.ts).
    if (error instanceof InputProblem && source.kind === 'url' && !(await isImageAtAll(obtained.file))) {
      throw unfetchableUrl(rule.maxBytes);
    }
    throw error;
  }
  if (source.kind === 'data' && source.declaredType !== header.mimeType) {
    throw new InputProblem(
      `declares ${source.declaredType} but holds ${header.format} bytes: use ` +
        `data:${header.mimeType};base64,… (or better, pass the file's path)`,
    );
  }
  const send = await sendAs(obtained, header, {
    rule,
    normalize: request.normalize,
    keepMetadata: request.keepMetadata,
    workspace: request.workspace,
  });
  return { ...entry, obtained, header, send };
}

/** Whether a file is a PNG, JPEG or WebP at all (its problem is then about the image, not the fetch). */
async function isImageAtAll(file: string): Promise<boolean> {
  return (await readImageHeader(file)) !== null;
}

/** "(an image of that name is in the output directory: "/abs/…")" for a bare saved-image name. */
async function savedImageHint(given: string, outputDir: string): Promise<string> {
  if (given === '' || /^[a-z][a-z0-9+.-]*:/i.test(given)) return '';
  const candidate = path.resolve(outputDir, given);
  if (!candidate.startsWith(outputDir + path.sep)) return '';
  const found = await stat(candidate).then(
    (s) => s.isFile(),
    () => false,
  );
  return found ? ` — this server saved an image of that name: "${candidate}"` : '';
}

async function toWire(input: Loaded, notes: string[]): Promise<PreparedInput> {
  const { source, header, obtained, send } = input;
  const base = {
    role: input.role,
    ...(input.index !== undefined ? { index: input.index } : {}),
    source: source.kind === 'data' ? describeSource(source.given).replace(/^"|"$/g, '') : source.given,
    kind: source.kind,
    ...(obtained?.realPath !== undefined && obtained.realPath !== source.given ? { path: obtained.realPath } : {}),
  };
  if (!header || !obtained || !send) {
    return { wire: { kind: 'url', url: source.given }, record: { ...base, sent: 'url' } };
  }
  const facts = {
    sha256: obtained.sha256,
    bytes: obtained.size,
    width: header.upright.width,
    height: header.upright.height,
    format: header.format,
    ...(header.orientation !== 1 ? { orientation: header.orientation } : {}),
  };
  const payload: Payload = { kind: 'file', path: send.file, size: send.size, blob: await openAsBlob(send.file) };
  const wire = { kind: 'bytes' as const, payload, ...IMAGE_FORMATS[send.format] };

  if (send.skippedPlan) {
    notes.push(
      `${input.label} was sent as given although it could be normalized ` +
        `(${describePlan(send.skippedPlan)}), because FLUX_MCP_NORMALIZE_INPUTS=0.`,
    );
  }
  if (send.normalized) {
    const { plan, copied } = send.normalized;
    const reencoded = send.format !== header.format ? `, re-encoded as ${send.format.toUpperCase()}` : '';
    const changes = `${describePlan(plan)}${reencoded}`;
    notes.push(
      `${input.label} was ${changes} before sending${source.kind === 'file' ? '; your file is unchanged' : ''}.`,
    );
    return {
      wire,
      record: {
        ...base,
        ...facts,
        sent: 'normalized',
        normalized: { ...plan.to, bytes: copied.size, sha256: copied.sha256, changes },
      },
    };
  }
  const cleaned = send.cleaned
    ? {
        cleaned: {
          bytes: send.cleaned.copied.size,
          sha256: send.cleaned.copied.sha256,
          removed: send.cleaned.removed.join(', '),
        },
      }
    : {};
  return { wire, record: { ...base, ...facts, sent: 'original', ...cleaned } };
}

/**
 * The tool calls behind the gallery's "more like this" and "variants" buttons, worked out on the
 * server from an image's sidecar and the tools' own input schemas, so the page only replays them.
 *
 * Reading the schemas (not assuming them) lets the buttons use `like` and `count` as soon as the
 * image tools take them, and fall back to what the tools take today: the same prompt, model and
 * parameters with a new seed, once or four times. Every plan is checked against its tool's schema;
 * one that would be refused is not offered.
 */
import type { ImageSidecar } from '../library/sidecar.js';
import type { ToolDefinition } from '../tools/definition.js';
import type { GalleryItem, ToolCallPlan } from './contract.js';

/** How many images "variants" asks for. */
const VARIANT_COUNT = 4;

/** Arguments that would repeat the old image (seed) or are about this call only. */
const NOT_REPEATED = new Set(['seed', 'count', 'like', 'filename', 'preview']);

type Plans = Pick<GalleryItem, 'moreLikeThis' | 'variants'>;

const accepts = (tool: ToolDefinition, args: Record<string, unknown>): boolean =>
  tool.inputSchema.safeParse(args).success;

/**
 * The call that makes this image again with a new seed: its tool with the prompt, the model and
 * every parameter the sidecar recorded that is one of the tool's arguments. An edit repeats its
 * references, unless one was a data URL (the sidecar keeps only its type and length).
 */
export function remakePlan(sidecar: ImageSidecar, tools: readonly ToolDefinition[]): ToolCallPlan | undefined {
  const tool = tools.find((t) => t.name === sidecar.tool);
  if (!tool) return undefined;
  const keys = new Set(Object.keys(tool.inputSchema.shape));
  const args: Record<string, unknown> = { prompt: sidecar.prompt, model: sidecar.model };
  for (const [key, value] of Object.entries(sidecar.parameters)) {
    if (keys.has(key) && !NOT_REPEATED.has(key)) args[key] = value;
  }
  if (sidecar.inputs) {
    if (sidecar.inputs.some((input) => input.kind === 'data')) return undefined;
    const images = sidecar.inputs.filter((input) => input.role === 'image');
    args.images = images.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((input) => input.source);
    const mask = sidecar.inputs.find((input) => input.role === 'mask');
    if (mask) args.mask = mask.source;
  }
  return accepts(tool, args) ? { tool: tool.name, arguments: args } : undefined;
}

/** "More like this" and "variants" for the image at `path`. */
export function plansFor(path: string, sidecar: ImageSidecar, tools: readonly ToolDefinition[]): Plans {
  const remake = remakePlan(sidecar, tools);
  const generate = tools.find((t) => t.name === 'generate_image');
  const plans: { -readonly [K in keyof Plans]: Plans[K] } = {};

  // `like` names an earlier result of generate_image; an edit is made again from its own references.
  const likeCandidates = [{ like: path }, { like: path, prompt: sidecar.prompt }];
  const like =
    generate && sidecar.tool === generate.name ? likeCandidates.find((args) => accepts(generate, args)) : undefined;
  if (generate && like) plans.moreLikeThis = { tool: generate.name, arguments: like };
  else if (remake) plans.moreLikeThis = remake;

  if (remake) {
    const tool = tools.find((t) => t.name === remake.tool)!;
    const counted = { ...remake.arguments, count: VARIANT_COUNT };
    plans.variants = accepts(tool, counted)
      ? { call: { tool: remake.tool, arguments: counted }, times: 1 }
      : { call: remake, times: VARIANT_COUNT };
  }
  return plans;
}

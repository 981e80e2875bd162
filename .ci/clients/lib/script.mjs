/**
 * What the stub model does, decided from the conversation it is sent (not from a counter, so a
 * client that retries or re-sends history gets the same answer): the number of tool calls already
 * in the history is the step.
 *
 *   1. generate_image                      2. edit_images with the path the model *saw* in result 1
 *   3. list_images                         4. a bad argument (width 1000 is not a multiple of 16)
 *   5. a plain text answer
 *
 * A model in strict mode (the tool was sent with strict: true) must produce every property of the
 * schema, and a real one fills those it has no value for with null: the stub does the same.
 */
export const STEPS = [
  {
    step: 'generate',
    tool: 'generate_image',
    args: () => ({ prompt: 'A red fox in fresh snow, watercolor', size: '512x512' }),
  },
  {
    step: 'edit',
    tool: 'edit_images',
    args: ({ path }) => ({ prompt: 'Make the fox in image 1 blue', images: [path ?? 'NO-PATH-IN-TOOL-RESULT'] }),
  },
  { step: 'list', tool: 'list_images', args: () => ({}) },
  { step: 'error', tool: 'generate_image', args: () => ({ prompt: 'x', width: 1000, height: 1000 }) },
];

export const FINAL_TEXT = 'Done: the image was made, edited and listed.';

/** An absolute path of a saved image, as it appears in text the model read. */
const IMAGE_PATH = /(\/[^\s"'\\,;<>|]+?\.(?:jpe?g|png|webp))/i;

/** Text parts of everything after the model's last call: that call's results, and what a client appended. */
export function textsAfterLastCall(turns) {
  const last = turns.findLastIndex((turn) => turn.kind === 'call');
  return turns
    .slice(last + 1)
    .flatMap((turn) => turn.parts ?? [])
    .filter((part) => part.type === 'text')
    .map((part) => part.text);
}

export function findImagePath(texts) {
  for (const text of texts) {
    const match = IMAGE_PATH.exec(text.replace(/\\\//g, '/'));
    if (match) return match[1];
  }
  return undefined;
}

/** The tool as the client named it (some prefix the server's name: `flux_generate_image`, `mcp__flux__…`). */
export function findTool(tools, wanted) {
  return tools.find((tool) => tool.name === wanted) ?? tools.find((tool) => tool.name.endsWith(wanted));
}

export function nextAction(conversation) {
  const done = conversation.turns.filter((turn) => turn.kind === 'call').length;
  const step = STEPS[done];
  if (!step) return { type: 'text', text: FINAL_TEXT };
  const tool = findTool(conversation.tools, step.tool);
  if (!tool) return { type: 'text', text: `The tool ${step.tool} was not offered.`, step: step.step };
  const args = step.args({ path: findImagePath(textsAfterLastCall(conversation.turns)) });
  if (tool.strict) {
    for (const key of Object.keys(tool.schema?.properties ?? {})) if (!(key in args)) args[key] = null;
  }
  return { type: 'call', name: tool.name, args, step: step.step };
}

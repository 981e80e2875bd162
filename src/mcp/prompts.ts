/**
 * Workflow prompts (`prompts/list`, `prompts/get`): the edits people ask for most, written the
 * way the gateway's models understand them, with the references named "image 1", "image 2" in the
 * order they are passed. Each renders into a message telling the model exactly which
 * `edit_images` call to make.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  type GetPromptResult,
  ListPromptsRequestSchema,
  McpError,
  type Prompt,
} from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_EDIT_MODEL, EDIT_MODEL_IDS, isEditModelId } from '../catalog/models.js';

const INVALID_PARAMS = -32602;

interface Workflow {
  readonly prompt: Prompt;
  /** The edit_images arguments for the given prompt arguments. */
  readonly call: (args: Readonly<Record<string, string>>) => { images: string[]; prompt: string };
}

const MODEL_ARGUMENT = {
  name: 'model',
  description: `Editing model (default ${DEFAULT_EDIT_MODEL}): ${EDIT_MODEL_IDS.join(', ')}`,
  required: false,
};

const IMAGE_HINT = 'absolute path, file:// URI or URL';

const WORKFLOWS: readonly Workflow[] = [
  {
    prompt: {
      name: 'style_transfer',
      title: 'Style transfer',
      description: 'Redraw a content image in the style of another image.',
      arguments: [
        { name: 'content_image', description: `The image whose content to keep (${IMAGE_HINT})`, required: true },
        { name: 'style_image', description: `The image whose style to take (${IMAGE_HINT})`, required: true },
        {
          name: 'keep',
          description: 'What of the content image must not change (default: its composition, subjects and poses)',
          required: false,
        },
        MODEL_ARGUMENT,
      ],
    },
    call: (a) => ({
      images: [a.content_image!, a.style_image!],
      prompt:
        `Redraw image 1 in the visual style of image 2: its colour palette, brushwork, ` +
        `texture and lighting. Keep ${a.keep ?? 'the composition, subjects and their poses'} ` +
        `from image 1 exactly; take only the style from image 2, none of its content.`,
    }),
  },
  {
    prompt: {
      name: 'subject_into_scene',
      title: 'Subject into scene',
      description: 'Place the subject of one image into the scene of another.',
      arguments: [
        {
          name: 'subject_image',
          description: `The image with the subject: a person, product or object (${IMAGE_HINT})`,
          required: true,
        },
        { name: 'scene_image', description: `The image with the scene (${IMAGE_HINT})`, required: true },
        {
          name: 'subject',
          description: 'What the subject is, e.g. "the woman in the red coat" (default: the main subject)',
          required: false,
        },
        { name: 'placement', description: 'Where it goes, e.g. "on the bench at the left"', required: false },
        MODEL_ARGUMENT,
      ],
    },
    call: (a) => ({
      images: [a.subject_image!, a.scene_image!],
      prompt:
        `Place ${a.subject ?? 'the main subject'} from image 1 into the ` +
        `scene of image 2${a.placement ? `, ${a.placement}` : ''}. Match the scene's lighting, perspective, ` +
        `scale and colour grading, with natural shadows. ` +
        `Keep the subject's identity, face, clothing and details exactly as in image 1, ` +
        `and the rest of image 2 unchanged.`,
    }),
  },
  {
    prompt: {
      name: 'swap_item',
      title: 'Outfit or product swap',
      description: 'Replace a garment or product in one image with the one shown in another.',
      arguments: [
        {
          name: 'image',
          description: `The image to change, e.g. a model wearing a jacket, or a shelf (${IMAGE_HINT})`,
          required: true,
        },
        { name: 'item_image', description: `The image of the new garment or product (${IMAGE_HINT})`, required: true },
        { name: 'item', description: 'What is swapped, e.g. "jacket", "sneakers", "bottle"', required: true },
        MODEL_ARGUMENT,
      ],
    },
    call: (a) => ({
      images: [a.image!, a.item_image!],
      prompt:
        `Replace the ${a.item} in image 1 with the ${a.item} shown in image 2, matching its exact ` +
        `design, colours, logo and materials. Keep everything else in image 1 unchanged: the person, ` +
        `pose, face, background, lighting and framing. Fit, scale, folds and shadows must look natural.`,
    }),
  },
  {
    prompt: {
      name: 'iterative_refine',
      title: 'Iterative refine',
      description: 'Make one change to an image (often the previous result), keeping the rest.',
      arguments: [
        {
          name: 'image',
          description: `The image to refine, e.g. the path of the last result (${IMAGE_HINT})`,
          required: true,
        },
        { name: 'change', description: 'The one change to make, e.g. "make the sky stormy"', required: true },
        { name: 'keep', description: 'What must stay exactly as it is (default: everything else)', required: false },
        MODEL_ARGUMENT,
      ],
    },
    call: (a) => ({
      images: [a.image!],
      prompt:
        `In image 1, ${a.change!.replace(/[.\s]+$/, '')}. Keep ${a.keep ?? 'everything else'} ` +
        `exactly as in image 1: composition, subjects, colours and lighting.`,
    }),
  },
];

function render(workflow: Workflow, args: Readonly<Record<string, string>>): GetPromptResult {
  const model = args.model?.trim() || DEFAULT_EDIT_MODEL;
  if (!isEditModelId(model)) {
    throw new McpError(
      INVALID_PARAMS,
      `model "${model}" is not an editing model: use one of ${EDIT_MODEL_IDS.join(', ')}`,
    );
  }
  const call = { ...workflow.call(args), model };
  const order = call.images.map((image, i) => `image ${i + 1} = ${image}`).join('; ');
  const text = [
    `Call the edit_images tool with these arguments (${order}):`,
    '',
    JSON.stringify(call, null, 2),
    '',
    'Then look at the preview in the result. ' +
      'To refine it, call edit_images again with the new image path as image 1 and one change at a time.',
  ].join('\n');
  return { description: workflow.prompt.description, messages: [{ role: 'user', content: { type: 'text', text } }] };
}

export function installPrompts(server: Server): void {
  const byName = new Map(WORKFLOWS.map((w) => [w.prompt.name, w]));
  server.registerCapabilities({ prompts: { listChanged: false }, completions: {} });
  // Completions for the one argument with a fixed set of values (model); none for the rest.
  server.setRequestHandler(CompleteRequestSchema, (request) => {
    const { ref, argument } = request.params;
    const values =
      ref.type === 'ref/prompt' && byName.has(ref.name) && argument.name === 'model'
        ? EDIT_MODEL_IDS.filter((id) => id.startsWith(argument.value))
        : [];
    return { completion: { values, total: values.length, hasMore: false } };
  });
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: WORKFLOWS.map((w) => w.prompt) }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    const workflow = byName.get(request.params.name);
    if (!workflow) {
      throw new McpError(
        INVALID_PARAMS,
        `Unknown prompt "${request.params.name}": this server has ${[...byName.keys()].join(', ')}`,
      );
    }
    const args = request.params.arguments ?? {};
    const missing = (workflow.prompt.arguments ?? [])
      .filter((a) => a.required && !args[a.name]?.trim())
      .map((a) => a.name);
    if (missing.length > 0) {
      throw new McpError(INVALID_PARAMS, `prompt ${workflow.prompt.name} needs ${missing.join(' and ')}`);
    }
    return render(workflow, args);
  });
}

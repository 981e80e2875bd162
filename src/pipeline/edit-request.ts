/**
 * The gateway request for an edit, in the model's transport:
 * - FLUX: JSON to /images/generations, references as `input_image`, `input_image_2` … in order,
 *   each a URL passed through or a data URL streamed from the bytes;
 * - gpt-image-2: multipart to /images/edits, `image[]` parts in order, then `mask`, with the
 *   scalar fields as text parts.
 */
import type { ModelSpec } from '../catalog/models.js';
import { type MultipartFile, multipartBody, type RequestBody, streamedJsonBody } from '../gateway/bodies.js';
import type { PreparedInputs, WireInput } from './inputs/prepare.js';

export const EDIT_ENDPOINTS = { json: '/images/generations', multipart: '/images/edits' } as const;

export interface EditRequest {
  readonly endpoint: (typeof EDIT_ENDPOINTS)[keyof typeof EDIT_ENDPOINTS];
  readonly body: RequestBody;
}

/** input_image, input_image_2 … input_image_8: the numbering is "image 1", "image 2" in the prompt. */
export function inputImageKey(index: number): string {
  return index === 1 ? 'input_image' : `input_image_${index}`;
}

function jsonValue(input: WireInput): unknown {
  return input.kind === 'url' ? input.url : { dataUrl: { mimeType: input.mimeType, payload: input.payload } };
}

function filePart(field: string, name: string, input: WireInput): MultipartFile {
  // Every input reaches the multipart path as bytes: URLs were fetched while preparing.
  if (input.kind !== 'bytes') throw new Error(`${name} was not fetched before upload`);
  return { field, filename: `${name}.${input.extension}`, mimeType: input.mimeType, payload: input.payload };
}

export function editRequest(
  model: ModelSpec,
  prompt: string,
  wire: Readonly<Record<string, unknown>>,
  inputs: PreparedInputs,
): EditRequest {
  if (model.edits?.transport === 'json') {
    const references = inputs.images.map((input, i) => [inputImageKey(i + 1), jsonValue(input.wire)] as const);
    return {
      endpoint: EDIT_ENDPOINTS.json,
      body: streamedJsonBody([['model', model.id], ['prompt', prompt], ...references, ...Object.entries(wire)]),
    };
  }
  const files = inputs.images.map((input, i) => filePart('image[]', `image-${i + 1}`, input.wire));
  if (inputs.mask) files.push(filePart('mask', 'mask', inputs.mask.wire));
  const fields = Object.entries(wire).map(([name, value]) => [name, String(value)] as const);
  return {
    endpoint: EDIT_ENDPOINTS.multipart,
    body: multipartBody([['model', model.id], ['prompt', prompt], ...fields], files),
  };
}

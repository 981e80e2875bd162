/**
 * The gateway request for an edit, in the model's transport (from the catalog):
 * - json: references as `input_image`, `input_image_2` … in order, each a URL passed through or
 *   a data URL streamed from the bytes;
 * - multipart: `image[]` parts in order, then `mask`, with the scalar fields as text parts.
 */
import type { Endpoint } from '../catalog/gateway.js';
import type { EditingModel } from '../catalog/models.js';
import { type MultipartFile, multipartBody, type RequestBody, streamedJsonBody } from '../gateway/bodies.js';
import type { PreparedInputs, WireInput } from './inputs/prepare.js';

interface EditRequest {
  readonly endpoint: Endpoint;
  readonly body: RequestBody;
}

/** input_image, input_image_2 … input_image_8: the numbering is "image 1", "image 2" in the prompt. */
function inputImageKey(index: number): string {
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
  model: EditingModel,
  prompt: string,
  wire: Readonly<Record<string, unknown>>,
  inputs: PreparedInputs,
): EditRequest {
  const { endpoint, transport } = model.edits;
  switch (transport) {
    case 'json': {
      const references = inputs.images.map((input, i) => [inputImageKey(i + 1), jsonValue(input.wire)] as const);
      return {
        endpoint,
        body: streamedJsonBody([['model', model.id], ['prompt', prompt], ...references, ...Object.entries(wire)]),
      };
    }
    case 'multipart': {
      const files = inputs.images.map((input, i) => filePart('image[]', `image-${i + 1}`, input.wire));
      if (inputs.mask) files.push(filePart('mask', 'mask', inputs.mask.wire));
      const fields = Object.entries(wire).map(([name, value]) => [name, String(value)] as const);
      return { endpoint, body: multipartBody([['model', model.id], ['prompt', prompt], ...fields], files) };
    }
  }
}

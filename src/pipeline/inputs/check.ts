/**
 * Checking an input's header against the model's input rule before anything is decoded: format
 * by magic number, the minimum side, the pixel limit (a decompression bomb is refused here, from
 * its header), and for a mask the format and alpha channel.
 */
import type { InputRule } from '../../catalog/models.js';
import { roundMegapixels } from '../../catalog/sizes.js';
import { thousands } from '../../core/units.js';
import { headOf, type ImageHeader, readImageHeader } from '../../imaging/inspect.js';
import { otherFormatName } from '../../imaging/sniff.js';
import { InputProblem } from './read.js';

/** The header of an input's private copy, checked. Throws InputProblem. */
export async function checkInput(file: string, role: 'image' | 'mask', rule: InputRule): Promise<ImageHeader> {
  const header = await readImageHeader(file);
  if (!header) throw new InputProblem(notAnImage(await headOf(file)));
  const { width, height } = header.upright;
  if (width < rule.minSide || height < rule.minSide) {
    throw new InputProblem(
      `is ${width}×${height}, under the minimum of ${rule.minSide}×${rule.minSide}: use a larger image`,
    );
  }
  if (width * height > rule.maxPixels) {
    // What normalization sends anyway is all the model can use.
    const plenty = rule.sendAs
      ? ` (${roundMegapixels(rule.sendAs.maxPixels)} is plenty; larger inputs are scaled down anyway)`
      : '';
    throw new InputProblem(
      `is ${width}×${height} (${thousands(width * height)} px), over the ` +
        `${thousands(rule.maxPixels)} px limit for this model's inputs: downscale it${plenty}`,
    );
  }
  if (role === 'mask') {
    if (header.format !== 'png')
      throw new InputProblem(`is a ${header.format} image: a mask must be a PNG with an alpha channel`);
    if (!header.hasAlpha) {
      throw new InputProblem(
        'is a PNG without an alpha channel: the mask marks the area to repaint with transparency (alpha 0), ' +
          'so export it as a PNG with transparency',
      );
    }
  }
  return header;
}

/** Name what the bytes are when the magic number says (a HEIF from a phone, a GIF…). */
function notAnImage(head: Buffer): string {
  const format = otherFormatName(head);
  const what = format
    ? `is a ${format} image`
    : 'is not an image this server can read (judged by its content, not its name)';
  return (
    `${what}: inputs must be PNG, JPEG or WebP; ` +
    `convert it (e.g. with Preview, Photoshop or \`sips -s format jpeg\`) and pass the new file`
  );
}

/**
 * sharp, loaded on first use: it is the heaviest module the server has (libvips), and most
 * client start-ups only list tools. Loading it lazily keeps cold start close to plain Node.
 */
import type Sharp from 'sharp';

type SharpModule = typeof Sharp;

let loading: Promise<SharpModule> | undefined;

export function loadSharp(): Promise<SharpModule> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    // Every image is processed once, so libvips' operation cache only holds memory.
    sharp.cache(false);
    return sharp;
  });
  return loading;
}

/**
 * Options for every decode: at most `maxPixels` (libvips refuses a larger image before allocating
 * anything, whatever its header claimed when it was checked), and a damaged file is an error.
 */
export function decodeLimits(maxPixels: number): { limitInputPixels: number; failOn: 'error' } {
  return { limitInputPixels: Math.max(1, Math.floor(maxPixels)), failOn: 'error' };
}

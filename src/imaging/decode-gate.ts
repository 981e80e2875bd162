/**
 * How many full decodes run at once in the process. A decode that turns an image upright holds
 * the whole image in memory (an 8K frame is about 100 MB of pixels, twice that while it is
 * rotated), and calls run concurrently: without a gate, memory would grow with the number of
 * calls. Each decode uses every core through libvips' own threads, so a small gate costs little.
 */
const SLOTS = 2;

let running = 0;
const waiting: (() => void)[] = [];

/** Run `work` once a decode slot is free. */
export async function withDecodeSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

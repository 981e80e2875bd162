/**
 * The server's own state beside the images: the library index and the job records. Hidden, so a
 * person browsing the folder sees images and sidecars; never an image, so listings skip it.
 */
export const STATE_DIR = '.flux-mcp';

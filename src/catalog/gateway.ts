/**
 * What the gateway documents for every model alike (gateway.md, "Endpoints" and "Results"): where
 * requests go, how long a delivery URL lives, how many images one call makes. Per-model facts are
 * in models.ts.
 */

/** The gateway's image endpoints, relative to its base URL (…/v1). */
export const ENDPOINTS = {
  /** JSON: text-to-image for every model, and edits that send references as `input_image…`. */
  generations: '/images/generations',
  /** multipart/form-data: edits that upload references as `image[]` parts (and a `mask`). */
  edits: '/images/edits',
} as const;
export type Endpoint = (typeof ENDPOINTS)[keyof typeof ENDPOINTS];

/** How a request body is encoded: JSON (references as data: or http(s) URLs) or multipart file parts. */
type Transport = 'json' | 'multipart';

/** Where a request goes and in which encoding. */
export interface Route {
  readonly endpoint: Endpoint;
  readonly transport: Transport;
}

/** Text-to-image: JSON to /images/generations, the same for every model that generates. */
export const GENERATION_ROUTE: Route = { endpoint: ENDPOINTS.generations, transport: 'json' };

/** A delivery URL (`data[0].url`) is signed and expires this long after the image is made (then 404). */
export const RESULT_URL_LIFETIME_MS = 10 * 60_000;

/** Active tasks the upstream provider allows one account at once (BFL: 24; gateway.md). */
export const UPSTREAM_ACTIVE_TASKS = 24;

/** Images one call makes: the gateway takes `n` = 1 only. */
export const IMAGES_PER_CALL = 1;

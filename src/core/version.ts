/** Kept equal to package.json's version by a test (importing JSON would warn on Node 20). */
export const SERVER_NAME = 'apiyi-flux-mcp';
export const SERVER_VERSION = '0.1.0';
export const USER_AGENT = `${SERVER_NAME}/${SERVER_VERSION}`;

/**
 * The server's own answers, through the official MCP SDK client and no model: the result blocks
 * of a generate_image call (what every stack starts from) and the first line of the error a bad
 * argument gets, which each stack must deliver to its model.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stdioCommand } from './flux-server.mjs';
import { connectSdkClient } from './mcp-sdk-client.mjs';
import { STEPS } from './script.mjs';
import { countTokens } from './tokens.mjs';

export async function referenceRun(simulatorUrl) {
  const outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-clients-reference-'));
  const client = await connectSdkClient(
    { transport: 'stdio', ...stdioCommand({ simulatorUrl, outputDir }) },
    'reference',
  );
  try {
    const good = await client.callTool({ name: 'generate_image', arguments: STEPS[0].args({}) });
    const bad = await client.callTool({ name: 'generate_image', arguments: STEPS[3].args({}) });
    return {
      generate: {
        blocks: good.content.map((block) =>
          block.type === 'image'
            ? { type: 'image', mimeType: block.mimeType, base64Chars: block.data.length }
            : block.type === 'text'
              ? { type: 'text', chars: block.text.length, tokens: countTokens(block.text) }
              : { type: block.type },
        ),
        structuredContentTokens: countTokens(JSON.stringify(good.structuredContent ?? {})),
        wholeResultTokensAsJson: countTokens(JSON.stringify(good)),
      },
      errorFirstLine: bad.isError ? bad.content[0].text.split('\n')[0] : undefined,
    };
  } finally {
    await client.close();
  }
}

/**
 * Headless Chromium for the browser tests: Debian's `chromium` (installed by .ci/run; never a
 * downloaded browser), driven by playwright-core, with a fresh profile and every background
 * service off. The machines that run this have no network, and without these flags Chromium
 * keeps retrying connections that cannot succeed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function startChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH`,
    );
  }
  // launchPersistentContext is how playwright takes a --user-data-dir of our choosing: a fresh one.
  const profile = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 880, height: 720 },
    deviceScaleFactor: 1,
  });
  // A wait that fails should fail well before the test's own timeout, with playwright's message.
  context.setDefaultTimeout(10_000);
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

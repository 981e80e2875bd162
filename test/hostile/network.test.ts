/**
 * Hostile: URLs. Findings: gpt-image-2 URL inputs fetched from loopback in every spelling (and
 * following redirects), error messages that tell a closed port from a service (a port scanner),
 * FLUX URL inputs the gateway could not reach, gateway-chosen result URLs fetched anywhere, and a
 * far-future `exp=` that retries a download for ever. Every target is a loopback server of the
 * test's own (the witness), which must never be reached.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPublicAddress, nonPublicRange, plainlyLocalHost } from '../../src/core/addresses.js';
import { downloadDeadline } from '../../src/gateway/download.js';
import { type Harness, startHarness, textOf } from '../helpers/harness.js';
import { makeImage } from '../helpers/images.js';
import { startWitness, type Witness } from './helpers.js';

let h: Harness;
let witness: Witness;
beforeAll(async () => {
  h = await startHarness({ server: { retryBaseMs: 5 } });
  witness = await startWitness(await makeImage({ width: 128, height: 128 }));
});
afterAll(async () => {
  await witness.close();
  await h.close();
});
beforeEach(() => {
  h.simulator.reset();
  witness.hits.length = 0;
});

const edit = (images: string[], model = 'gpt-image-2') =>
  h.call({ prompt: 'x', images, model, ...(model === 'gpt-image-2' ? { quality: 'low' } : {}) }, 'edit_images');

/** Every way of writing "this machine" in a URL's host, for a server listening on 127.0.0.1 (and ::1). */
const LOOPBACK_SPELLINGS = [
  '127.0.0.1',
  '127.1',
  '127.0.1',
  '0x7f000001',
  '0x7f.0.0.1',
  '2130706433',
  '0177.0.0.1',
  '017700000001',
  '0.0.0.0',
  '0',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[0:0:0:0:0:ffff:127.0.0.1]',
  '[::1]',
  '[0:0:0:0:0:0:0:1]',
  'localhost',
  'LOCALHOST',
];

describe('URL inputs the server fetches (gpt-image-2)', () => {
  it.each(LOOPBACK_SPELLINGS)('refuses http://%s:<port>/ without connecting, and calls nothing', async (host) => {
    const url = witness.url(host);
    const result = await edit([url]);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /was not fetched: .*(loopback|unspecified) address, which this server does not fetch from/,
    );
    expect(witness.hits).toEqual([]);
    expect(h.simulator.apiRequests()).toEqual([]);
  });

  it('refuses an unfetchable URL with one sentence, whether the port is closed, answers 404 or serves a page', async () => {
    // Private addresses allowed (a self-hosted set-up), so that the fetches really happen.
    const open = await startHarness({ config: { allowPrivateUrls: true } });
    const page = await startWitness(Buffer.from('<html>router login</html>'), { status: 200, type: 'text/html' });
    const missing = await startWitness(Buffer.from('not found'), { status: 404, type: 'text/plain' });
    const closedPort = await freePort();
    try {
      const texts = [];
      for (const url of [`http://127.0.0.1:${closedPort}/a.png`, missing.url('127.0.0.1'), page.url('127.0.0.1')]) {
        const result = await open.call({ prompt: 'x', images: [url], model: 'gpt-image-2' }, 'edit_images');
        texts.push(textOf(result).replace(url, '<url>'));
      }
      expect(texts[0]).toContain('is not an image this server could fetch');
      expect(new Set(texts).size).toBe(1);
      expect(page.hits).toHaveLength(1);
      expect(open.simulator.apiRequests()).toEqual([]);
    } finally {
      await page.close();
      await missing.close();
      await open.close();
    }
  });

  it('still fetches from the gateway’s own origin (where the simulator hosts test images)', async () => {
    const asset = h.simulator.hostAsset(await makeImage({ width: 128, height: 128 }), 'ok.png', 'image/png');
    const result = await edit([asset]);
    expect(result.isError, textOf(result)).toBeFalsy();
  });
});

describe('URL inputs passed to the gateway (FLUX)', () => {
  it.each([
    'http://localhost:8080/a.png',
    'http://127.0.0.1/a.png',
    'http://[::1]/a.png',
    'http://0.0.0.0/a.png',
    'http://printer.local/a.png',
    'http://intranet/a.png',
  ])('refuses %s before sending anything', async (url) => {
    const result = await edit([url], 'flux-2-pro');
    expect(textOf(result)).toContain('which the gateway cannot reach');
    expect(h.simulator.apiRequests()).toEqual([]);
  });
});

describe('result URLs the gateway names', () => {
  it('are not fetched from a loopback address other than the gateway’s own', async () => {
    h.simulator.enqueue({
      status: 200,
      body: { created: 1, data: [{ url: witness.url('localhost', '/result.png') }] },
    });
    const result = await h.call({ prompt: 'x', seed: 1 });
    expect(textOf(result)).toMatch(
      /^gateway_error: the gateway's result URL was not fetched: localhost is 127\.0\.0\.1, a loopback address/,
    );
    expect(witness.hits).toEqual([]);
  });

  it('are not followed through a redirect to one', async () => {
    h.simulator.enqueueDelivery({ status: 302, headers: { location: witness.url('127.0.0.1', '/moved.png') } });
    const result = await h.call({ prompt: 'x', seed: 2 });
    expect(textOf(result)).toMatch(
      /^gateway_error: the gateway's result URL was not fetched: 127\.0\.0\.1 is a loopback address/,
    );
    expect(h.simulator.deliveryRequests()).toHaveLength(1);
    expect(witness.hits).toEqual([]);
  });

  it('are given up at 10 minutes at the latest, whatever expiry they claim', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    const tenMinutes = now + 10 * 60_000;
    expect(downloadDeadline('https://cdn.example.test/a.jpg?exp=99999999999', now)).toBe(tenMinutes);
    expect(downloadDeadline('https://cdn.example.test/a.jpg?se=2999-01-01T00:00:00Z', now)).toBe(tenMinutes);
    expect(downloadDeadline('https://cdn.example.test/a.jpg', now)).toBe(tenMinutes);
    expect(downloadDeadline(`https://cdn.example.test/a.jpg?exp=${(now + 60_000) / 1000}`, now)).toBe(now + 60_000);
  });
});

describe('the address rules', () => {
  it('refuses every non-public range, and IPv6 forms that carry one', () => {
    const refused = {
      '127.0.0.1': 'loopback',
      '10.1.2.3': 'private',
      '172.16.0.1': 'private',
      '192.168.1.1': 'private',
      '169.254.169.254': 'link-local',
      '100.64.0.1': 'shared CGNAT',
      '224.0.0.1': 'multicast',
      '255.255.255.255': 'broadcast',
      '0.0.0.0': 'unspecified',
      '240.0.0.1': 'reserved',
      '::1': 'loopback',
      '::': 'unspecified',
      'fe80::1': 'link-local',
      'fc00::1': 'unique-local (private)',
      'ff02::1': 'multicast',
      '::ffff:10.0.0.1': 'private',
      '64:ff9b::a9fe:a9fe': 'link-local',
      '2002:7f00:1::': 'loopback',
    };
    for (const [address, range] of Object.entries(refused)) expect(nonPublicRange(address), address).toBe(range);
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isPublicAddress(address), address).toBe(true);
  });

  it('knows local names without a DNS lookup', () => {
    for (const host of ['localhost', 'a.localhost', 'nas.local', 'db.internal', 'router.home.arpa', 'intranet'])
      expect(plainlyLocalHost(host), host).toBeDefined();
    for (const host of ['example.com', 'cdn.example.com', '93.184.216.34'])
      expect(plainlyLocalHost(host), host).toBeUndefined();
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

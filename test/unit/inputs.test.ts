/**
 * The pieces under edit_images: reading a source string (POSIX and Windows), and the streamed
 * request bodies (exact length, valid JSON, base64 across chunk boundaries).
 */
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { base64Chunks, memoryPayload, streamedJsonBody } from '../../src/gateway/bodies.js';
import { describeSource, parseImageSource, SourceProblem } from '../../src/pipeline/inputs/source.js';

const posix = { home: '/home/ada', platform: 'linux' as const };
const windows = { home: 'C:\\Users\\ada', platform: 'win32' as const };

describe('parseImageSource', () => {
  it('reads absolute paths, ~/, file:// URIs (percent-encoded), URLs and data URLs', () => {
    expect(parseImageSource('/tmp/a b.png', posix)).toMatchObject({ kind: 'file', path: '/tmp/a b.png' });
    expect(parseImageSource('  ~/Pictures/cat.jpg ', posix)).toMatchObject({
      kind: 'file',
      path: '/home/ada/Pictures/cat.jpg',
      given: '~/Pictures/cat.jpg',
    });
    expect(parseImageSource('file:///tmp/a%20b%C3%A9.png', posix)).toMatchObject({
      kind: 'file',
      path: '/tmp/a bé.png',
    });
    expect(parseImageSource('https://cdn.example.com/x.png?sig=1', posix)).toMatchObject({ kind: 'url' });
    expect(parseImageSource('data:image/jpg;base64,AAAA', posix)).toMatchObject({
      kind: 'data',
      declaredType: 'image/jpeg',
      base64: 'AAAA',
    });
  });

  it('reads Windows drive paths and file:///C:/ URIs when running on Windows', () => {
    expect(parseImageSource('C:\\Users\\ada\\cat.png', windows)).toMatchObject({
      kind: 'file',
      path: 'C:\\Users\\ada\\cat.png',
    });
    expect(parseImageSource('D:/photos/cat.png', windows)).toMatchObject({ kind: 'file', path: 'D:\\photos\\cat.png' });
    // UNC shares are refused (test/hostile): opening one makes Windows connect to that host.
    expect(parseImageSource('\\\\nas\\share\\cat.png', windows)).toBeInstanceOf(SourceProblem);
    expect(parseImageSource('file:///C:/Users/ada/cat.png', windows)).toMatchObject({
      kind: 'file',
      path: 'C:\\Users\\ada\\cat.png',
    });
    expect(parseImageSource('~\\Pictures\\cat.png', windows)).toMatchObject({
      kind: 'file',
      path: 'C:\\Users\\ada\\Pictures\\cat.png',
    });
    expect(parseImageSource('cat.png', windows)).toBeInstanceOf(SourceProblem);
    expect((parseImageSource('cat.png', windows) as SourceProblem).message).toContain(
      'C:\\Users\\you\\Pictures\\photo.jpg',
    );
  });

  it('refuses relative paths, other schemes, and data URLs that are not base64 images', () => {
    for (const text of ['cat.png', './cat.png', '../up/cat.png', 'Pictures/cat.png']) {
      expect((parseImageSource(text, posix) as SourceProblem).message, text).toMatch(/^is a relative path/);
    }
    expect(parseImageSource('s3://bucket/key.png', posix)).toBeInstanceOf(SourceProblem);
    expect(parseImageSource('data:image/svg+xml;base64,PHN2Zz4=', posix)).toBeInstanceOf(SourceProblem);
    expect(parseImageSource('data:image/png,rawbytes', posix)).toBeInstanceOf(SourceProblem);
    expect(parseImageSource('file://otherhost/share/a.png', posix)).toBeInstanceOf(SourceProblem);
  });

  it('never prints a data URL payload in messages', () => {
    const text = describeSource(`data:image/png;base64,${'A'.repeat(5000)}`);
    expect(text).toBe('data:image/png;base64,… (data URL, 5,022 characters)');
  });
});

async function collect(source: AsyncIterable<Uint8Array> | Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

describe('streamed request bodies', () => {
  it('encodes base64 correctly whatever the chunk boundaries', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37) % 256));
    for (const size of [1, 2, 3, 4, 5, 7, 64, 999, 1000]) {
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      }
      expect((await collect(base64Chunks(chunks()))).toString('latin1'), `chunks of ${size}`).toBe(
        bytes.toString('base64'),
      );
    }
  });

  it('builds JSON with data URLs streamed from the bytes, of exactly the announced length', async () => {
    const image = Buffer.from(Array.from({ length: 3 * 256 * 1024 + 5 }, (_, i) => i % 251)); // more than one slice, not a multiple of 3
    const body = streamedJsonBody([
      ['model', 'flux-2-pro'],
      ['prompt', 'naïve "quotes" ✓'],
      ['input_image', { dataUrl: { mimeType: 'image/png', payload: memoryPayload(image) } }],
      ['input_image_2', 'https://example.com/b.png'],
      ['seed', 7],
    ]);
    const sent = await collect((await body.open()) as Readable);
    expect(sent.length).toBe(body.length);
    expect(JSON.parse(sent.toString('utf8'))).toEqual({
      model: 'flux-2-pro',
      prompt: 'naïve "quotes" ✓',
      input_image: `data:image/png;base64,${image.toString('base64')}`,
      input_image_2: 'https://example.com/b.png',
      seed: 7,
    });
    // A body can be opened again (for a second attempt) and is the same.
    expect((await collect((await body.open()) as Readable)).equals(sent)).toBe(true);
  });
});

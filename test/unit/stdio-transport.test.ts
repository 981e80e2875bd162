/**
 * The stdio transport under back-pressure: when the client reads stdout slowly, messages wait for
 * the pipe to drain (none lost, none reordered) on one 'drain' listener, however many calls send.
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineDelimitedStdioTransport } from '../../src/transports/stdio-transport.js';

describe('LineDelimitedStdioTransport.send', () => {
  it('waits for a full pipe on one drain listener and delivers every message in order', async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    // A pipe that takes one small write, then holds the rest until the test lets it go.
    const stdout = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        if (release === undefined) release = callback;
        else callback();
      },
    });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const transport = new LineDelimitedStdioTransport(new PassThrough(), stdout);
      const sends = Array.from({ length: 50 }, (_, id) =>
        transport.send({
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: 1, progress: id },
        }),
      );
      expect(stdout.listenerCount('drain')).toBe(1);
      release!();
      await Promise.all(sends);
      const progress = written
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).params.progress);
      expect(progress).toEqual(Array.from({ length: 50 }, (_, id) => id));
      expect(stdout.listenerCount('drain')).toBe(0);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

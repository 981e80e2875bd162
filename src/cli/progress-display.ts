/**
 * Progress on stderr while a call runs: a spinner with the elapsed seconds on one rewritten line
 * when stderr is a terminal, plain lines otherwise (logs, CI). stdout is left for the results.
 */
import type { Progress } from '@modelcontextprotocol/sdk/types.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  const started = performance.now();
  let message = 'starting';
  if (!stream.isTTY) {
    return {
      update: (progress) => {
        if (progress.message) stream.write(`apiyi-flux-mcp: ${progress.message}\n`);
      },
      stop: () => undefined,
    };
  }
  let frame = 0;
  const draw = (): void => {
    const seconds = Math.floor((performance.now() - started) / 1000);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${message} (${seconds} s)`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update: (progress) => {
      // "waiting for <model>: 10 s" carries its own seconds; the spinner shows them already.
      message = progress.message?.replace(/: \d+ s$/, '') ?? message;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}

/**
 * Progress on stderr while a call runs: a spinner with the elapsed seconds on one rewritten line
 * when stderr is a terminal, plain lines otherwise (logs, CI). stdout is left for the results.
 * Log lines pass through it too, so a line never lands on the spinner's; each event is told once,
 * by the progress (the server logs what progress already says below the CLI's log level).
 */
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { SERVER_NAME } from '../core/version.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface ProgressDisplay {
  update(progress: Progress): void;
  /** A finished line (ending in a newline) from elsewhere: the log, a warning. */
  log(line: string): void;
  stop(): void;
}

export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  const started = performance.now();
  let message = 'starting';
  if (!stream.isTTY) {
    return {
      update: (progress) => {
        if (progress.message) stream.write(`${SERVER_NAME}: ${progress.message}\n`);
      },
      log: (line) => stream.write(line),
      stop: () => undefined,
    };
  }
  let frame = 0;
  let stopped = false;
  const draw = (): void => {
    const seconds = Math.floor((performance.now() - started) / 1000);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${message} (${seconds} s)`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update: (progress) => {
      // "waiting for <model>: 10 s" carries its own seconds; the spinner shows them already.
      message = progress.message?.replace(/: \d+ s( \(job_\w+\))?$/, '$1') ?? message;
      draw();
    },
    log: (line) => {
      // Clear the spinner's line, write the whole line, and draw the spinner again below it.
      stream.write(`\r\x1b[2K${line}`);
      if (!stopped) draw();
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}

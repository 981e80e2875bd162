/**
 * A stdio client transport that spawns the server and keeps every raw line the server wrote to
 * stdout, so a test can assert that stdout carries JSON-RPC and nothing else. (The SDK's
 * StdioClientTransport parses stdout itself and does not expose the raw lines.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

export class RecordingStdioTransport implements Transport {
  readonly stdoutLines: string[] = [];
  readonly stderrChunks: string[] = [];
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  child: ChildProcess | undefined;
  private pending = '';

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async start(): Promise<void> {
    const child = spawn(this.command, this.args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.pending += chunk;
      for (let newline = this.pending.indexOf('\n'); newline >= 0; newline = this.pending.indexOf('\n')) {
        const line = this.pending.slice(0, newline);
        this.pending = this.pending.slice(newline + 1);
        this.stdoutLines.push(line);
        try {
          this.onmessage?.(JSONRPCMessageSchema.parse(JSON.parse(line)));
        } catch (error) {
          this.onerror?.(error as Error);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.stderrChunks.push(chunk));
    child.on('close', () => this.onclose?.());
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.child!.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends stdin (as a client does) and waits for the process to exit; returns its exit code. */
  async close(): Promise<void> {
    await this.endAndWait();
  }

  async endAndWait(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin!.end();
    return exited;
  }

  /** Whatever was left after the last newline: must be empty. */
  get trailing(): string {
    return this.pending;
  }
}

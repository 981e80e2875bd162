/** A Node program run to its end as a terminal would (the CLI, the demo): its exit code and output. */
import { spawn } from 'node:child_process';

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node ...args` with exactly `env` (nothing inherited) and no stdin. */
export function runNode(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<Run> {
  const child = spawn(process.execPath, [...args], { env, ...(cwd ? { cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * Jobs on disk: one record per image call the server ran, so that a call handed off to
 * `wait_for_image`, or abandoned by a client that stopped waiting, is found again (by this process
 * after the fact, by another process sharing the folder, or after a restart) and so that a result
 * no client received is handed out once instead of being bought again.
 *
 * Behind a small interface: the file backend keeps `<output dir>/.flux-mcp/jobs/<id>.json`; a team
 * deployment can put the same records in a database. A job's "delivered" mark is a separate file
 * created exclusively (`<id>.delivered`), so two processes can never hand out the same result.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { readRegularFile } from './regular-file.js';
import { STATE_DIR } from './state-dir.js';

export const JOB_SCHEMA = 'flux-mcp.job/1';

/** "job_" + milliseconds since 1970 in base 36 (8 characters until 2059) + 6 random letters. */
const JOB_ID = /^job_([0-9a-z]{8,9})([0-9a-z]{6})$/;

/** A key's tag in a file name: 16 hex digits of its sha256. */
function keyTag(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function newJobId(now = Date.now()): string {
  const random = [...randomBytes(6)].map((byte) => (byte % 36).toString(36)).join('');
  return `job_${now.toString(36)}${random}`;
}

export function isJobId(text: string): boolean {
  return JOB_ID.test(text);
}

/** When a job was started, from its id alone. */
function jobStartedAt(id: string): number | undefined {
  const time = JOB_ID.exec(id)?.[1];
  return time === undefined ? undefined : Number.parseInt(time, 36);
}

const failureRecordSchema = z.object({
  category: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  requestId: z.string().optional(),
});
export type FailureRecord = z.output<typeof failureRecordSchema>;

const jobRecordSchema = z.object({
  schema: z.literal(JOB_SCHEMA),
  id: z.string().regex(JOB_ID),
  tool: z.string(),
  model: z.string(),
  /** The effective arguments' digest: equal keys would buy the same image. */
  key: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The process running it, so another process can tell a live job from one whose server stopped. */
  pid: z.number().int(),
  host: z.string(),
  /** done: the result as the call returned it, images aside (rebuilt from the files). */
  result: z
    .object({
      structured: z.record(z.string(), z.unknown()),
      preview: z.boolean(),
      resourceLink: z.boolean(),
    })
    .optional(),
  failure: failureRecordSchema.optional(),
  /** No client received the result: it may be handed to an identical call (once, by `claim`). */
  abandoned: z.boolean().optional(),
});
export type JobRecord = z.output<typeof jobRecordSchema>;

export interface JobStore {
  write(record: JobRecord): Promise<void>;
  read(id: string): Promise<JobRecord | undefined>;
  /** Marks a job's result as received by a client; false when it already was (by anyone). */
  claim(id: string): Promise<boolean>;
  isClaimed(id: string): Promise<boolean>;
  /**
   * Undelivered jobs (done, abandoned by their caller) started at or after `since` with this key,
   * newest first: the ones an identical call may be handed. Costs no more with many jobs stored.
   */
  undeliveredWithKey(key: string, since: number): Promise<JobRecord[]>;
}

/** How long job records are kept: a handed-off job is collected within minutes; a week is plenty. */
const KEEP_MS = 7 * 24 * 3600 * 1000;

export class FileJobStore implements JobStore {
  private readonly dir: string;
  private swept = false;

  constructor(outputDir: string) {
    this.dir = path.join(outputDir, STATE_DIR, 'jobs');
  }

  private file(id: string, suffix = '.json'): string {
    if (!isJobId(id)) throw new Error(`not a job id: ${id}`);
    return path.join(this.dir, `${id}${suffix}`);
  }

  async write(record: JobRecord): Promise<void> {
    const target = this.file(record.id);
    await this.ensureDir();
    // A whole record or the previous one, never half of one: temp file, then rename over it.
    const temp = path.join(this.dir, `.${record.id}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temp, `${JSON.stringify(jobRecordSchema.parse(record))}\n`, { mode: 0o600 });
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    // Marked by its key, so a call looks for the undelivered results it may be handed without
    // reading every job record (which made each call slower the more calls the folder had seen).
    if (record.state === 'done' && record.abandoned) {
      await writeFile(this.undeliveredMark(record.id, record.key), '', { mode: 0o600, flag: 'w' });
    }
  }

  private undeliveredMark(id: string, key: string): string {
    return this.file(id, `.${keyTag(key)}.undelivered`);
  }

  async read(id: string): Promise<JobRecord | undefined> {
    if (!isJobId(id)) return undefined;
    try {
      const parsed = jobRecordSchema.safeParse(JSON.parse(await readRegularFile(this.file(id), 1_000_000)));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async claim(id: string): Promise<boolean> {
    await this.ensureDir();
    try {
      const handle = await open(this.file(id, '.delivered'), 'wx', 0o600);
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  async isClaimed(id: string): Promise<boolean> {
    return stat(this.file(id, '.delivered')).then(
      () => true,
      () => false,
    );
  }

  async undeliveredWithKey(key: string, since: number): Promise<JobRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const mark = new RegExp(`^(job_[0-9a-z]+)\\.${keyTag(key)}\\.undelivered$`);
    // The id says when a job started: only recent ones are read.
    const recent = names
      .map((name) => mark.exec(name)?.[1])
      .filter((id): id is string => id !== undefined && (jobStartedAt(id) ?? 0) >= since)
      .sort()
      .reverse();
    const records: JobRecord[] = [];
    for (const id of recent) {
      const record = await this.read(id);
      if (record?.key === key && record.state === 'done' && record.abandoned) records.push(record);
    }
    return records;
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (!this.swept) {
      this.swept = true;
      void this.sweep().catch(() => undefined);
    }
  }

  /** Records older than a week go, with their delivered marks. */
  private async sweep(now = Date.now()): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const id = /^(job_[0-9a-z]+)\.(json|delivered|[0-9a-f]{16}\.undelivered)$/.exec(name)?.[1];
      const started = id === undefined ? undefined : jobStartedAt(id);
      if (started !== undefined && now - started > KEEP_MS) await rm(path.join(this.dir, name), { force: true });
    }
  }
}

/** Whether the process that wrote a record can still be running it. */
export function writerAlive(record: JobRecord): boolean {
  if (record.host !== os.hostname()) return true; // Another machine: assume it is (no way to tell).
  if (record.pid === process.pid) return true;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The job store's look-up for undelivered results: only jobs that finished with no client to take
 * their result, with the same key, recent enough; and found without reading every other record, so
 * a folder that has seen thousands of calls does not slow each new one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileJobStore, JOB_SCHEMA, type JobRecord, newJobId } from '../../src/library/job-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-jobs-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function record(key: string, state: JobRecord['state'], abandoned: boolean, startedAt = Date.now()): JobRecord {
  const at = new Date(startedAt).toISOString();
  return {
    schema: JOB_SCHEMA,
    id: newJobId(startedAt),
    tool: 'generate_image',
    model: 'flux-2-pro',
    key,
    state,
    createdAt: at,
    updatedAt: at,
    pid: process.pid,
    host: os.hostname(),
    ...(state === 'done' ? { result: { structured: { images: [] }, preview: false, resourceLink: false } } : {}),
    ...(abandoned ? { abandoned: true } : {}),
  };
}

describe('FileJobStore.undeliveredWithKey', () => {
  it('finds only undelivered jobs of the key, recent ones, reading no other record', async () => {
    const store = new FileJobStore(dir);
    const wanted = record('key-a', 'done', true);
    const others = [
      ...Array.from({ length: 40 }, () => record('key-a', 'done', false)), // delivered
      record('key-a', 'running', false),
      record('key-a', 'failed', true),
      record('key-b', 'done', true), // another key
      record('key-a', 'done', true, Date.now() - 2 * 3600 * 1000), // too old
    ];
    for (const r of [...others, wanted]) await store.write(r);

    const reads = vi.spyOn(store, 'read');
    const found = await store.undeliveredWithKey('key-a', Date.now() - 30 * 60 * 1000);
    expect(found.map((r) => r.id)).toEqual([wanted.id]);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('finds a job once its record says it was abandoned after it finished', async () => {
    const store = new FileJobStore(dir);
    const done = record('key-c', 'done', false);
    await store.write(done);
    expect(await store.undeliveredWithKey('key-c', 0)).toEqual([]);
    await store.write({ ...done, abandoned: true });
    expect((await store.undeliveredWithKey('key-c', 0)).map((r) => r.id)).toEqual([done.id]);
  });
});

/**
 * One call's private directory for its input images (copies, downloads, cleaned and normalized
 * versions): inside this user's 0700 temp root, so no other user can read or swap them between
 * the checks and the upload. Removed when the call has sent its request.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { privateWorkDir } from '../../core/private-dir.js';

export class Workspace {
  private count = 0;

  private constructor(readonly dir: string) {}

  static async open(): Promise<Workspace> {
    return new Workspace(await privateWorkDir());
  }

  /** A new file name in the workspace (not created). */
  file(label: string): string {
    this.count += 1;
    return path.join(this.dir, `${this.count}-${label}`);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

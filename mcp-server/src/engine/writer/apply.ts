import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface FileWrite {
  absolutePath: string;
  content: string;
  /** Content to put back if the run fails after this file was written; undefined = the file did not exist. */
  previous: string | undefined;
}

function atomicWrite(absolutePath: string, content: string): void {
  const temp = `${absolutePath}.${randomBytes(6).toString("hex")}.senior-devops.tmp`;
  try {
    writeFileSync(temp, content, { flag: "wx" });
    renameSync(temp, absolutePath);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** mkdir -p that remembers the directories it created, so a rollback can remove them. */
function ensureDirectory(dir: string, created: string[]): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    mkdirSync(d);
    created.push(d);
  }
}

/**
 * Writes every file atomically (temp file + rename). If any write fails, every file already written in this
 * run is restored to its previous content (or removed), and directories this run created are removed.
 */
export function applyWrites(writes: FileWrite[], beforeEach?: (write: FileWrite, index: number) => void): void {
  const done: FileWrite[] = [];
  const createdDirs: string[] = [];
  try {
    writes.forEach((write, index) => {
      beforeEach?.(write, index);
      ensureDirectory(dirname(write.absolutePath), createdDirs);
      atomicWrite(write.absolutePath, write.content);
      done.push(write);
    });
  } catch (error) {
    for (const write of done.reverse()) {
      try {
        if (write.previous === undefined) rmSync(write.absolutePath, { force: true });
        else atomicWrite(write.absolutePath, write.previous);
      } catch {
        // Best effort: keep restoring the others; the original error is what the caller reports.
      }
    }
    for (const dir of createdDirs.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty (something else lives there) or already gone.
      }
    }
    throw error;
  }
}

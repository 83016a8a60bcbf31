import {
  closeSync, constants, existsSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync,
  readlinkSync, renameSync, rmdirSync, type Stats, unlinkSync, writeSync,
} from "node:fs";
import { join } from "node:path";
import { InputError } from "../core/types.ts";
import { isInside } from "./paths.ts";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW } = constants;

/**
 * Linux gives every open directory a stable name, /proc/self/fd/<fd>: a path through it is resolved from the
 * directory we hold open (like the *at() system calls Node does not expose), not by walking the path again.
 */
const PROC_FD = process.platform === "linux" && existsSync("/proc/self/fd");

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** A directory of the target held for one operation: `fd` on Linux, else its checked absolute path. */
interface Dir {
  rel: string;
  fd?: number;
  abs: string;
}

/**
 * Every read and write the writer makes inside the target root, done so that a symlink (or a file) planted in any
 * component — before or during the run — is refused instead of followed:
 *
 * - Linux: each directory is opened component by component from the root with O_DIRECTORY|O_NOFOLLOW, each
 *   relative to the one before (through /proc/self/fd), and the file operation is made relative to the last one.
 *   A component swapped for a symlink at any moment makes the open fail (ELOOP/ENOTDIR); a swap after the open
 *   cannot redirect the operation, because it goes to the directory we hold, not to whatever the path names now.
 *   After each create/rename the held directory's current path is checked to be the expected one inside the root.
 *   Residual race: a directory of the tree that someone *moves* (rename(2), not replace) out of the root between
 *   that check and our operation still receives that one operation (it is the directory we opened inside the
 *   root). The check right after it detects the move: a created temp file is taken back at once, but a rename
 *   that had already landed stays in the moved directory with its backup link, and the run is rolled back as far
 *   as the paths inside the root still reach. A directory replaced by a symlink never receives anything.
 * - Elsewhere: each component is lstat-ed immediately before the operation (no symlinks, real directories), which
 *   leaves a window of a few microseconds between the check and the system call.
 */
export class SafeRoot {
  readonly root: string;

  /** `realRoot` must already be a real path (no symlinks), e.g. from resolveRoot. */
  constructor(realRoot: string) {
    this.root = realRoot;
  }

  /** Absolute path for messages. */
  absolute(rel: string): string {
    return rel === "." ? this.root : join(this.root, ...rel.split("/"));
  }

  private fail(rel: string, what: string): never {
    throw new InputError(`${rel} ${what}; refusing to follow or replace it`);
  }

  /** Explains why a component could not be opened as a directory, as bad input. */
  private explain(parent: Dir, name: string, rel: string, error: unknown): never {
    const code = errnoOf(error);
    if (code === "ENOENT") throw error;
    let stats: Stats | undefined;
    try {
      stats = lstatSync(this.at(parent, name));
    } catch {
      stats = undefined;
    }
    if (stats?.isSymbolicLink()) this.fail(rel, "is a symlink (it may have been planted while this run was writing)");
    if (stats && !stats.isDirectory()) this.fail(rel, "is a file where a directory is expected");
    throw error;
  }

  private at(dir: Dir, name: string): string {
    return dir.fd !== undefined ? `/proc/self/fd/${dir.fd}/${name}` : join(dir.abs, name);
  }

  private close(dir: Dir): void {
    if (dir.fd !== undefined) closeSync(dir.fd);
  }

  /** Proves the held directory still is `<root>/<rel>` (Linux); else the tree moved under us. */
  private verify(dir: Dir): void {
    if (dir.fd === undefined) return;
    const now = readlinkSync(`/proc/self/fd/${dir.fd}`);
    if (now !== dir.abs || !isInside(this.root, now)) {
      throw new InputError(`${dir.rel} was moved while this run was writing into it (now ${now}); the run is rolled back`);
    }
  }

  /**
   * Opens directory `rel` ("." = root), refusing symlinks and non-directories in every component. With
   * `onCreate`, missing components are created (and reported, so a rollback can remove them); without it, a
   * missing component throws ENOENT.
   */
  private openDir(rel: string, onCreate?: (relDir: string) => void): Dir {
    const parts = rel === "." ? [] : rel.split("/");
    let dir: Dir = PROC_FD ? { rel: ".", abs: this.root, fd: openSync(this.root, O_RDONLY | O_DIRECTORY) } : { rel: ".", abs: this.root };
    try {
      for (const name of parts) {
        const childRel = dir.rel === "." ? name : `${dir.rel}/${name}`;
        const childAbs = join(dir.abs, name);
        const path = this.at(dir, name);
        let child: Dir;
        const open = (): Dir => {
          if (PROC_FD) return { rel: childRel, abs: childAbs, fd: openSync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) };
          const stats = lstatSync(path);
          if (stats.isSymbolicLink()) this.fail(childRel, "is a symlink");
          if (!stats.isDirectory()) this.fail(childRel, "is a file where a directory is expected");
          return { rel: childRel, abs: childAbs };
        };
        try {
          child = open();
        } catch (error) {
          if (errnoOf(error) !== "ENOENT" || !onCreate) {
            if (errnoOf(error) === "ENOENT") throw error;
            this.explain(dir, name, childRel, error);
          }
          try {
            mkdirSync(path);
            onCreate(childRel);
          } catch (mkdirError) {
            if (errnoOf(mkdirError) !== "EEXIST") throw mkdirError;
          }
          try {
            child = open();
          } catch (again) {
            this.explain(dir, name, childRel, again);
          }
        }
        this.close(dir);
        dir = child;
      }
      this.verify(dir);
      return dir;
    } catch (error) {
      this.close(dir);
      throw error;
    }
  }

  private withParent<T>(rel: string, fn: (dir: Dir, name: string) => T, onCreate?: (relDir: string) => void): T {
    const i = rel.lastIndexOf("/");
    const dir = this.openDir(i < 0 ? "." : rel.slice(0, i), onCreate);
    try {
      return fn(dir, i < 0 ? rel : rel.slice(i + 1));
    } finally {
      this.close(dir);
    }
  }

  /** Content of a regular file, or undefined when it (or a parent) does not exist. Symlinks are refused. */
  readFile(rel: string): string | undefined {
    try {
      return this.withParent(rel, (dir, name) => {
        let fd: number;
        try {
          fd = openSync(this.at(dir, name), O_RDONLY | O_NOFOLLOW);
        } catch (error) {
          if (errnoOf(error) === "ELOOP") this.fail(rel, "is a symlink");
          throw error;
        }
        try {
          return readFileSync(fd, "utf8");
        } finally {
          closeSync(fd);
        }
      });
    } catch (error) {
      if (errnoOf(error) === "ENOENT") return undefined;
      if (errnoOf(error) === "EISDIR") this.fail(rel, "is a directory where a file is expected");
      throw error;
    }
  }

  /** lstat of `rel`, or undefined when it (or a parent) does not exist. */
  lstat(rel: string): Stats | undefined {
    try {
      return this.withParent(rel, (dir, name) => lstatSync(this.at(dir, name)));
    } catch (error) {
      if (errnoOf(error) === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Names in directory `rel`, or [] when it does not exist. */
  list(rel: string): string[] {
    let dir: Dir;
    try {
      dir = this.openDir(rel);
    } catch (error) {
      if (errnoOf(error) === "ENOENT") return [];
      throw error;
    }
    try {
      return readdirSync(dir.fd !== undefined ? `/proc/self/fd/${dir.fd}` : dir.abs);
    } finally {
      this.close(dir);
    }
  }

  /** Creates `rel` exclusively (never through a link, never over anything) and syncs it; parents are created. */
  createExclusive(rel: string, content: string | Buffer, onCreateDir?: (relDir: string) => void): void {
    this.withParent(rel, (dir, name) => {
      const fd = openSync(this.at(dir, name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
      try {
        const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
        for (let offset = 0; offset < data.length;) offset += writeSync(fd, data, offset, data.length - offset);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        this.verify(dir);
      } catch (error) {
        unlinkSync(this.at(dir, name)); // the directory left the root under us: take back what we put in it
        throw error;
      }
    }, onCreateDir ?? (() => undefined));
  }

  /** rename(2) of two names in one directory of the tree. */
  renameWithin(relDir: string, from: string, to: string): void {
    const dir = this.openDir(relDir);
    try {
      renameSync(this.at(dir, from), this.at(dir, to));
      this.verify(dir);
    } finally {
      this.close(dir);
    }
  }

  /** link(2) `from` to a new name `to` in one directory (links the entry itself, never a symlink's target). */
  linkWithin(relDir: string, from: string, to: string): void {
    const dir = this.openDir(relDir);
    try {
      linkSync(this.at(dir, from), this.at(dir, to));
      this.verify(dir);
    } finally {
      this.close(dir);
    }
  }

  /** Removes a file (or symlink entry); false when it was not there. */
  unlink(rel: string): boolean {
    try {
      this.withParent(rel, (dir, name) => unlinkSync(this.at(dir, name)));
      return true;
    } catch (error) {
      if (errnoOf(error) === "ENOENT") return false;
      throw error;
    }
  }

  /** Removes an empty directory; false when it is gone, not empty or not a directory. */
  rmdirIfEmpty(rel: string): boolean {
    try {
      this.withParent(rel, (dir, name) => {
        const stats = lstatSync(this.at(dir, name));
        if (!stats.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
        rmdirSync(this.at(dir, name));
      });
      return true;
    } catch (error) {
      if (["ENOENT", "ENOTEMPTY", "EEXIST", "ENOTDIR"].includes(errnoOf(error) ?? "")) return false;
      throw error;
    }
  }

  /** mkdir -p of `rel`, refusing links; reports each directory it created. */
  mkdirs(rel: string, onCreate: (relDir: string) => void = () => undefined): void {
    this.close(this.openDir(rel, onCreate));
  }
}

/** Posix parent of a relative path ("." for a top-level name). */
export function parentOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "." : rel.slice(0, i);
}

export function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf("/") + 1);
}

import { lstatSync, realpathSync } from "node:fs";
import { isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { InputError } from "../core/types.ts";

/** One path segment a user (or analysis) supplied that becomes part of an output path, e.g. an app or env name. */
export function assertSafeSegment(value: string, what: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) {
    throw new InputError(`${what} "${value}" is not valid: use lowercase letters, digits and '-', starting and ending with a letter or digit (max 63)`);
  }
  return value;
}

/**
 * Normalises a generated file's relative path and proves it stays inside the root: no absolute paths, no `..`
 * segments, no empty or dot segments, no backslashes or NULs. Returns the posix form.
 */
export function normaliseRelativePath(path: string): string {
  if (path.length === 0) throw new InputError("empty output path");
  if (path.includes("\0") || path.includes("\\")) throw new InputError(`output path ${JSON.stringify(path)} contains a forbidden character`);
  if (isAbsolute(path) || posix.isAbsolute(path) || /^[A-Za-z]:/.test(path)) throw new InputError(`output path ${JSON.stringify(path)} is absolute`);
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === "..") {
      throw new InputError(`output path ${JSON.stringify(path)} has an empty, '.' or '..' segment`);
    }
  }
  return segments.join("/");
}

/**
 * The absolute location for a relative output path, after checking that no existing component of it is a
 * symlink leading outside the root (the real path of the deepest existing ancestor must be inside the real root).
 */
export function resolveInsideRoot(root: string, relativePath: string): string {
  const rel = normaliseRelativePath(relativePath);
  const realRoot = realpathSync(root);
  const target = join(realRoot, ...rel.split("/"));
  let probe = target;
  // Walk up to the deepest component that exists, then resolve symlinks on it.
  for (;;) {
    let exists = false;
    try {
      lstatSync(probe);
      exists = true;
    } catch {
      exists = false;
    }
    if (exists) {
      let real: string;
      try {
        real = realpathSync(probe);
      } catch (error) {
        const at = relative(realRoot, probe) || ".";
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw new InputError(`output path ${rel} goes through ${at}, a dangling symlink; remove it or point it inside the repository`);
        if (code === "ELOOP") throw new InputError(`output path ${rel} goes through ${at}, a symlink loop`);
        throw error;
      }
      if (!isInside(realRoot, real)) throw new InputError(`output path ${rel} resolves outside the target root (through a symlink)`);
      if (probe === target && lstatSync(probe).isSymbolicLink()) {
        throw new InputError(`output path ${rel} is a symlink; refusing to write through it`);
      }
      break;
    }
    const parent = resolve(probe, "..");
    if (parent === probe || !isInside(realRoot, parent)) break;
    probe = parent;
  }
  return target;
}

export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

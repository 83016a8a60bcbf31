import type { ZodError } from "zod";

/** One line per problem, naming the field and (for enums) the valid values zod reports. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join(".") : "input";
      return `${field}: ${issue.message}`;
    })
    .join("\n");
}

/**
 * A run that could not complete for a reason outside the input: a read-only or full file system, a file size
 * limit, missing permissions, another run holding the repository's lock. The adapters print the message (no stack)
 * and exit 1 / return isError. `nothingWritten` is false only when a rollback could not finish either.
 */
export class RunFailure extends Error {
  override name = "RunFailure";
  readonly nothingWritten: boolean;
  /** 2 when the repository's own shape refused the run (a symlink planted mid-run), else 1. */
  readonly exitCode: 1 | 2;
  constructor(message: string, options: { nothingWritten?: boolean; cause?: unknown; exitCode?: 1 | 2 } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.nothingWritten = options.nothingWritten ?? true;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** The repository's shape is in the way (input-like: exit 2): dangling or looping symlinks, a file for a directory. */
const SHAPE_ERRORS: Record<string, string> = {
  ENOENT: "does not exist (a dangling symlink, or it was removed while the run was reading)",
  ELOOP: "is a symlink loop (or a symlink where none may be)",
  ENOTDIR: "has a file where a directory is expected",
  EISDIR: "is a directory where a file is expected",
  ENAMETOOLONG: "is a name too long for this file system",
};

/** The environment refused (exit 1). */
const ENVIRONMENT_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large for the limits of this process (ulimit -f) or file system",
  EMFILE: "too many open files",
  ENFILE: "too many open files on the system",
  EIO: "input/output error",
  EBUSY: "the file or device is busy",
  EXDEV: "crosses file systems",
};

export interface UserFacingError {
  message: string;
  /** 1: the run failed; 2: bad input (README "Exit codes"). */
  exitCode: 1 | 2;
  nothingWritten: boolean;
}

/**
 * Turns a file-system error from anywhere in a run into a one-line message naming the path and the cause, with
 * its exit code; undefined for errors that are bugs (the adapters report those as internal errors).
 */
export function describeFileSystemError(error: unknown): UserFacingError | undefined {
  if (error instanceof RunFailure) return { message: error.message, exitCode: error.exitCode, nothingWritten: error.nothingWritten };
  const e = error as NodeJS.ErrnoException | undefined;
  const cause = describeErrno(e);
  if (!e || !cause) return undefined;
  const path = typeof e.path === "string" ? ` ${e.path.replace(/^\/proc\/self\/fd\/\d+\//, "…/")}` : "";
  const prefix = `cannot ${e.syscall ?? "access"}${path}`;
  return { message: cause.shape ? `${prefix}: it ${cause.text}` : `${prefix}: ${cause.text}`, exitCode: cause.shape ? 2 : 1, nothingWritten: true };
}

/** What an errno means for a person ("no space left on the device (ENOSPC)"), and whether it is the repository's shape. */
export function describeErrno(error: unknown): { text: string; shape: boolean } | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string") return undefined;
  if (SHAPE_ERRORS[code]) return { text: `${SHAPE_ERRORS[code]} (${code})`, shape: true };
  if (ENVIRONMENT_ERRORS[code]) return { text: `${ENVIRONMENT_ERRORS[code]} (${code})`, shape: false };
  return undefined;
}

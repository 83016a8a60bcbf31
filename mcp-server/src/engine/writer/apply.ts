import { randomBytes } from "node:crypto";
import { z } from "zod";
import { describeErrno, RunFailure } from "../core/errors.ts";
import { InputError } from "../core/types.ts";
import { sha256 } from "./manifest.ts";
import { baseOf, parentOf, type SafeRoot } from "./safe-fs.ts";

/** The run's journal: written before the first rename, removed when the run is complete or rolled back. */
export const JOURNAL_PATH = ".senior-devops/journal.json";
/** Names of our temp files and backups: `<name>.<12 hex>.senior-devops.tmp|bak`. Only a run holding the lock makes them. */
export const TEMP_NAME = /\.[0-9a-f]{12}\.senior-devops\.(tmp|bak)$/;

export interface FileWrite {
  /** Relative posix path inside the root (already normalised and checked). */
  path: string;
  content: string;
  /** Whether a file is there now (it is kept, hard-linked, as the backup until the run is complete). */
  existed: boolean;
}

const journalSchema = z.object({
  version: z.literal(1),
  runId: z.string().regex(/^[0-9a-f]{12}$/),
  pid: z.number(),
  /** prepared: renames may have happened, roll back. committed: every rename happened, only clean up. */
  state: z.enum(["prepared", "committed"]),
  entries: z.array(z.object({ path: z.string(), tmp: z.string(), bak: z.string().optional(), sha256: z.string() })),
  /** Directories this run creates, parents first; removed again (when empty) by a rollback. */
  createdDirs: z.array(z.string()),
});
type Journal = z.infer<typeof journalSchema>;

/** Test-only slow motion (crash and race tests): sleep this many ms after every step of a commit. */
function testDelay(): void {
  const ms = Number(process.env.SENIOR_DEVOPS_TEST_WRITE_DELAY_MS ?? 0);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeJournal(safe: SafeRoot, journal: Journal): void {
  const tmp = `${JOURNAL_PATH}.${randomBytes(6).toString("hex")}.senior-devops.tmp`;
  safe.createExclusive(tmp, `${JSON.stringify(journal, null, 2)}\n`);
  try {
    safe.renameWithin(parentOf(JOURNAL_PATH), baseOf(tmp), baseOf(JOURNAL_PATH));
  } catch (error) {
    safe.unlink(tmp);
    throw error;
  }
}

/** Where a failure happened, as a message that names the repository path rather than a file descriptor. */
function explain(error: unknown, path: string): string {
  if (error instanceof InputError || error instanceof RunFailure) return error.message;
  const described = describeErrno(error);
  return described ? `${path}: ${described.shape ? "it " : ""}${described.text}` : `${path}: ${(error as Error).message}`;
}

/**
 * Puts everything back as it was before the journal's run: backups renamed over their files, files the run
 * created removed (only if they still hold what the run wrote), temp files and created directories removed.
 * Returns problems it could not fix (empty = fully restored).
 */
function rollBack(safe: SafeRoot, journal: Journal): { problems: string[]; unreachable: string[] } {
  const problems: string[] = [];
  const unreachable: string[] = [];
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      // A symlink or file now stands where our directory was: what we wrote went with the directory (the one we
      // held, inside the root); the path itself holds nothing of ours to undo, and it must not be followed.
      if (error instanceof InputError) unreachable.push(what);
      else problems.push(`${what}: ${explain(error, what)}`);
    }
  };
  for (const entry of [...journal.entries].reverse()) {
    const dir = parentOf(entry.path);
    const at = (name: string) => (dir === "." ? name : `${dir}/${name}`);
    attempt(at(entry.tmp), () => safe.unlink(at(entry.tmp)));
    if (entry.bak !== undefined) {
      const bak = entry.bak;
      attempt(entry.path, () => {
        if (safe.lstat(at(bak)) === undefined) return; // never linked: the file was not replaced
        safe.renameWithin(dir, bak, baseOf(entry.path));
        safe.unlink(at(bak)); // still there when backup and file were one inode (crash between link and rename)
      });
    } else {
      attempt(entry.path, () => {
        const current = safe.readFile(entry.path);
        if (current !== undefined && sha256(current) === entry.sha256) safe.unlink(entry.path);
      });
    }
  }
  for (const dir of [...journal.createdDirs].reverse()) attempt(dir, () => safe.rmdirIfEmpty(dir));
  return { problems, unreachable: unreachable.filter((p) => !TEMP_NAME.test(p) && !journal.createdDirs.includes(p)) };
}

function cleanUp(safe: SafeRoot, journal: Journal): void {
  for (const entry of journal.entries) {
    const dir = parentOf(entry.path);
    const at = (name: string) => (dir === "." ? name : `${dir}/${name}`);
    safe.unlink(at(entry.tmp));
    if (entry.bak !== undefined) safe.unlink(at(entry.bak));
  }
}

/**
 * Finishes what an interrupted run (killed, crashed, power lost) left: a committed run is cleaned up, anything
 * else is rolled back, so the tree and the manifest are either all old or all new. Call with the run lock held.
 * Returns a warning for the result, or undefined when there was nothing to recover.
 */
export function recoverInterruptedRun(safe: SafeRoot): string | undefined {
  const text = safe.readFile(JOURNAL_PATH);
  if (text === undefined) return undefined;
  let journal: Journal;
  try {
    journal = journalSchema.parse(JSON.parse(text));
  } catch {
    throw new RunFailure(`${JOURNAL_PATH} (left by an interrupted run) is unreadable, so it cannot be finished or rolled back safely; inspect the files it names, then delete it and re-run`);
  }
  if (journal.state === "committed") {
    cleanUp(safe, journal);
    safe.unlink(JOURNAL_PATH);
    return `an earlier run (pid ${journal.pid}) was interrupted after writing all its files; its leftovers were cleaned up`;
  }
  const { problems } = rollBack(safe, journal);
  if (problems.length > 0) {
    throw new RunFailure(`an earlier run (pid ${journal.pid}) was interrupted and could not be rolled back completely:\n  ${problems.join("\n  ")}\n${JOURNAL_PATH} is kept so the next run tries again`, { nothingWritten: false });
  }
  safe.unlink(JOURNAL_PATH);
  return `an earlier run (pid ${journal.pid}) was interrupted before it finished; its partial writes were rolled back`;
}

/** Removes temp files and backups of ours in `dirs` (with the lock held, every one of them is stale). */
export function removeStaleTemps(safe: SafeRoot, dirs: Iterable<string>): number {
  let removed = 0;
  for (const dir of new Set(dirs)) {
    for (const name of safe.list(dir)) {
      if (!TEMP_NAME.test(name)) continue;
      const rel = dir === "." ? name : `${dir}/${name}`;
      if (safe.lstat(rel)?.isFile() && safe.unlink(rel)) removed++;
    }
  }
  return removed;
}

/**
 * Writes every file all-or-nothing, and crash-consistently (call with the run lock held):
 * 1. the journal (every target, its temp and backup name, the new content's hash, the directories to create);
 * 2. every new content into a synced temp file beside its target;
 * 3. per file: the existing file hard-linked as its backup, then the temp renamed over it;
 * 4. the journal marked committed, backups removed, journal removed.
 * Any failure (including a symlink planted mid-run, which every operation refuses) rolls everything back; a
 * process killed anywhere is rolled back (or cleaned up, past step 4) by the next run's recoverInterruptedRun.
 * `step` is called after every operation (tests inject faults through it).
 */
export function applyWrites(safe: SafeRoot, writes: FileWrite[], step?: (label: string) => void): void {
  if (writes.length === 0) return;
  const runId = randomBytes(6).toString("hex");
  const after = (label: string) => {
    testDelay();
    step?.(label);
  };
  const missingDirs: string[] = [];
  for (const write of writes) {
    const chain: string[] = [];
    for (let dir = parentOf(write.path); dir !== "."; dir = parentOf(dir)) {
      if (safe.lstat(dir) !== undefined) break;
      chain.unshift(dir);
    }
    for (const dir of chain) if (!missingDirs.includes(dir)) missingDirs.push(dir);
  }
  if (safe.lstat(parentOf(JOURNAL_PATH)) === undefined) missingDirs.unshift(parentOf(JOURNAL_PATH));
  const journal: Journal = {
    version: 1, runId, pid: process.pid, state: "prepared", createdDirs: missingDirs,
    entries: writes.map((w) => ({
      path: w.path, tmp: `${baseOf(w.path)}.${runId}.senior-devops.tmp`,
      ...(w.existed ? { bak: `${baseOf(w.path)}.${runId}.senior-devops.bak` } : {}), sha256: sha256(w.content),
    })),
  };
  let current = JOURNAL_PATH;
  try {
    safe.mkdirs(parentOf(JOURNAL_PATH));
    writeJournal(safe, journal);
    after("journal");
    writes.forEach((write, i) => {
      const entry = journal.entries[i]!;
      const dir = parentOf(write.path);
      current = write.path;
      safe.createExclusive(dir === "." ? entry.tmp : `${dir}/${entry.tmp}`, write.content);
      after(`staged ${write.path}`);
    });
    writes.forEach((write, i) => {
      const entry = journal.entries[i]!;
      const dir = parentOf(write.path);
      current = write.path;
      if (entry.bak !== undefined) {
        safe.linkWithin(dir, baseOf(write.path), entry.bak);
        after(`backed up ${write.path}`);
      }
      safe.renameWithin(dir, entry.tmp, baseOf(write.path));
      after(`wrote ${write.path}`);
    });
    current = JOURNAL_PATH;
    writeJournal(safe, { ...journal, state: "committed" });
    after("committed");
  } catch (error) {
    const { problems, unreachable } = rollBack(safe, journal);
    let journalGone = false;
    if (problems.length === 0) {
      try {
        safe.unlink(JOURNAL_PATH);
        safe.rmdirIfEmpty(parentOf(JOURNAL_PATH));
        journalGone = true;
      } catch {
        journalGone = false;
      }
    }
    const cause = explain(error, current);
    if (problems.length > 0 || !journalGone) {
      throw new RunFailure(`could not write ${cause}\nthe rollback is incomplete${problems.length ? `:\n  ${problems.join("\n  ")}` : ""}\n${JOURNAL_PATH} is kept: the next run finishes the rollback`, { nothingWritten: false, cause: error });
    }
    const restored = unreachable.length === 0
      ? "every file this run had written was restored"
      : `every file this run had written was restored, except ${unreachable.join(", ")}: a directory on the way was replaced during the run, and those files are in that directory, wherever it was moved (never outside through a link)`;
    const shape = error instanceof InputError;
    throw new RunFailure(`${shape ? "refused: " : "could not write "}${cause}\n${restored}`, { cause: error, exitCode: shape ? 2 : 1, nothingWritten: unreachable.length === 0 });
  }
  // Committed: from here on a crash only leaves backups that the next run removes.
  cleanUp(safe, journal);
  after("cleaned");
  safe.unlink(JOURNAL_PATH);
}

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { RunFailure } from "../core/errors.ts";
import { baseOf, parentOf, type SafeRoot } from "./safe-fs.ts";

/** One writing run per repository at a time. */
export const LOCK_PATH = ".senior-devops/lock";
const BREAK_PATH = ".senior-devops/lock.break";
/** How long a second run waits for the first before it refuses (SENIOR_DEVOPS_LOCK_WAIT_MS overrides). */
const DEFAULT_WAIT_MS = 10_000;
/** A lock.break older than this belongs to a breaker that died (breaking takes microseconds). */
const BREAK_STALE_MS = 5_000;

const lockSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  /** The process's start time in clock ticks since boot (Linux), so a recycled pid is not mistaken for the owner. */
  started: z.string().optional(),
  tool: z.string(),
  since: z.string(),
  token: z.string(),
});
type LockInfo = z.infer<typeof lockSchema>;

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when the lock's owner is certainly gone: same host, and its pid is dead or now another process. */
function isStale(info: LockInfo | undefined): boolean {
  if (!info) return true; // unreadable: locks appear whole (hard link of a written file), so this is debris
  if (info.host !== hostname()) return false;
  if (!alive(info.pid)) return true;
  const started = processStart(info.pid);
  return info.started !== undefined && started !== undefined && started !== info.started;
}

function readLock(safe: SafeRoot): { text: string; info: LockInfo | undefined } | undefined {
  const text = safe.readFile(LOCK_PATH);
  if (text === undefined) return undefined;
  try {
    return { text, info: lockSchema.parse(JSON.parse(text)) };
  } catch {
    return { text, info: undefined };
  }
}

export interface RunLock {
  release(): void;
  /** True when taking the lock created .senior-devops/ (release removes it again if nothing else is in it). */
  createdDir: boolean;
}

/** Removes a stale lock, serialised with other breakers so that two of them never both break and both take it. */
function breakStale(safe: SafeRoot, staleText: string): void {
  try {
    safe.createExclusive(BREAK_PATH, String(process.pid));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const stats = safe.lstat(BREAK_PATH);
    if (stats && Date.now() - stats.mtimeMs > BREAK_STALE_MS) safe.unlink(BREAK_PATH);
    return;
  }
  try {
    if (readLock(safe)?.text === staleText) safe.unlink(LOCK_PATH);
  } finally {
    safe.unlink(BREAK_PATH);
  }
}

/**
 * Takes the repository's run lock (.senior-devops/lock: pid, host, process start, tool, time). A lock whose owner
 * is dead is broken; a live one is waited for, then the run is refused with a message naming the owner.
 */
export async function acquireLock(safe: SafeRoot, tool: string): Promise<RunLock> {
  const waitMs = Number(process.env.SENIOR_DEVOPS_LOCK_WAIT_MS ?? DEFAULT_WAIT_MS);
  const deadline = Date.now() + (Number.isFinite(waitMs) && waitMs >= 0 ? waitMs : DEFAULT_WAIT_MS);
  let createdDir = false;
  safe.mkdirs(parentOf(LOCK_PATH), () => {
    createdDir = true;
  });
  const started = processStart(process.pid);
  const info: LockInfo = {
    pid: process.pid, host: hostname(), ...(started ? { started } : {}), tool, since: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
  const text = `${JSON.stringify(info)}\n`;
  let owner: LockInfo | undefined;
  for (let attempt = 0; ; attempt++) {
    // The lock appears whole: written to a temp name, then hard-linked to its name (link fails if it exists).
    const tmp = `${LOCK_PATH}.${randomBytes(6).toString("hex")}.senior-devops.tmp`;
    safe.createExclusive(tmp, text);
    let taken = false;
    try {
      safe.linkWithin(parentOf(LOCK_PATH), baseOf(tmp), baseOf(LOCK_PATH));
      taken = true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "ENOENT") throw error;
    } finally {
      safe.unlink(tmp);
    }
    if (taken) break;
    const current = readLock(safe);
    if (current && isStale(current.info)) {
      breakStale(safe, current.text);
      continue;
    }
    owner = current?.info;
    if (Date.now() >= deadline) {
      if (createdDir) safe.rmdirIfEmpty(parentOf(LOCK_PATH));
      const who = owner ? `pid ${owner.pid} on ${owner.host}, ${owner.tool}, since ${owner.since}` : "unknown owner";
      throw new RunFailure(`another senior-devops run is writing into ${safe.root} (${who}); waited ${Math.round(waitMs / 1000)} s. Re-run when it has finished; if that process no longer exists, delete ${LOCK_PATH}`);
    }
    await sleep(Math.min(50 + attempt * 10, 250));
  }
  return {
    createdDir,
    release() {
      if (readLock(safe)?.info?.token === info.token) safe.unlink(LOCK_PATH);
      if (createdDir) safe.rmdirIfEmpty(parentOf(LOCK_PATH));
    },
  };
}

import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { CLI_BUNDLE } from "../integration/support.ts";

export { CLI_BUNDLE };

/** A deploy tree (base + one overlay + runbook), and a second option set that updates some files and adds an overlay. */
export const DEPLOY_BASE = ["--strategy", "rolling", "--app", "web", "--image", "ghcr.io/acme/web:1.2.3", "--env", "staging", "--replicas", "2", "--health-path", "/healthz"];
export const DEPLOY_NEXT = ["--strategy", "rolling", "--app", "web", "--image", "ghcr.io/acme/web:1.2.3", "--env", "staging,qa", "--replicas", "3", "--port", "9090", "--health-path", "/healthz"];

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the shipped CLI; `onStderr` sees progress lines as they come (to time a kill or a swap). */
export function startCli(args: string[], env: Record<string, string> = {}, onStderr?: (text: string, child: ChildProcess) => void): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, child);
  });
  const done = new Promise<CliRun>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export const runCli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> => startCli(args, env).done;

/** Every entry under dir (not following links): path → sha256 of a file's content, "dir", or "link -> target". */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const stats = lstatSync(join(dir, path));
      if (stats.isSymbolicLink()) out[path] = `link -> ${readlinkSync(join(dir, path))}`;
      else if (stats.isDirectory()) {
        out[path] = "dir";
        walk(path);
      } else out[path] = createHash("sha256").update(readFileSync(join(dir, path))).digest("hex");
    }
  };
  walk("");
  return out;
}

/** Leftovers a finished run must never leave: temp files, backups, a journal, a lock. */
export function litter(dir: string): string[] {
  return Object.keys(snapshot(dir)).filter((p) => /\.senior-devops\.(tmp|bak)$/.test(p) || p === ".senior-devops/journal.json" || p.startsWith(".senior-devops/lock"));
}

/** Manifest entries whose hash does not match the file on disk (the next run would call our own file "edited"). */
export function manifestMismatches(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, ".senior-devops/manifest.json"), "utf8")) as { files: Record<string, { sha256: string }> };
  const snap = snapshot(dir);
  return Object.entries(manifest.files).filter(([path, entry]) => snap[path] !== entry.sha256).map(([path]) => path);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

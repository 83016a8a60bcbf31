import { execFile } from "node:child_process";
import type { Argv } from "./commands.ts";

/** The kubectl binary: `SENIOR_DEVOPS_KUBECTL` when set (tests point it at a scripted stand-in), else `kubectl` on PATH. */
export function kubectlBinary(): string {
  return process.env.SENIOR_DEVOPS_KUBECTL || "kubectl";
}

export interface RunResult {
  argv: Argv;
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The binary could not be started at all. */
  missing: boolean;
}

/** Runs one kubectl command (argv[0] is "kubectl") with a hard timeout and the caller's abort signal. */
export function runKubectl(argv: Argv, options: { timeoutMs: number; signal?: AbortSignal; cwd?: string }): Promise<RunResult> {
  const [, ...args] = argv;
  return new Promise((resolve) => {
    execFile(
      kubectlBinary(),
      args,
      { timeout: options.timeoutMs, killSignal: "SIGKILL", maxBuffer: 32 * 1024 * 1024, signal: options.signal, env: process.env, ...(options.cwd ? { cwd: options.cwd } : {}) },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
        const missing = err?.code === "ENOENT";
        const timedOut = Boolean(err?.killed) && !options.signal?.aborted;
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ argv, code, stdout: String(stdout), stderr: missing ? `${kubectlBinary()} not found` : String(stderr), timedOut, missing });
      },
    );
  });
}

export interface KubectlEnvironment {
  available: boolean;
  /** The cluster the live actions would change, as kubectl resolves it: current context and API server URL. */
  context?: string;
  server?: string;
  /** The API server's version (it answered). */
  serverVersion?: string;
  argoPlugin: boolean;
  reason?: string;
}

/** The first meaningful line of kubectl's error output (it prints the real cause: TLS timeout, refused, 401…). */
export function kubectlError(result: RunResult, timeoutMs: number): string {
  if (result.timedOut) return `no answer within ${Math.round(timeoutMs / 1000)}s`;
  const text = (result.stderr || result.stdout).trim();
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l && !/^E\d{4} /.test(l));
  return (lines[lines.length - 1] ?? text.split("\n").pop() ?? `exit ${result.code}`).slice(0, 500);
}

/**
 * Is there a kubectl, which cluster does it point at (context and server), does that API server answer within
 * `timeoutMs`, is the Argo Rollouts plugin installed? Live actions show this identity and need it to answer before
 * anything is written.
 */
export async function detectKubectl(signal?: AbortSignal, timeoutMs = 15_000): Promise<KubectlEnvironment> {
  // Local calls (no server involved) get a fixed bound; the one call to the server gets --timeout-seconds.
  const bound = 15_000;
  // One local call for the identity: the current context and its API server.
  const view = await runKubectl(["kubectl", "config", "view", "--minify", "-o", "jsonpath={.current-context}{\"\\n\"}{.clusters[0].cluster.server}"], { timeoutMs: bound, signal });
  if (view.missing) return { available: false, argoPlugin: false, reason: "kubectl is not installed (or not on PATH)" };
  const [name = "", serverUrl = ""] = view.stdout.split("\n").map((line) => line.trim());
  if (view.code !== 0 || name === "") {
    return { available: false, argoPlugin: false, reason: `kubectl has no current context (${kubectlError(view, bound) || "not set"})` };
  }
  const server = serverUrl || undefined;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const probe = await runKubectl(["kubectl", "version", "-o", "json", `--request-timeout=${seconds}s`], { timeoutMs: seconds * 1000 + 2000, signal });
  let serverVersion: string | undefined;
  try {
    serverVersion = (JSON.parse(probe.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
  } catch {
    serverVersion = undefined;
  }
  if (!serverVersion) {
    return { available: false, context: name, ...(server ? { server } : {}), argoPlugin: false, reason: `the API server of context ${name}${server ? ` (${server})` : ""} did not answer: ${kubectlError(probe, seconds * 1000)}` };
  }
  const plugin = await runKubectl(["kubectl", "argo", "rollouts", "version"], { timeoutMs: bound, signal });
  return { available: true, context: name, ...(server ? { server } : {}), serverVersion, argoPlugin: plugin.code === 0 };
}

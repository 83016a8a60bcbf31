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
  context?: string;
  argoPlugin: boolean;
  reason?: string;
}

/** Is there a kubectl, does it have a current context, is the Argo Rollouts plugin installed? */
export async function detectKubectl(signal?: AbortSignal): Promise<KubectlEnvironment> {
  const version = await runKubectl(["kubectl", "version", "--client"], { timeoutMs: 15_000, signal });
  if (version.missing || version.code !== 0) return { available: false, argoPlugin: false, reason: version.missing ? "kubectl is not installed (or not on PATH)" : `kubectl version failed: ${version.stderr.trim()}` };
  const context = await runKubectl(["kubectl", "config", "current-context"], { timeoutMs: 15_000, signal });
  if (context.code !== 0 || context.stdout.trim() === "") {
    return { available: false, argoPlugin: false, reason: `kubectl has no current context (${(context.stderr || context.stdout).trim() || "not set"})` };
  }
  const plugin = await runKubectl(["kubectl", "argo", "rollouts", "version"], { timeoutMs: 15_000, signal });
  return { available: true, context: context.stdout.trim(), argoPlugin: plugin.code === 0 };
}

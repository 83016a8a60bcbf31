import { execFile } from "node:child_process";
import { kubectlCommands } from "./commands.ts";
import { kubectlBinary } from "./kubectl.ts";
import type { MetricQuery } from "./queries.ts";

export interface GateResult {
  gate: string;
  ok: boolean;
  detail: string;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
export { sleep };

/** GET url; 2xx passes, anything else (including no answer) fails. A few attempts, a second apart. */
export async function httpHealthCheck(url: string, options: { attempts?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<GateResult> {
  const attempts = options.attempts ?? 3;
  let last = "";
  for (let i = 0; i < attempts; i++) {
    try {
      const signals = [AbortSignal.timeout(options.timeoutMs ?? 5000), ...(options.signal ? [options.signal] : [])];
      const response = await fetch(url, { signal: AbortSignal.any(signals), redirect: "manual" });
      await response.arrayBuffer();
      if (response.status >= 200 && response.status < 300) return { gate: "http", ok: true, detail: `GET ${url} → ${response.status}` };
      last = `GET ${url} → ${response.status}`;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      last = `GET ${url} failed: ${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ""}`;
    }
    if (i < attempts - 1) await sleep(1000, options.signal);
  }
  return { gate: "http", ok: false, detail: last };
}

/**
 * Runs `kubectl port-forward service/<name> :80`, waits for the local port it picked, calls `use` with
 * http://127.0.0.1:<port>, and always stops the forward afterwards.
 */
export async function withPortForward<T>(service: string, namespace: string, use: (baseUrl: string) => Promise<T>, options: { timeoutMs: number; signal?: AbortSignal }): Promise<T | GateResult> {
  const [, ...args] = kubectlCommands.portForward(service, namespace);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const child = execFile(kubectlBinary(), args, { signal: controller.signal, killSignal: "SIGKILL" }, () => undefined);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error(`port-forward to service/${service} did not start within ${options.timeoutMs}ms: ${output.trim()}`)), options.timeoutMs);
      const onData = (chunk: Buffer | string) => {
        output += String(chunk);
        const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk) => (output += String(chunk)));
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`port-forward to service/${service} exited (${code}): ${output.trim()}`));
      });
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return await use(`http://127.0.0.1:${port}`);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { gate: "http", ok: false, detail: (error as Error).message };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    controller.abort();
  }
}

/** One instant query against Prometheus' HTTP API; the first sample's value. */
export async function prometheusQuery(baseUrl: string, query: string, signal?: AbortSignal): Promise<number> {
  const url = `${baseUrl}/api/v1/query?${new URLSearchParams({ query })}`;
  const signals = [AbortSignal.timeout(10_000), ...(signal ? [signal] : [])];
  const response = await fetch(url, { signal: AbortSignal.any(signals) });
  const body = (await response.json()) as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  if (!response.ok || body.status !== "success") throw new Error(`Prometheus answered ${response.status}: ${body.error ?? "no error text"}`);
  const { resultType, result } = body.data ?? {};
  if (resultType === "scalar" && Array.isArray(result)) return Number(result[1]);
  if (resultType === "vector" && Array.isArray(result)) {
    const first = result[0] as { value?: [number, string] } | undefined;
    if (!first?.value) throw new Error("no samples (the service got no traffic in the window, or the metric does not exist)");
    return Number(first.value[1]);
  }
  throw new Error(`unexpected result type ${String(resultType)}`);
}

/** Each query must return a value that passes its threshold; no data is a failure, never a pass. */
export async function metricGate(baseUrl: string, queries: MetricQuery[], signal?: AbortSignal): Promise<GateResult[]> {
  const results: GateResult[] = [];
  for (const q of queries) {
    try {
      const value = await prometheusQuery(baseUrl, q.query, signal);
      results.push({ gate: `prometheus:${q.name}`, ok: q.passes(value), detail: `${q.name} = ${value} (needs ${q.threshold})` });
    } catch (error) {
      if (signal?.aborted) throw error;
      results.push({ gate: `prometheus:${q.name}`, ok: false, detail: `${q.name}: ${(error as Error).message}` });
    }
  }
  return results;
}

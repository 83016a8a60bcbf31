import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { ToolResult } from "../../mcp-server/src/engine/core/types.ts";
import { deployCapability } from "../../mcp-server/src/engine/deploy/index.ts";

export const here = dirname(fileURLToPath(import.meta.url));
/** The scripted stand-in for kubectl (NOT kubectl): a node script keeping a pretend cluster in a JSON file. */
export const FAKE_KUBECTL = join(here, "fake-kubectl", "fake-kubectl.mjs");

export type DeployInput = Partial<z.input<z.ZodObject<typeof deployCapability.inputShape>>>;

export async function runDeploy(input: DeployInput, messages: string[] = []): Promise<ToolResult> {
  const parsed = z.object(deployCapability.inputShape).parse(input);
  return deployCapability.run(parsed, { progress: (m) => messages.push(m) });
}

/** Real kubectl on this machine, for `kubectl kustomize` (needs no cluster). */
export function realKubectl(): string | undefined {
  for (const candidate of ["/usr/bin/kubectl", "/usr/local/bin/kubectl"]) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Loud skip, or a failure in CI where kubectl is always installed. */
export function requireKubectl(t: { skip(message: string): void }): string | undefined {
  const kubectl = realKubectl();
  if (kubectl) return kubectl;
  if (process.env.CI === "true") throw new Error("kubectl is required in CI for the kustomize render tests");
  console.warn("\n*** SKIPPED: kubectl not found; kustomize render tests did not run ***\n");
  t.skip("kubectl not installed");
  return undefined;
}

export interface FakeCluster {
  context?: string | null;
  argoPlugin?: boolean;
  badImages?: string[];
  failure?: "stall" | "unhealthy" | "zero-pods" | "degraded" | "api-error" | null;
  healthyPort?: number;
  unhealthyPort?: number;
  objects?: Record<string, unknown>;
  /** Namespaces that exist, with their labels; absent: every namespace exists. */
  namespaces?: Record<string, Record<string, string>>;
  history?: Record<string, string[]>;
  calls?: string[][];
  /** DaemonSets (namespace/name) `kubectl get daemonsets --all-namespaces` lists; absent: listing is forbidden. */
  daemonSets?: string[];
}

export function writeCluster(path: string, cluster: FakeCluster): void {
  writeFileSync(path, JSON.stringify({ context: "fake-cluster", argoPlugin: false, badImages: [], failure: null, ...cluster }, null, 2));
}
export function readCluster(path: string): Required<FakeCluster> & { objects: Record<string, any> } {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Real HTTP servers on 127.0.0.1: one healthy (200 on every path), one failing (503). */
export async function startServer(status: number, body = "ok"): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** A real HTTP server answering Prometheus' /api/v1/query with the values a test chooses per metric. */
export async function startPrometheusApi(values: { successRate?: number | null; ratio?: number | null; p99?: number | null }): Promise<{ server: Server; url: string; queries: string[] }> {
  const queries: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/api/v1/query") {
      res.writeHead(404).end();
      return;
    }
    const query = url.searchParams.get("query") ?? "";
    queries.push(query);
    const value = query.startsWith("histogram_quantile") ? values.p99 : query.includes("clamp_min") ? values.ratio : values.successRate;
    const result = value === null || value === undefined ? [] : [{ metric: {}, value: [Date.now() / 1000, String(value)] }];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries };
}

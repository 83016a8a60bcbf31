// A real local Kubernetes control plane for the deploy tests: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kwok (fake nodes; pods become Running/Ready without a kubelet) and, when asked, the Argo Rollouts
// controller. Everything listens on 127.0.0.1 on free ports, keeps its data in a temp directory and is stopped by
// the test that started it. Binaries come from .ci/install-tools (~/.cache/senior-devops/tools).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export const KUBE_VERSION = "1.36.3";
export const TOOLS = process.env.SD_TOOLS ?? join(homedir(), ".cache", "senior-devops", "tools");
const BIN = join(TOOLS, "bin");
/** kubectl of the control plane's own minor (the machine's kubectl may be several minors older). */
export const KUBECTL = join(BIN, `kubectl-${KUBE_VERSION}`);
const NEEDED = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", `kubectl-${KUBE_VERSION}`];

/** Which cluster binaries are missing (empty when the control plane can start). */
export function missingClusterTools(argo: boolean): string[] {
  const names = argo ? [...NEEDED, "rollouts-controller"] : NEEDED;
  const missing = names.filter((name) => !existsSync(join(BIN, name)));
  if (!existsSync(join(TOOLS, "cluster-crds"))) missing.push("cluster-crds");
  if (!existsSync(join(TOOLS, "kwok-stages"))) missing.push("kwok-stages");
  if (argo && !existsSync(join(TOOLS, "argo-rollouts-crds"))) missing.push("argo-rollouts-crds");
  return missing;
}

/** Fails in CI (the tools are installed by .ci/install-tools there), skips loudly elsewhere. */
export function requireCluster(t: { skip(message: string): void }, argo = false): boolean {
  const missing = missingClusterTools(argo);
  if (missing.length === 0) return true;
  const message = `local cluster tools missing (${missing.join(", ")}): run .ci/install-tools`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** SKIPPED: ${message} ***\n`);
  t.skip(message);
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LocalCluster {
  dir: string;
  kubeconfig: string;
  server: string;
  context: string;
  /** Runs kubectl (the control plane's version) against this cluster. */
  kubectl(args: string[], options?: { input?: string; allowFail?: boolean }): string;
  json(args: string[]): any;
  /** Environment for a child process: KUBECONFIG and a PATH whose kubectl is the control plane's. */
  env(): NodeJS.ProcessEnv;
  stop(): Promise<void>;
  logs(name: string): string;
}

/** Starts the control plane; with `argo`, the Argo Rollouts controller and its CRDs too. */
export async function startCluster(options: { argo?: boolean; nodes?: number } = {}): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), "sd-kube-"));
  const procs: { name: string; child: ChildProcess }[] = [];
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const token = randomBytes(24).toString("hex");
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
  writeFileSync(join(dir, "tokens.csv"), `${token},admin,admin,system:masters\n`);
  mkdirSync(join(dir, "certs"));
  const kubeconfig = join(dir, "kubeconfig");
  const context = "sd-local";
  writeFileSync(kubeconfig, [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: sd-local`,
    `  cluster: {server: "${server}", insecure-skip-tls-verify: true}`,
    "users:",
    `- name: admin`,
    `  user: {token: "${token}"}`,
    "contexts:",
    `- name: ${context}`,
    "  context: {cluster: sd-local, user: admin}",
    `current-context: ${context}`,
    "",
  ].join("\n"));

  const start = (name: string, args: string[]) => {
    const log = openSync(join(dir, `${name}.log`), "a");
    const child = spawn(join(BIN, name), args, { stdio: ["ignore", log, log], detached: false });
    procs.push({ name, child });
    return child;
  };
  const logs = (name: string) => {
    try {
      return readFileSync(join(dir, `${name}.log`), "utf8");
    } catch {
      return "";
    }
  };
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, KUBECONFIG: kubeconfig, PATH: `${join(dir, "path")}${delimiter}${process.env.PATH ?? ""}` });
  // `kubectl` on the child processes' PATH is the control plane's own version.
  mkdirSync(join(dir, "path"));
  execFileSync("ln", ["-s", KUBECTL, join(dir, "path", "kubectl")]);

  const kubectl = (args: string[], opts: { input?: string; allowFail?: boolean } = {}) => {
    try {
      return execFileSync(KUBECTL, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", input: opts.input, stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
    } catch (error) {
      if (opts.allowFail) return "";
      const e = error as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(" ")}: ${e.stderr || e.message}`);
    }
  };
  const json = (args: string[]) => JSON.parse(kubectl([...args, "-o", "json"]));

  const stop = async () => {
    for (const { child } of [...procs].reverse()) if (child.exitCode === null) child.kill("SIGTERM");
    await sleep(300);
    for (const { child } of procs) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  const waitFor = async (what: string, check: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const { name, child } of procs) if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) while waiting for ${what}:\n${logs(name).slice(-3000)}`);
      if (check()) return;
      await sleep(250);
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  try {
    start("etcd", [
      "--name", "sd", "--data-dir", join(dir, "etcd"),
      "--listen-client-urls", `http://127.0.0.1:${etcdClient}`, "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster", `sd=http://127.0.0.1:${etcdPeer}`, "--listen-metrics-urls", "", "--log-level", "warn",
      "--quota-backend-bytes", String(1 << 30), "--unsafe-no-fsync",
    ]);
    start("kube-apiserver", [
      "--etcd-servers", `http://127.0.0.1:${etcdClient}`,
      "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", String(apiPort),
      "--cert-dir", join(dir, "certs"), "--token-auth-file", join(dir, "tokens.csv"),
      "--authorization-mode", "RBAC",
      "--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", join(dir, "sa.pub"),
      "--service-account-signing-key-file", join(dir, "sa.key"),
      "--service-cluster-ip-range", "10.96.0.0/16", "--endpoint-reconciler-type", "none",
      // kwok nodes get no kubelet heartbeat and the node lifecycle controller is off: no not-ready taint at creation.
      "--disable-admission-plugins", "TaintNodesByCondition",
      "--enable-priority-and-fairness=false", "--profiling=false", "-v", "0",
    ]);
    await waitFor("kube-apiserver /readyz", () => kubectl(["get", "--raw", "/readyz"], { allowFail: true }).trim() === "ok", 180_000);
    start("kube-controller-manager", [
      "--kubeconfig", kubeconfig, "--authentication-kubeconfig", kubeconfig, "--authorization-kubeconfig", kubeconfig,
      "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", String(await freePort()), "--authentication-skip-lookup",
      "--service-account-private-key-file", join(dir, "sa.key"), "--use-service-account-credentials=false",
      "--controllers", "*,-nodeipam,-nodelifecycle,-persistentvolume-binder,-attachdetach,-persistentvolume-expander,-cloud-node-lifecycle,-ttl",
      "--concurrent-deployment-syncs", "10", "--concurrent-replicaset-syncs", "10", "-v", "0",
    ]);
    start("kube-scheduler", [
      "--kubeconfig", kubeconfig, "--authentication-kubeconfig", kubeconfig, "--authorization-kubeconfig", kubeconfig,
      "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", String(await freePort()), "--authentication-skip-lookup", "-v", "0",
    ]);
    start("kwok", [
      "--kubeconfig", kubeconfig, "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector", "kwok.x-k8s.io/node=fake",
      "--cidr", "10.0.0.1/24", "--node-ip", "10.0.0.1", "--server-address", `127.0.0.1:${await freePort()}`,
      ...readdirSync(join(TOOLS, "kwok-stages")).filter((f) => f.endsWith(".yaml")).sort().flatMap((f) => ["--config", join(TOOLS, "kwok-stages", f)]),
    ]);
    for (let i = 0; i < (options.nodes ?? 2); i++) {
      kubectl(["apply", "-f", "-"], {
        input: JSON.stringify({
          apiVersion: "v1",
          kind: "Node",
          metadata: {
            name: `kwok-node-${i}`,
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: { "kubernetes.io/hostname": `kwok-node-${i}`, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "topology.kubernetes.io/zone": `zone-${i % 2}`, type: "kwok" },
          },
          status: { allocatable: { cpu: "32", memory: "256Gi", pods: "110" }, capacity: { cpu: "32", memory: "256Gi", pods: "110" } },
        }),
      });
    }
    await waitFor("kwok nodes Ready", () => {
      const nodes = JSON.parse(kubectl(["get", "nodes", "-o", "json"], { allowFail: true }) || "{\"items\":[]}").items as any[];
      return nodes.length > 0 && nodes.every((node) => node.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"));
    }, 60_000);
    await waitFor("the default ServiceAccount", () => kubectl(["get", "serviceaccount", "default", "-n", "default"], { allowFail: true }) !== "", 60_000);
    const crdDirs = [join(TOOLS, "cluster-crds", "gateway-api"), join(TOOLS, "cluster-crds", "istio"), join(TOOLS, "cluster-crds", "prometheus-operator")];
    if (options.argo) crdDirs.push(join(TOOLS, "argo-rollouts-crds"));
    for (const crdDir of crdDirs) {
      for (const file of readdirSync(crdDir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort()) {
        kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(crdDir, file)]);
      }
    }
    kubectl(["wait", "--for", "condition=Established", "crd", "--all", "--timeout=60s"]);
    if (options.argo) {
      start("rollouts-controller", ["--kubeconfig", kubeconfig, "--leader-elect=false", "--healthzPort", String(await freePort()), "--metricsport", String(await freePort()), "--loglevel", "info"]);
    }
  } catch (error) {
    const tail = procs.map(({ name }) => `--- ${name}\n${logs(name).slice(-1500)}`).join("\n");
    await stop();
    throw new Error(`${(error as Error).message}\n${tail}`);
  }
  return { dir, kubeconfig, server, context, kubectl, json, env, stop, logs };
}

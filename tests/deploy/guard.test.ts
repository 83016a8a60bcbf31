import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InputError } from "../../mcp-server/src/engine/core/types.ts";
import { type DeployInput, FAKE_KUBECTL, readCluster, realKubectl, requireKubectl, runDeploy, writeCluster } from "./helpers.ts";

// Issue 14 items 5 and 8: the live-action guard binds to the cluster's identity and the namespace, never to an
// environment's name; an API server that never answers is reported as such, within --timeout-seconds; hostile
// option values are refused and echoed harmlessly; the runbook's hand-run commands are shell-quoted.
const V1 = "ghcr.io/acme/shop:1.2.3";
const dirs: string[] = [];
const fresh = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const base: DeployInput = { app: "shop", port: 8080, image: V1, timeoutSeconds: 3 };

describe("live actions need confirmation against the cluster's identity (stand-in kubectl)", () => {
  before(() => {
    process.env.SENIOR_DEVOPS_KUBECTL = FAKE_KUBECTL;
  });
  after(() => {
    delete process.env.SENIOR_DEVOPS_KUBECTL;
    delete process.env.FAKE_KUBECTL_STATE;
  });
  const cases: { env: string; namespace?: string }[] = [
    { env: "staging", namespace: "production" },
    { env: "production-eu" },
    { env: "prd" },
    { env: "live" },
    { env: "staging" },
  ];
  for (const c of cases) {
    it(`apply --env ${c.env}${c.namespace ? ` --namespace ${c.namespace}` : ""} without --yes is refused, naming context, server and namespace; nothing written or changed`, async () => {
      const root = fresh("sd-guard-");
      const clusterFile = join(fresh("sd-guard-cluster-"), "c.json");
      process.env.FAKE_KUBECTL_STATE = clusterFile;
      writeCluster(clusterFile, {});
      for (const action of ["apply", "promote", "rollback", "abort"] as const) {
        await assert.rejects(
          runDeploy({ ...base, path: root, action, environments: [c.env], ...(c.namespace ? { namespace: c.namespace } : {}) }),
          (e: Error) => {
            assert.ok(e instanceof InputError, `${action}: expected InputError, got ${e.name}: ${e.message}`);
            assert.match(e.message, new RegExp(`namespace ${c.namespace ?? c.env} `));
            assert.match(e.message, /context fake-cluster/);
            assert.match(e.message, /https:\/\/fake-cluster\.invalid:6443/);
            assert.match(e.message, /--yes/);
            return true;
          },
        );
      }
      assert.deepEqual(readdirSync(root), [], "nothing written");
      const calls = readCluster(clusterFile).calls.map((call) => call.join(" "));
      assert.deepEqual(calls.filter((call) => /^(apply|patch|scale|set|annotate|create|label|rollout|delete)\b/.test(call)), [], "no change sent to the cluster");
    });
  }
});

describe("an API server that never answers (real kubectl, loopback)", () => {
  let server: Server;
  const sockets: Socket[] = [];
  let kubeconfig: string;
  before(async () => {
    // Accepts TCP connections and never says a word: the TLS handshake never completes.
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    kubeconfig = join(fresh("sd-guard-kube-"), "config");
    writeFileSync(kubeconfig, [
      "apiVersion: v1", "kind: Config",
      "clusters:", "- name: silent", `  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}`,
      "users:", "- name: u", "  user: {token: not-a-secret}",
      "contexts:", "- name: silent", "  context: {cluster: silent, user: u}",
      "current-context: silent", "",
    ].join("\n"));
  });
  after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
    delete process.env.KUBECONFIG;
  });

  it("status reports that the server did not answer (not 'not deployed'), within --timeout-seconds", async (t) => {
    if (!requireKubectl(t)) return;
    process.env.KUBECONFIG = kubeconfig;
    const started = Date.now();
    const result = await runDeploy({ ...base, path: fresh("sd-guard-status-"), action: "status", environments: ["staging"], timeoutSeconds: 2 });
    const elapsed = Date.now() - started;
    const execution = (result.details as { execution: { summary: string } }).execution;
    assert.equal(result.status, "failed");
    assert.match(execution.summary, /did not answer/);
    assert.match(execution.summary, /127\.0\.0\.1/);
    assert.doesNotMatch(execution.summary, /not deployed/);
    // One local kubectl call plus the server probe bounded by 2 s (the earlier code waited up to 60 s per call).
    assert.ok(elapsed < 20_000, `took ${elapsed} ms with --timeout-seconds 2`);
  });

  it("apply --yes writes nothing when the cluster does not answer", async (t) => {
    if (!requireKubectl(t)) return;
    process.env.KUBECONFIG = kubeconfig;
    const root = fresh("sd-guard-apply-");
    const result = await runDeploy({ ...base, path: root, action: "apply", environments: ["production"], confirm: true, timeoutSeconds: 2 });
    assert.equal(result.status, "failed");
    assert.match((result.details as { execution: { summary: string } }).execution.summary, /did not answer.*nothing was written/);
    assert.deepEqual(readdirSync(root), [], "nothing written");
  });
});

describe("hostile option values", () => {
  const rejects = async (input: DeployInput, pattern: RegExp) => {
    const root = fresh("sd-guard-input-");
    await assert.rejects(runDeploy({ ...base, path: root, ...input }), (e: Error) => {
      assert.ok(e instanceof InputError, `expected InputError, got ${e.name}: ${e.message}`);
      assert.match(e.message, pattern);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(e.message, /[\u0000-\u001f\u007f-\u009f]/, "no raw control characters or escape sequences in the message");
      return true;
    });
    assert.deepEqual(readdirSync(root), []);
  };
  it("--prometheus-url with an embedded newline or escape sequence", async () => {
    await rejects({ prometheusUrl: "http://prom:9090\nx-injected: 1" }, /prometheusUrl "http:\/\/prom:9090\\nx-injected: 1" contains whitespace or control characters/);
    await rejects({ prometheusUrl: "http://prom:9090/\u001b[2J" }, /\\u001b\[2J/);
    await rejects({ healthUrl: "http://127.0.0.1:1/\u009b31m" }, /\\u009b31m/);
  });
  it("--gateway with extra path segments", async () => {
    await rejects({ strategy: "canary", traffic: "gateway-api", gateway: "infra/gw/../../evil" }, /gateway "infra\/gw\/\.\.\/\.\.\/evil" must be NAME or NAMESPACE\/NAME/);
    await rejects({ strategy: "canary", traffic: "gateway-api", gateway: "../gw" }, /gateway namespace/);
  });
  it("rejected names are echoed with escapes, not raw terminal sequences", async () => {
    await rejects({ app: "shop\u001b]0;pwned\u0007" }, /app "shop\\u001b\]0;pwned\\u0007" is not valid/);
    await rejects({ environments: ["stag\u001b[31ming"] }, /environment "stag\\u001b\[31ming"/);
    await rejects({ image: "ghcr.io/acme/shop:1\r\n" }, /image "ghcr\.io\/acme\/shop:1\\r\\n"/);
  });
});

describe("the runbook's hand-run commands are shell-quoted", () => {
  it("the health-check curl line passes the path as one word, whatever it contains", async (t) => {
    if (!realKubectl()) {
      requireKubectl(t);
      return;
    }
    const root = fresh("sd-guard-runbook-");
    const healthPath = "/health;$(id)&x='1'*";
    const result = await runDeploy({ ...base, path: root, healthPath, environments: ["staging"] });
    assert.equal(result.status, "ok", JSON.stringify(result.warnings));
    const runbook = readFileSync(join(root, "deploy", "shop", "RUNBOOK.md"), "utf8");
    const line = runbook.split("\n").find((l) => l.startsWith("curl "));
    assert.ok(line, "a curl line in the runbook");
    // Run the line with curl replaced by printf: the shell must hand over exactly one argument, the URL.
    const out = execFileSync("bash", ["-c", `cd "$1" && ${line.replace(/^curl /, "printf '%s\\n' ")}`, "bash", root], { encoding: "utf8" });
    assert.deepEqual(out.trim().split("\n"), ["-fsS", "--max-time", "5", `http://127.0.0.1:8080${healthPath}`]);
  });
});

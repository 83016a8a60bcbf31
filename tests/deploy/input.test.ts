import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { z } from "zod";
import { InputError } from "../../mcp-server/src/engine/core/types.ts";
import { deployCapability } from "../../mcp-server/src/engine/deploy/index.ts";
import { assertCanarySteps, assertImage, resolveHosts } from "../../mcp-server/src/engine/deploy/model.ts";
import { appSlug } from "../../mcp-server/src/engine/core/app-name.ts";
import { tempDir } from "../helpers.ts";
import { FIXTURES, callShipped } from "../shipped.ts";
import { type DeployInput, runDeploy } from "./helpers.ts";

const ok: DeployInput = { app: "shop", image: "ghcr.io/acme/shop:1.2.3", port: 8080 };

async function rejectsInput(input: DeployInput, pattern: RegExp) {
  const root = tempDir("sd-deploy-bad-");
  await assert.rejects(runDeploy({ ...ok, path: root, ...input }), (e: Error) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
  assert.deepEqual(readdirSync(root), [], "nothing written");
}

describe("deploy input validation (InputError, nothing written)", () => {
  it("bad app names", async () => {
    await rejectsInput({ app: "Shop_App" }, /app "Shop_App" is not valid/);
    await rejectsInput({ app: "../etc" }, /not valid/);
    await rejectsInput({ app: "-shop" }, /not valid/);
  });
  it(":latest and untagged images are refused; no image is invented", async () => {
    await rejectsInput({ image: "ghcr.io/acme/shop:latest" }, /:latest/);
    await rejectsInput({ image: "ghcr.io/acme/shop" }, /no tag or digest/);
    await rejectsInput({ image: "Not An Image" }, /not a valid image reference/);
    await rejectsInput({ image: undefined }, /image is required/);
  });
  // Confirmation of live actions is bound to the cluster's identity now: see guard.test.ts.
  it("actions need exactly one environment", async () => {
    await rejectsInput({ action: "status" }, /one environment/);
  });
  it("bad canary steps", async () => {
    // Past the schema (e.g. a caller of the engine), the capability itself refuses them with an InputError.
    for (const [steps, pattern] of [[[25, 10, 100], /strictly increasing/], [[10, 50], /must be 100/]] as const) {
      const root = tempDir("sd-deploy-steps-");
      const parsed = z.object(deployCapability.inputShape).parse({ ...ok, path: root });
      await assert.rejects(deployCapability.run({ ...parsed, canarySteps: [...steps] }, { progress: () => undefined }), (e: Error) => e instanceof InputError && pattern.test(e.message));
      assert.deepEqual(readdirSync(root), []);
    }
    assert.throws(() => assertCanarySteps([0, 100]), InputError);
    assert.throws(() => assertCanarySteps([]), InputError);
    // The schema itself rejects them too (CLI exit 2 before run).
    const schema = z.object(deployCapability.inputShape);
    assert.equal(schema.safeParse({ canarySteps: ["10", "5", "100"] }).success, false);
    assert.equal(schema.safeParse({ canarySteps: ["10", "150"] }).success, false);
    assert.equal(schema.safeParse({ canarySteps: ["x"] }).success, false);
    assert.deepEqual(schema.parse({ canarySteps: ["5", "25", "50", "100"] }).canarySteps, [5, 25, 50, 100]);
  });
  it("traffic needs its parameters", async () => {
    await rejectsInput({ strategy: "canary", traffic: "nginx" }, /--ingress-host/);
    await rejectsInput({ strategy: "canary", traffic: "gateway-api" }, /--gateway/);
    await rejectsInput({ ingressHost: "not a host" }, /not a valid DNS name/);
  });
  it("one literal host for several environments is refused, naming the reason and both accepted forms", async () => {
    for (const input of [{ ingressHost: "shop.example.com" }, { ingressHost: "shop.example.com", strategy: "canary" as const, traffic: "nginx" as const }]) {
      await rejectsInput(input, /same host: a duplicate host is refused by the ingress admission webhook, and with Gateway API the oldest route wins.*\{env\}\.shop\.example\.com.*production=shop\.example\.com/);
    }
    await rejectsInput({ ingressHost: "staging=a.example.com,production=a.example.com" }, /staging and production the same host a\.example\.com/);
    await rejectsInput({ ingressHost: "staging=a.example.com" }, /no host for environment production/);
    await rejectsInput({ ingressHost: "{env}.a.example.com,b.example.com" }, /more than one entry without env=/);
    await rejectsInput({ ingressHost: "{env}.a.example.com,staging=b.example.com,staging=c.example.com" }, /environment staging twice/);
    await rejectsInput({ ingressHost: "{env}.a.example.com,Prod=b.example.com" }, /environment in ingressHost "Prod"/);
    await rejectsInput({ ingressHost: "{env}.a.example.com,", }, /empty entry/);
  });
  it("host forms: {env} pattern, env=host pairs, a literal for one environment", () => {
    const envs = ["staging", "production"];
    assert.deepEqual(resolveHosts("{env}.shop.example.com", envs).hosts, { staging: "staging.shop.example.com", production: "production.shop.example.com" });
    assert.deepEqual(resolveHosts("{env}.shop.example.com,production=shop.example.com", envs).hosts, { staging: "staging.shop.example.com", production: "shop.example.com" });
    assert.deepEqual(resolveHosts("staging=stg.example.com, production=shop.example.com", envs).hosts, { staging: "stg.example.com", production: "shop.example.com" });
    // A literal default covers the one environment without a pair.
    assert.deepEqual(resolveHosts("shop.example.com,staging=stg.example.com", envs).hosts, { staging: "stg.example.com", production: "shop.example.com" });
    assert.deepEqual(resolveHosts("shop.example.com", ["production"]).hosts, { production: "shop.example.com" });
    // An action on one environment takes the same value as generate: the other pairs are accepted, silently.
    assert.deepEqual(resolveHosts("{env}.shop.example.com,production=shop.example.com", ["production"]), { hosts: { production: "shop.example.com" }, warnings: [] });
    assert.match(resolveHosts("{env}.shop.example.com,prod=shop.example.com", envs).warnings.join(), /prod, which are not among staging, production/);
  });
  it("one namespace cannot hold two environments", async () => {
    await rejectsInput({ namespace: "shop", environments: ["staging", "production"] }, /one namespace/);
  });
  it("unknown enum values are rejected by the schema with the valid list", () => {
    const schema = z.object(deployCapability.inputShape);
    const r = schema.safeParse({ strategy: "big-bang" });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), /rolling.*recreate.*blue-green.*canary/);
    assert.equal(schema.safeParse({ traffic: "linkerd" }).success, false);
    assert.equal(schema.safeParse({ action: "destroy" }).success, false);
  });
  it("image and name helpers", () => {
    assert.equal(assertImage("localhost:5000/app:1.0"), "localhost:5000/app:1.0");
    assert.equal(assertImage("app:5000"), "app:5000");
    assert.equal(assertImage(`ghcr.io/a/b@sha256:${"a".repeat(64)}`), `ghcr.io/a/b@sha256:${"a".repeat(64)}`);
    assert.equal(assertImage(`ghcr.io/a/b:latest@sha256:${"a".repeat(64)}`).endsWith("a"), true, "a digest pins even :latest");
    assert.equal(appSlug("@acme/Web_App"), "web-app");
    assert.equal(appSlug("github.com/acme/inventory/v2"), "inventory");
    assert.equal(appSlug("___"), "app");
    assert.equal(appSlug("9lives"), "app-9lives");
  });
});

describe("deploy defaults from the analysis", () => {
  it("app name and port come from the repository's Dockerfile when not given", async () => {
    const root = tempDir("sd-deploy-analysis-");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "@acme/Web_Shop", version: "1.0.0", scripts: { start: "node server.js" }, dependencies: { express: "4.19.2" } }));
    writeFileSync(join(root, "package-lock.json"), JSON.stringify({ name: "@acme/Web_Shop", lockfileVersion: 3, packages: {} }));
    writeFileSync(join(root, "Dockerfile"), "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n");
    const result = await runDeploy({ path: root, image: "ghcr.io/acme/web-shop:1.0.0", dryRun: true });
    assert.equal(result.status, "ok", JSON.stringify(result.validations.filter((v) => !v.ok)));
    const plan = result.details?.plan as { app: string };
    const analysed = result.analysis?.services[0]?.name ?? result.analysis?.projects[0]?.name;
    assert.ok(analysed, "the analysis found the project");
    assert.equal(plan.app, "web-shop", "project name @acme/Web_Shop sanitised to DNS-1123");
    const deployment = result.files.find((f) => f.path.endsWith("deployment.yaml"));
    assert.ok(deployment);
    assert.ok(!existsSync(join(root, "deploy")), "dry run wrote nothing");
    assert.ok(result.warnings.some((w) => w.includes("container port 3000")), result.warnings.join("\n"));
  });
});

describe("the health route comes from the source", () => {
  it("a route the app serves becomes the probe path; with none found, /healthz is used and the warning says so", async () => {
    const root = tempDir("sd-deploy-health-");
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "orders", version: "1.0.0", scripts: { start: "node server.js" }, dependencies: { express: "4.19.2" } }));
    writeFileSync(join(root, "server.js"), "const app = require('express')();\napp.get('/orders', (_q, r) => r.json([]));\napp.get('/health', (_q, r) => r.send('ok'));\napp.listen(3000);\n");
    let result = await callShipped("deployment-manager", { path: root, image: "ghcr.io/acme/orders:1.0.0", port: 3000, dryRun: true });
    assert.ok(result.warnings.includes("health path /health found in the source of ."), result.warnings.join("\n"));
    const probes = JSON.stringify(result.details);
    assert.ok(probes.includes("/health") && !probes.includes("/healthz"), probes);

    writeFileSync(join(root, "server.js"), "const app = require('express')();\napp.get('/orders', (_q, r) => r.json([]));\napp.listen(3000);\n");
    result = await callShipped("deployment-manager", { path: root, image: "ghcr.io/acme/orders:1.0.0", port: 3000, dryRun: true });
    assert.ok(result.warnings.some((w) => w.startsWith("no health route found in the source of .: probes and the health gate use /healthz")), result.warnings.join("\n"));

    // An explicit path wins and is not second-guessed.
    result = await callShipped("deployment-manager", { path: root, image: "ghcr.io/acme/orders:1.0.0", port: 3000, healthPath: "/live", dryRun: true });
    assert.ok(!result.warnings.some((w) => /health route|health path/.test(w)), result.warnings.join("\n"));
    assert.ok(JSON.stringify(result.details).includes("/live"));
  });
});

describe("one app name across the pipeline and the deployment manager", () => {
  // The pipeline's deploy jobs apply deploy/<app>/overlays/<env>; deployment-manager writes deploy/<app>. Both
  // derive <app> from the repository; if they differ, the first deploy job fails on a missing overlay.
  const cases: { label: string; setup: (dir: string) => void }[] = [
    ...["node-npm", "go-service", "rust-cargo", "python-flask-postgres", "go-cmd-layout", "rust-multi-bin"].map((fixture) => ({
      label: fixture,
      setup: (dir: string) => cpSync(join(FIXTURES, fixture), dir, { recursive: true }),
    })),
    {
      // A compose service named differently from its package: both take the service name.
      label: "compose service 'storefront' building package @acme/Web_Shop",
      setup: (dir: string) => {
        writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "@acme/Web_Shop", version: "1.0.0", scripts: { start: "node server.js" }, dependencies: { express: "4.19.2" } }));
        writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ name: "@acme/Web_Shop", lockfileVersion: 3, packages: {} }));
        writeFileSync(join(dir, "Dockerfile"), "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n");
        writeFileSync(join(dir, "compose.yaml"), "services:\n  storefront:\n    build: .\n    ports: [\"3000:3000\"]\n");
      },
    },
  ];
  for (const c of cases) {
    it(`${c.label}: the deploy job's overlay is the tree deployment-manager writes`, async () => {
      const dir = tempDir("sd-appname-");
      c.setup(dir);
      await callShipped("pipeline-generator", { path: dir, platform: "gitlab-ci", stages: ["docker", "deploy"], registry: "registry.example.com/acme" });
      const gitlab = readFileSync(join(dir, ".gitlab-ci.yml"), "utf8");
      const apps = new Set([...gitlab.matchAll(/deploy\/([a-z0-9-]+)\/overlays\//g)].map((m) => m[1]!));
      assert.equal(apps.size, 1, `one deployed app expected, got ${[...apps].join(", ")}`);
      const deploy = await callShipped("deployment-manager", { path: dir, image: "registry.example.com/acme/app:1.0.0", port: 8080, dryRun: true });
      const plan = deploy.details as { plan: { app: string } } | undefined;
      assert.equal(plan?.plan.app, [...apps][0], deploy.warnings.join("\n"));
    });
  }
});

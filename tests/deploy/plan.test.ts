import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { tempDir } from "../helpers.ts";
import { FAKE_KUBECTL, readCluster, runDeploy, writeCluster } from "./helpers.ts";

const IMAGE = "ghcr.io/acme/shop:1.2.3";
const clusterDir = mkdtempSync(join(tmpdir(), "sd-plan-cluster-"));
after(() => {
  rmSync(clusterDir, { recursive: true, force: true });
  delete process.env.SENIOR_DEVOPS_KUBECTL;
  delete process.env.FAKE_KUBECTL_STATE;
});

interface Plan {
  steps: { step: number; action: string; weight?: number; pauseSeconds?: number; gates: string[] }[];
  weights: number[];
  pauses: number[];
  healthGates: string[];
  rollbackTriggers: string[];
  services: { name: string; selects: string }[];
}

describe("deploy plan", () => {
  it("returns the canary ladder as data, the file diffs, and kubectl diff through the stand-in", async () => {
    const root = tempDir("sd-deploy-plan-");
    const clusterFile = join(clusterDir, "a.json");
    writeCluster(clusterFile, {});
    process.env.SENIOR_DEVOPS_KUBECTL = FAKE_KUBECTL; // scripted stand-in for kubectl
    process.env.FAKE_KUBECTL_STATE = clusterFile;
    const result = await runDeploy({
      path: root, app: "shop", image: IMAGE, port: 8080, strategy: "canary", target: "argo-rollouts", traffic: "istio",
      action: "plan", prometheusUrl: "http://prometheus.monitoring:9090",
    });
    assert.equal(result.status, "ok");
    assert.ok(!existsSync(join(root, "deploy")), "plan writes nothing");
    assert.ok(result.files.length > 5 && result.files.every((f) => f.action === "create" && typeof f.diff === "string"));
    const plan = result.details?.plan as Plan;
    assert.deepEqual(plan.weights, [5, 25, 50, 100]);
    assert.deepEqual(plan.pauses, [600, 600, 600]);
    assert.deepEqual(plan.steps.filter((s) => s.weight !== undefined).map((s) => s.weight), [5, 25, 50, 100]);
    assert.ok(plan.healthGates.some((g) => g.includes("ready replicas")));
    assert.ok(plan.healthGates.some((g) => g.includes("2x the baseline")));
    assert.ok(plan.rollbackTriggers.some((t) => t.includes("AnalysisRun")));
    const diff = result.details?.kubectlDiff as { available: boolean; diffs: Record<string, { exitCode: number; diff: string }> };
    assert.equal(diff.available, true);
    assert.deepEqual(Object.keys(diff.diffs), ["staging", "production"]);
    assert.equal(diff.diffs.staging?.exitCode, 1);
    assert.match(diff.diffs.staging?.diff ?? "", /Rollout\.shop/);
    assert.ok(readCluster(clusterFile).calls.some((c) => c.join(" ") === "diff -k deploy/shop/overlays/staging"));
  });

  it("says so when there is no kubectl context", async () => {
    const root = tempDir("sd-deploy-plan2-");
    const clusterFile = join(clusterDir, "b.json");
    writeCluster(clusterFile, { context: null });
    process.env.SENIOR_DEVOPS_KUBECTL = FAKE_KUBECTL;
    process.env.FAKE_KUBECTL_STATE = clusterFile;
    const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, strategy: "blue-green", action: "plan" });
    const diff = result.details?.kubectlDiff as { available: boolean; reason: string };
    assert.equal(diff.available, false);
    assert.match(diff.reason, /no current context/);
    const plan = result.details?.plan as Plan;
    assert.deepEqual(plan.services, [{ name: "shop", selects: "color=blue (live)" }, { name: "shop-preview", selects: "color=green (idle)" }]);
  });

  it("says so when kubectl is missing", async () => {
    const root = tempDir("sd-deploy-plan3-");
    process.env.SENIOR_DEVOPS_KUBECTL = join(clusterDir, "no-such-kubectl");
    const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, action: "plan" });
    const diff = result.details?.kubectlDiff as { available: boolean; reason: string };
    assert.equal(diff.available, false);
    assert.match(diff.reason, /not installed/);
    writeFileSync(join(clusterDir, "unused"), "");
  });
});

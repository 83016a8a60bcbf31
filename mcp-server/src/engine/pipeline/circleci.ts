import type { GeneratedFile } from "../core/types.ts";
import { shellWord } from "../templating/quote.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { PipelinePlan } from "./model.ts";
import { containerImage } from "./pinned-actions.ts";
import { inDir, installKubectl } from "./shared.ts";
import { containerToolchain } from "./toolchain.ts";

const ROOT = "/workspace";

export function renderCircleci(plan: PipelinePlan, engine: TemplateEngine, nextSteps: string[]): GeneratedFile[] {
  const jobs = plan.jobs.map((job) => {
    const tc = containerToolchain(job, ROOT);
    // CircleCI's own template syntax, kept out of Handlebars: the key is built here and emitted via the yaml helper.
    const cacheKey = job.lockfiles.length > 0
      ? `v1-${job.id}-${job.lockfiles.map((l) => `{{ checksum "${l}" }}`).join("-")}`
      : null;
    return {
      id: job.id,
      image: tc.image,
      env: tc.cacheEnv,
      cacheKey,
      cachePath: `${ROOT}/${tc.cacheDir}`,
      commands: [...tc.prepare.map((c) => ({ name: c, run: c })), ...job.steps.map((s) => ({ name: s.name, run: inDir(s, ROOT) }))],
    };
  });
  const registry = plan.registry ?? null;
  const branch = plan.defaultBranch;
  const images = plan.images.map((image) => {
    const ref = `${registry ?? "$REGISTRY"}/${image.name}`;
    return {
      id: `image-${image.id}`,
      needs: image.projectJob ?? null,
      imageRef: ref,
      commands: [
        { name: "Build image", run: `docker build --pull --tag "$IMAGE:$CIRCLE_SHA1" --tag "$IMAGE:$(printf '%s' "$CIRCLE_BRANCH" | tr -c 'A-Za-z0-9_.-' '-')" --file ${shellWord(image.dockerfile)} ${shellWord(image.context)}` },
        { name: "Scan image (Trivy)", run: `docker run --rm -v /var/run/docker.sock:/var/run/docker.sock ${containerImage("trivy")} image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "$IMAGE:$CIRCLE_SHA1"` },
        { name: "Push image (default branch only)", run: `if [ "$CIRCLE_BRANCH" = ${shellWord(branch)} ]; then printf '%s' "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USER" --password-stdin "\${IMAGE%%/*}" && docker push --all-tags "$IMAGE"; fi` },
      ],
    };
  });
  const deploy = plan.stages.includes("deploy")
    ? ["staging", "production"].map((env) => ({
        id: `deploy-${env}`,
        env,
        context: `deploy-${env}`,
        commands: [
          { name: "Install kubectl", run: installKubectl().join(" && ") },
          { name: "Configure cluster access", run: 'umask 077 && printf \'%s\' "$KUBE_CONFIG_B64" | base64 -d > /tmp/kubeconfig' },
          ...plan.deployApps.map((app) => ({ name: `Deploy ${app}`, run: `KUBECONFIG=/tmp/kubeconfig kubectl apply -k deploy/${app}/overlays/${env}` })),
        ],
      }))
    : [];
  const workflowJobs: { name: string; requires: string[]; branchOnly: boolean; approval: boolean; context: string | null }[] = [];
  for (const j of jobs) workflowJobs.push({ name: j.id, requires: [], branchOnly: false, approval: false, context: null });
  if (plan.stages.includes("security")) {
    workflowJobs.push({ name: "security", requires: [], branchOnly: false, approval: false, context: null });
    workflowJobs.push({ name: "secret-scan", requires: [], branchOnly: false, approval: false, context: null });
  }
  for (const i of images) workflowJobs.push({ name: i.id, requires: i.needs ? [i.needs] : [], branchOnly: false, approval: false, context: "registry" });
  if (deploy.length > 0) {
    const before = images.length > 0 ? images.map((i) => i.id) : jobs.map((j) => j.id);
    workflowJobs.push({ name: "deploy-staging", requires: before, branchOnly: true, approval: false, context: "deploy-staging" });
    workflowJobs.push({ name: "approve-production", requires: ["deploy-staging"], branchOnly: true, approval: true, context: null });
    workflowJobs.push({ name: "deploy-production", requires: ["approve-production"], branchOnly: true, approval: false, context: "deploy-production" });
  }
  const content = engine.renderYaml("pipeline/circleci/config.yml", {
    jobs,
    security: plan.stages.includes("security"),
    gitleaksImage: containerImage("gitleaks"),
    trivyImage: containerImage("trivy"),
    dockerImage: containerImage("docker"),
    images,
    deploy,
    branch,
    workflowJobs,
  });
  if (plan.monorepo) {
    plan.warnings.push("circleci: every project job runs on every push; CircleCI path filtering needs a setup workflow with the path-filtering orb (dynamic configuration), which this generator does not emit");
  }
  nextSteps.push("Project Settings → Advanced: enable 'Auto-cancel redundant workflows' (CircleCI's cancel-in-progress for non-default branches).");
  if (images.length > 0) {
    nextSteps.push(`Create a context named registry with REGISTRY_USER and REGISTRY_PASSWORD${registry ? ` for ${registry}` : " and REGISTRY (host/namespace, or re-run with --registry)"}.`);
  }
  if (deploy.length > 0) {
    nextSteps.push("Create contexts deploy-staging and deploy-production, each with KUBE_CONFIG_B64 (base64 of a deploy-only kubeconfig); restrict deploy-production to a security group, and the approve-production job to the people who may release.");
    nextSteps.push(`Generate the kustomize overlays deploy/<app>/overlays/<env> for ${plan.deployApps.join(", ")} with deployment-manager.`);
  }
  return [{ path: plan.ciFile, content, kind: "circleci" }];
}

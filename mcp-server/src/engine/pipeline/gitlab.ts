import type { GeneratedFile } from "../core/types.ts";
import { shellWord } from "../templating/quote.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { PipelinePlan } from "./model.ts";
import { containerImage } from "./pinned-actions.ts";
import { inDir, installKubectl } from "./shared.ts";
import { containerToolchain } from "./toolchain.ts";

const changePaths = (triggers: string[]) => triggers.map((t) => (t.endsWith("/") ? `${t}**/*` : t));

export function renderGitlab(plan: PipelinePlan, engine: TemplateEngine, nextSteps: string[]): GeneratedFile[] {
  const jobs = plan.jobs.map((job) => {
    const tc = containerToolchain(job, "$CI_PROJECT_DIR");
    return {
      id: job.id,
      image: tc.image,
      variables: tc.cacheEnv,
      cacheKeyFiles: job.lockfiles.slice(0, 2),
      cacheDir: tc.cacheDir,
      changes: plan.monorepo && job.triggers.length > 0 ? changePaths(job.triggers) : [],
      script: [...tc.prepare.map((c) => c.run), ...job.steps.map((s) => inDir(s, "$CI_PROJECT_DIR"))],
    };
  });
  const registryImage = (name: string) => (plan.registry ? `${plan.registry}/${name}` : `$CI_REGISTRY_IMAGE/${name}`);
  const images = plan.images.map((image) => {
    const job = plan.jobs.find((j) => j.id === image.projectJob);
    const ref = registryImage(image.name);
    const build = (push: boolean) =>
      `docker buildx build --cache-from type=registry,ref="$IMAGE:buildcache"` +
      (push ? ` --cache-to type=registry,ref="$IMAGE:buildcache",mode=max --push` : " --load") +
      ` --tag "$IMAGE:$CI_COMMIT_SHA" --tag "$IMAGE:$CI_COMMIT_REF_SLUG" --file ${shellWord(image.dockerfile)} ${shellWord(image.context)}`;
    const scan = `docker run --rm -v /var/run/docker.sock:/var/run/docker.sock ${containerImage("trivy")} image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "$IMAGE:$CI_COMMIT_SHA"`;
    return {
      id: `${image.id}-image`,
      needsJob: job?.id ?? null,
      imageVar: ref,
      changes: plan.monorepo && job && job.triggers.length > 0 ? changePaths([...new Set([...job.triggers, image.context === "." ? image.dockerfile : `${image.context}/`])]) : [],
      // Merge requests and branches: build and scan only. Default branch: build, scan, then push (cache warm).
      scriptCheck: [build(false), scan],
      scriptPush: [build(false), scan, build(true)],
    };
  });
  const kubeconfigSetup = installKubectl();
  const deploy = plan.stages.includes("deploy")
    ? ["staging", "production"].map((env) => ({
        id: `deploy-${env}`,
        env,
        manual: env === "production",
        image: containerImage("docker"),
        needs: env === "production" ? ["deploy-staging"] : images.map((i) => `${i.id}-push`),
        script: [kubeconfigSetup.join("\n"), ...plan.deployApps.map((app) => `kubectl apply -k deploy/${app}/overlays/${env}`)],
      }))
    : [];
  const content = engine.renderYaml("pipeline/gitlab-ci/gitlab-ci.yml", {
    jobs,
    security: plan.stages.includes("security"),
    gitleaksImage: containerImage("gitleaks"),
    trivyImage: containerImage("trivy"),
    dockerImage: containerImage("docker"),
    dindImage: containerImage("docker-dind"),
    images,
    deploy,
    registryLogin: plan.registry
      ? `printf '%s' "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USER" --password-stdin ${shellWord(plan.registry.split("/")[0]!)}`
      : `printf '%s' "$CI_REGISTRY_PASSWORD" | docker login --username "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"`,
    // Branch pipelines outside the default branch compare with it: rules:changes otherwise sees only the last push.
    compareTo: `refs/heads/${plan.defaultBranch}`,
  });
  nextSteps.push("Settings → CI/CD → General pipelines: enable 'Auto-cancel redundant pipelines' (jobs are interruptible); Settings → Merge requests: 'Pipelines must succeed'.");
  if (images.length > 0) {
    nextSteps.push("Images build with Docker-in-Docker (docker:dind service): GitLab.com shared runners allow it; self-managed runners need privileged = true in config.toml.");
    if (plan.registry) nextSteps.push(`Add masked, protected CI/CD variables REGISTRY_USER and REGISTRY_PASSWORD for ${plan.registry}.`);
    else nextSteps.push("Images push to this project's Container Registry ($CI_REGISTRY_IMAGE) with the job token; enable the Container Registry if it is off.");
  }
  if (deploy.length > 0) {
    nextSteps.push("Create environments `staging` and `production` (Operate → Environments) and protect `production` (Settings → CI/CD → Protected environments) with the users allowed to run the manual deploy.");
    nextSteps.push("Add a CI/CD variable KUBE_CONFIG of type File for each environment scope (staging, production), protected and masked where possible: a kubeconfig of a deploy-only service account.");
    nextSteps.push(`Generate the kustomize overlays deploy/<app>/overlays/<env> for ${plan.deployApps.join(", ")} with deployment-manager and point their image tags at the $CI_COMMIT_SHA tags this pipeline pushes.`);
  }
  return [{ path: plan.ciFile, content, kind: "gitlab-ci" }];
}

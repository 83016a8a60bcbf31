import type { GeneratedFile } from "../core/types.ts";
import { groovyString, shellWord } from "../templating/quote.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { PipelinePlan } from "./model.ts";
import { containerImage } from "./pinned-actions.ts";
import { deployScript, digestVariable, installKubectl, pushedDigest, signWithKey } from "./shared.ts";
import { containerToolchain } from "./toolchain.ts";

const WS = "\u0000WORKSPACE\u0000";

/** A Groovy expression for a value that contains the workspace path: quoted literals joined with env.WORKSPACE. */
function workspaceExpr(value: string): string {
  return value.split(WS).map((part, i) => (i === 0 ? [part] : ["env.WORKSPACE", part])).flat()
    .filter((p) => p !== "").map((p) => (p === "env.WORKSPACE" ? p : groovyString(p))).join(" + ");
}

/**
 * Jenkins runs docker agents as the agent's own non-root user, so nothing may be installed into system directories:
 * Corepack links pnpm/yarn into the workspace, pip falls back to user installs under HOME (the workspace), and every
 * shell step puts both bin directories first on PATH (a PATH set in `environment` does not reach docker agents).
 */
const USER_PATH = 'export PATH="$WORKSPACE/.bin:$WORKSPACE/.local/bin:$PATH"';
const nonRoot = (run: string) => `${USER_PATH}; ${run === "corepack enable" ? 'mkdir -p "$WORKSPACE/.bin" && corepack enable --install-directory "$WORKSPACE/.bin"' : run}`;

const changesets = (triggers: string[]) => triggers.map((t) => (t.endsWith("/") ? `${t}**` : t));

export function renderJenkins(plan: PipelinePlan, engine: TemplateEngine, nextSteps: string[]): GeneratedFile[] {
  const jobs = plan.jobs.map((job) => {
    const tc = containerToolchain(job, WS, false);
    return {
      id: job.id,
      image: tc.image,
      env: [["HOME", workspaceExpr(WS)], ...tc.cacheEnv.map(([k, v]) => [k, workspaceExpr(v)])],
      changesets: plan.monorepo && job.triggers.length > 0 ? changesets(job.triggers) : [],
      prepare: tc.prepare.map((c) => ({ name: c.name, run: nonRoot(c.run) })),
      steps: job.steps.map((s) => ({ dir: s.dir === "." ? null : s.dir, run: nonRoot(s.run), name: s.name })),
    };
  });
  // Declarative docker agents have no service containers: say what the tests need instead of letting them fail.
  for (const job of plan.jobs) {
    const services = job.project.testServices ?? [];
    if (services.length === 0) continue;
    plan.warnings.push(`jenkins: the tests of ${job.project.name} need ${services.map((s) => `${s.kind} (${s.image}; from ${s.evidence.join(", ")})`).join(" and ")}; Jenkins docker agents get no service containers, so run them beside the agent and set ${Object.keys(job.project.testEnv ?? {}).join(", ")} in the stage's environment`);
  }
  const registry = plan.registry ?? null;
  const images = plan.images.map((image) => {
    const owner = plan.jobs.find((job) => job.id === image.projectJob);
    return {
    id: image.id,
    label: `Build ${image.name}`,
    pushLabel: `Push ${image.name}`,
    // In a monorepo an image is rebuilt and pushed only when its project's paths changed, like its project stage.
    changesets: plan.monorepo && owner && owner.triggers.length > 0 ? changesets(owner.triggers) : [],
    ref: `${registry ?? "registry.example.invalid"}/${image.name}`,
    build: `docker build --pull --tag "$IMAGE:$GIT_COMMIT" --tag "$IMAGE:$(printf '%s' "$BRANCH_NAME" | tr -c 'A-Za-z0-9_.-' '-')" --file ${shellWord(image.dockerfile)} ${shellWord(image.context)}`,
    scan: `docker run --rm -v /var/run/docker.sock:/var/run/docker.sock ${containerImage("trivy")} image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "$IMAGE:$GIT_COMMIT"`,
    push: `docker push --all-tags "$IMAGE"`,
    // The pushed digest becomes a build-wide environment variable the deploy stages read.
    digestVar: digestVariable(image.id),
    digest: pushedDigest("$GIT_COMMIT"),
    sign: `DIGEST="$${digestVariable(image.id)}"\n${signWithKey('"$WORKSPACE/.bin"', '"$WORKSPACE/.supply-chain"', '"$COSIGN_KEY_FILE"', "curl")}`,
    };
  });
  const rollout = engine.render("pipeline/deploy/rollout.sh", {});
  const deployCalls = (env: string) =>
    deployScript(rollout, plan.deployApps.map((app) => {
      const image = images.find((i) => i.id === app);
      return { overlay: shellWord(`deploy/${app}/overlays/${env}`), image: image ? shellWord(image.ref) : "''", digest: image ? `"\${${image.digestVar}:-}"` : "''" };
    }));
  const deploy = plan.stages.includes("deploy")
    ? ["staging", "production"].map((env) => ({
        env,
        title: env === "staging" ? "Deploy staging" : "Deploy production",
        credentialsId: `kubeconfig-${env}`,
        approval: env === "production",
        script: [
          ...installKubectl().map((l) => l.replace("/usr/local/bin/kubectl", "\"$WORKSPACE/.bin/kubectl\"").replace("install -m", "mkdir -p \"$WORKSPACE/.bin\" && install -m")),
          `export PATH="$WORKSPACE/.bin:$PATH"\n${deployCalls(env)}`,
        ],
      }))
    : [];
  const content = engine.render("pipeline/jenkins/Jenkinsfile", {
    branch: plan.defaultBranch,
    jobs,
    security: plan.stages.includes("security"),
    gitleaksImage: containerImage("gitleaks"),
    trivyImage: containerImage("trivy"),
    deployImage: containerImage("docker"),
    images,
    registryHost: registry ? registry.split("/")[0] : "registry.example.invalid",
    deploy,
  });
  nextSteps.push("Use a Multibranch Pipeline job (the when { branch } and changeset conditions need it) with the Pipeline, Docker Pipeline and Credentials Binding plugins; agents need Docker.");
  if (plan.monorepo) nextSteps.push("Project and image stages run when their paths changed since the previous build of the same branch or pull request; builds without a changelog (the first one, manual or timer builds) run every project.");
  if (images.length > 0) {
    nextSteps.push("Add a 'Username with password' credential with id registry-credentials for the container registry" + (registry ? ` ${registry}.` : "; re-run with --registry <host/namespace> to replace the placeholder registry.example.invalid."));
    nextSteps.push("Pushed images get an SPDX SBOM (syft) and a cosign signature and SBOM attestation made with your key: add a 'Secret file' credential cosign-key (cosign generate-key-pair) and a 'Secret text' credential cosign-password, and publish cosign.pub for verification (cosign verify --key cosign.pub <image>@<digest>). Keyless signing and build provenance need an OIDC identity Jenkins does not provide to Sigstore.");
  }
  if (deploy.length > 0) {
    nextSteps.push("Add 'Secret file' credentials kubeconfig-staging and kubeconfig-production (kubeconfigs of deploy-only service accounts); restrict who may approve the production input step (Configure Global Security or the input's submitter).");
    nextSteps.push(`Generate the kustomize overlays deploy/<app>/overlays/<env> for ${plan.deployApps.join(", ")} with deployment-manager, with the image names this pipeline pushes: the deploy stages set the digest each push stage recorded, apply, wait for the Deployment or Argo Rollout and roll back on failure.`);
  }
  if (!registry && images.length > 0) plan.warnings.push("jenkins: no --registry given, images are tagged for the placeholder registry.example.invalid until you set one");
  return [{ path: plan.ciFile, content, kind: "jenkinsfile" }];
}

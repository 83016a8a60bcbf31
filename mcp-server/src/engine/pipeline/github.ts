import type { Analysis } from "../analyze/types.ts";
import type { GeneratedFile } from "../core/types.ts";
import type { TemplateEngine } from "../templating/render.ts";
import { type DeployTarget, type ImagePlan, normaliseVersion, type PipelinePlan, type ProjectJob } from "./model.ts";
import { CONTAINER_IMAGES, pinned, pinnedComment } from "./pinned-actions.ts";
import { deployScript, GOLANGCI_LINT_VERSION, KUBECTL_VERSION } from "./shared.ts";
import { withHosts } from "./test-services.ts";
import { PDM_PACKAGE } from "./toolchain.ts";

/** One workflow step; `with` values are strings. Rendered by the shared `pipeline/github/step` partial. */
export interface GhStep {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  version?: string;
  with?: [string, string][];
  env?: [string, string][];
  run?: string;
  workingDirectory?: string;
}

const action = (id: string, name: string, inputs: Record<string, string> = {}, extra: Partial<GhStep> = {}): GhStep => ({
  name,
  uses: pinned(id),
  version: pinnedComment(id),
  with: Object.entries(inputs),
  ...extra,
});

/** Every field present (strict templates): absent ones as null / empty lists. */
function norm(step: GhStep) {
  return {
    name: step.name, id: step.id ?? null, if: step.if ?? null, uses: step.uses ?? null, version: step.version ?? null,
    with: step.with ?? [], env: step.env ?? [], run: step.run ?? null, workingDirectory: step.workingDirectory ?? null,
  };
}
const normJob = <T extends { steps: GhStep[] }>(job: T) => ({ ...job, steps: job.steps.map(norm) });

const checkout = (fetchDepth?: number): GhStep =>
  action("checkout", "Check out", { "persist-credentials": "false", ...(fetchDepth !== undefined ? { "fetch-depth": String(fetchDepth) } : {}) });

/** Setup steps for a project's toolchain, with the dependency cache keyed on its lockfiles. */
function setupSteps(job: ProjectJob, warnings: string[]): GhStep[] {
  const p = job.project;
  const locks = job.lockfiles.join("\n");
  const hasLock = job.lockfiles.length > 0;
  const steps: GhStep[] = [];
  switch (p.language) {
    case "node": {
      const version = job.matrix ? "${{ matrix.node }}" : job.version ?? "lts/*";
      if (p.packageManager === "bun") {
        steps.push(action("setup-bun", "Set up Bun", p.versions.bun ? { "bun-version": p.versions.bun } : {}));
        if (hasLock) {
          steps.push(action("cache", "Cache Bun packages", { path: "~/.bun/install/cache", key: `bun-\${{ runner.os }}-\${{ hashFiles(${job.lockfiles.map((l) => `'${l}'`).join(", ")}) }}` }));
        }
        break;
      }
      if (p.packageManager === "pnpm") {
        // versions.pnpm comes from package.json's packageManager field, which pnpm/action-setup reads itself (and
        // refuses to run when a `version` input disagrees with it, e.g. over a +sha512 suffix).
        const manifest = job.installDir === "." ? "package.json" : `${job.installDir}/package.json`;
        if (p.versions.pnpm) steps.push(action("pnpm-setup", "Set up pnpm", job.installDir === "." ? {} : { package_json_file: manifest }));
        else {
          steps.push(action("pnpm-setup", "Set up pnpm", { version: "10" }));
          warnings.push(`${p.path}: no packageManager field in ${manifest}; CI installs pnpm 10 — pin yours with "packageManager": "pnpm@<version>"`);
        }
      }
      if (p.packageManager === "yarn") steps.push({ name: "Enable Corepack (Yarn)", run: "corepack enable" });
      const cache: Record<string, string> = hasLock && p.packageManager !== "npm"
        ? { cache: p.packageManager, "cache-dependency-path": locks }
        : hasLock ? { cache: "npm", "cache-dependency-path": locks } : { "package-manager-cache": "false" };
      steps.push(action("setup-node", "Set up Node.js", { "node-version": version, ...cache }));
      break;
    }
    case "python": {
      const version = job.version ?? "3.x";
      if (p.packageManager === "uv") {
        steps.push(action("setup-uv", "Set up uv", hasLock ? { "enable-cache": "true", "cache-dependency-glob": locks } : {}));
        steps.push(action("setup-python", "Set up Python", { "python-version": version }));
        break;
      }
      if (p.packageManager === "poetry" || p.packageManager === "pipenv" || p.packageManager === "pdm") {
        steps.push({ name: `Install ${p.packageManager}`, run: `pipx install ${p.packageManager === "pdm" ? PDM_PACKAGE : p.packageManager}` });
      }
      const cacheKind = p.packageManager === "poetry" || p.packageManager === "pipenv" ? p.packageManager : p.packageManager === "pip" ? "pip" : undefined;
      steps.push(action("setup-python", "Set up Python", {
        "python-version": version,
        ...(hasLock && cacheKind ? { cache: cacheKind, "cache-dependency-path": locks } : {}),
      }));
      if (p.packageManager === "pdm" && hasLock) {
        steps.push(action("cache", "Cache PDM packages", { path: "~/.cache/pdm", key: `pdm-\${{ runner.os }}-\${{ hashFiles(${job.lockfiles.map((l) => `'${l}'`).join(", ")}) }}` }));
      }
      break;
    }
    case "go":
      steps.push(action("setup-go", "Set up Go", {
        // go.mod's go and toolchain directives are the truth (setup-go reads both), unless the plan raised an ancient one.
        ...(job.version && job.version !== normaliseVersion(p.versions.go)
          ? { "go-version": job.version }
          : { "go-version-file": p.path === "." ? "go.mod" : `${p.path}/go.mod` }),
        ...(hasLock ? { "cache-dependency-path": locks } : { cache: "false" }),
      }));
      break;
    case "java":
    case "kotlin": {
      const kind = p.packageManager === "gradle" ? "gradle" : "maven";
      steps.push(action("setup-java", "Set up Java", {
        distribution: "temurin",
        "java-version": job.version ?? "21",
        ...(hasLock ? { cache: kind, "cache-dependency-path": locks } : { cache: kind }),
      }));
      if (!job.version) warnings.push(`${p.path}: no Java version declared; CI uses Java 21 (set maven.compiler.release or a Gradle toolchain to pin it)`);
      break;
    }
    case "rust":
      steps.push({ name: "Install Rust toolchain", run: `rustup toolchain install ${job.version ?? "stable"} --profile minimal --component clippy,rustfmt && rustup default ${job.version ?? "stable"}` });
      steps.push(action("rust-cache", "Cache Cargo", { workspaces: p.path === "." ? ". -> target" : `${p.path} -> target` }));
      break;
    case "dotnet":
      steps.push(action("setup-dotnet", "Set up .NET", {
        ...(job.version ? { "dotnet-version": `${job.version}.x` } : { "dotnet-version": "8.0.x" }),
        ...(hasLock ? { cache: "true", "cache-dependency-path": locks } : {}),
      }));
      break;
    case "ruby":
      // setup-ruby fails without a version when the repository has no .ruby-version or .tool-versions.
      if (!job.version) warnings.push(`${job.project.path}: no Ruby version declared (.ruby-version, Gemfile \`ruby\`, Gemfile.lock); CI uses Ruby ${CONTAINER_IMAGES.ruby!.tag}: add a .ruby-version`);
      steps.push(action("setup-ruby", "Set up Ruby", {
        "ruby-version": job.version ?? CONTAINER_IMAGES.ruby!.tag,
        "bundler-cache": hasLock ? "true" : "false",
        "working-directory": job.installDir,
      }));
      break;
    case "php":
      steps.push(action("setup-php", "Set up PHP", { "php-version": job.version ?? "8.4", tools: "composer" }));
      if (hasLock) {
        steps.push(action("cache", "Cache Composer packages", { path: "~/.cache/composer/files", key: `composer-\${{ runner.os }}-\${{ hashFiles(${job.lockfiles.map((l) => `'${l}'`).join(", ")}) }}` }));
      }
      break;
  }
  return steps;
}

function projectJob(job: ProjectJob, plan: PipelinePlan, warnings: string[]) {
  // Affected-only runs compare with the default branch, so those jobs check out its history too.
  const steps: GhStep[] = [checkout(job.history ? 0 : undefined), ...setupSteps(job, warnings)];
  for (const step of job.steps) {
    // Ruby's bundler-cache already ran `bundle install` against the lockfile.
    if (step.stage === "install" && job.project.language === "ruby" && job.lockfiles.length > 0) continue;
    const golangci = /^golangci-lint run(\s+(.*))?$/.exec(step.run.trim());
    if (golangci) {
      // The runner has no golangci-lint; the action installs the pinned release and caches its analysis.
      steps.push(action("golangci-lint", `${step.name} (golangci-lint)`, {
        version: GOLANGCI_LINT_VERSION,
        ...(step.dir === "." ? {} : { "working-directory": step.dir }),
        ...(golangci[2] ? { args: golangci[2] } : {}),
      }));
      continue;
    }
    steps.push({ name: step.name, run: step.run, workingDirectory: step.dir === "." ? undefined : step.dir });
  }
  return {
    id: job.id,
    // GitHub evaluates ${{ }} in job names: only the job id (a slug) and the checked path, never a package name.
    name: job.project.path === "." ? job.id : `${job.id} (${job.project.path})`,
    matrix: job.matrix ? { node: job.matrix } : null,
    needsChanges: plan.monorepo && job.triggers.length > 0,
    timeout: 30,
    steps,
    ...testServices(job),
  };
}

/** Service containers for the job's tests, published on the runner's loopback, and the env the tests read. */
function testServices(job: ProjectJob): { services: unknown[]; env: [string, string][] } {
  const services = job.project.testServices ?? [];
  if (services.length === 0) return { services: [], env: [] };
  const health: Record<string, string> = {
    postgres: "--health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 10",
    mysql: "--health-cmd \"mysqladmin ping -h 127.0.0.1\" --health-interval 5s --health-timeout 5s --health-retries 20",
    redis: "--health-cmd \"redis-cli ping\" --health-interval 5s --health-timeout 5s --health-retries 10",
    // mongo images before 6.0 have the legacy mongo shell instead of mongosh.
    mongodb: "--health-cmd \"mongosh --quiet --eval 'db.adminCommand({ping: 1})' || mongo --quiet --eval 'db.adminCommand({ping: 1})'\" --health-interval 5s --health-timeout 5s --health-retries 20",
  };
  return {
    services: services.map((s) => ({ id: s.kind, image: s.image, env: Object.entries(s.env), port: `${s.port}:${s.port}`, options: health[s.kind] })),
    env: Object.entries(job.project.testEnv ?? {}).map(([k, v]) => [k, withHosts(v, () => "127.0.0.1")]),
  };
}

function imageRef(plan: PipelinePlan, image: ImagePlan, single: boolean): string {
  if (plan.registry) return `${plan.registry}/${image.name}`;
  return single ? "ghcr.io/${{ github.repository }}" : `ghcr.io/\${{ github.repository }}/${image.name}`;
}

export function renderGithub(analysis: Analysis, plan: PipelinePlan, engine: TemplateEngine, nextSteps: string[]): GeneratedFile[] {
  const warnings = plan.warnings;
  const branch = plan.defaultBranch;
  const onDefault = `github.event_name == 'push' && github.ref == 'refs/heads/${branch}'`;
  const jobs = plan.jobs.map((j) => projectJob(j, plan, warnings));
  const filtered = plan.monorepo && plan.jobs.some((j) => j.triggers.length > 0);
  const changes = filtered
    ? plan.jobs.filter((j) => j.triggers.length > 0).map((j) => ({ id: j.id, output: `\${{ steps.filter.outputs.${j.id} }}`, paths: j.triggers }))
    : [];
  const ghcr = !plan.registry;
  const images = plan.images.map((image) => {
    const ref = imageRef(plan, image, plan.images.length === 1 && !plan.monorepo);
    const projectJobId = image.projectJob;
    const pj = plan.jobs.find((j) => j.id === projectJobId);
    const condition = filtered && pj && pj.triggers.length > 0 ? `needs.changes.outputs.${pj.id} == 'true'` : undefined;
    const needs = [...(condition ? ["changes"] : []), ...(projectJobId ? [projectJobId] : [])];
    const steps: GhStep[] = [
      checkout(),
      action("setup-buildx", "Set up Docker Buildx"),
      action("docker-login", "Log in to the registry", {
        registry: ghcr ? "ghcr.io" : plan.registry!.split("/")[0]!,
        username: ghcr ? "${{ github.actor }}" : "${{ secrets.REGISTRY_USERNAME }}",
        password: ghcr ? "${{ secrets.GITHUB_TOKEN }}" : "${{ secrets.REGISTRY_PASSWORD }}",
      }, { if: onDefault }),
      action("docker-metadata", "Image tags", {
        images: ref,
        tags: "type=sha,format=long\ntype=ref,event=branch\ntype=ref,event=pr",
      }, { id: "meta" }),
      action("docker-build-push", "Build image", {
        context: image.context,
        file: image.dockerfile,
        load: "true",
        push: "false",
        tags: "${{ steps.meta.outputs.tags }}",
        labels: "${{ steps.meta.outputs.labels }}",
        "cache-from": `type=gha,scope=${image.id}`,
        "cache-to": `type=gha,scope=${image.id},mode=max`,
      }),
      action("trivy", "Scan image (Trivy)", {
        "image-ref": "${{ fromJSON(steps.meta.outputs.json).tags[0] }}",
        severity: "HIGH,CRITICAL",
        "ignore-unfixed": "true",
        "exit-code": "1",
      }),
      action("docker-build-push", "Push image", {
        context: image.context,
        file: image.dockerfile,
        push: "true",
        tags: "${{ steps.meta.outputs.tags }}",
        labels: "${{ steps.meta.outputs.labels }}",
        "cache-from": `type=gha,scope=${image.id}`,
      }, { if: onDefault, id: "push" }),
      {
        name: "Image name and digest",
        id: "image",
        if: onDefault,
        env: [["TAG", "${{ fromJSON(steps.meta.outputs.json).tags[0] }}"], ["DIGEST", "${{ steps.push.outputs.digest }}"]],
        run: 'echo "name=${TAG%:*}" >> "$GITHUB_OUTPUT"\necho "digest=$DIGEST" >> "$GITHUB_OUTPUT"',
      },
    ];
    return {
      id: `docker-${image.id}`,
      imageId: image.id,
      name: `Image ${image.name}`,
      needs,
      if: condition,
      packagesWrite: ghcr,
      outputs: [["name", "${{ steps.image.outputs.name }}"], ["digest", "${{ steps.image.outputs.digest }}"]],
      steps,
    };
  });

  // Supply chain, default branch only: an SBOM per pushed image, a keyless cosign signature and a build provenance
  // attestation, all on the digest. Only this job holds id-token: write and attestations: write.
  const supplyChain = images.map((job) => {
    const envs: [string, string][] = [["IMAGE", `\${{ needs.${job.id}.outputs.name }}`], ["DIGEST", `\${{ needs.${job.id}.outputs.digest }}`]];
    return {
      id: `sign-${job.imageId}`,
      name: `Sign and attest ${job.imageId}`,
      needs: [job.id],
      if: `!cancelled() && needs.${job.id}.result == 'success' && needs.${job.id}.outputs.digest != '' && ${onDefault}`,
      packagesWrite: ghcr,
      steps: [
        action("cosign-installer", "Install cosign"),
        action("docker-login", "Log in to the registry", {
          registry: ghcr ? "ghcr.io" : plan.registry!.split("/")[0]!,
          username: ghcr ? "${{ github.actor }}" : "${{ secrets.REGISTRY_USERNAME }}",
          password: ghcr ? "${{ secrets.GITHUB_TOKEN }}" : "${{ secrets.REGISTRY_PASSWORD }}",
        }),
        action("sbom-action", "SBOM (SPDX, Syft)", {
          image: `\${{ needs.${job.id}.outputs.name }}@\${{ needs.${job.id}.outputs.digest }}`,
          format: "spdx-json",
          "output-file": `sbom-${job.imageId}.spdx.json`,
          "artifact-name": `sbom-${job.imageId}.spdx.json`,
          "upload-release-assets": "false",
        }),
        {
          name: "Sign the image and attach the SBOM (keyless, Sigstore)",
          env: [...envs, ["SBOM", `sbom-${job.imageId}.spdx.json`]],
          run: 'cosign sign --yes "$IMAGE@$DIGEST"\ncosign attest --yes --type spdxjson --predicate "$SBOM" "$IMAGE@$DIGEST"',
        },
        action("attest-build-provenance", "Build provenance attestation", {
          "subject-name": `\${{ needs.${job.id}.outputs.name }}`,
          "subject-digest": `\${{ needs.${job.id}.outputs.digest }}`,
          "push-to-registry": "true",
        }),
      ] as GhStep[],
    };
  });

  const oidc = plan.target.cloud !== "none";
  // Every project's tests gate the deploy, also when an image job does not depend on them (an image whose context is
  // not a project directory); path-filtered skipped jobs pass the status functions below.
  const deployNeeds = [
    ...jobs.map((j) => j.id),
    ...images.map((i) => i.id),
    ...supplyChain.map((j) => j.id),
    ...(plan.stages.includes("security") ? ["security"] : []),
  ];
  const rollout = engine.render("pipeline/deploy/rollout.sh", {});
  const deploySteps = (env: string): GhStep[] => [
    checkout(),
    action("setup-kubectl", "Set up kubectl", { version: KUBECTL_VERSION }),
    ...clusterAccess(plan.target),
    ...plan.deployApps.map((app): GhStep => {
      const image = images.find((i) => i.imageId === app);
      return {
        name: `Deploy ${app} to ${env} and wait for it`,
        env: [
          ["OVERLAY", `deploy/${app}/overlays/${env}`],
          ["IMAGE_NAME", image ? `\${{ needs.${image.id}.outputs.name }}` : ""],
          ["DIGEST", image ? `\${{ needs.${image.id}.outputs.digest }}` : ""],
        ],
        run: deployScript(rollout, [{ overlay: '"$OVERLAY"', image: '"$IMAGE_NAME"', digest: '"$DIGEST"' }]),
      };
    }),
  ];
  if (plan.stages.includes("deploy") && images.length === 0) warnings.push("deploy stage without images: the deploy jobs apply the overlays as committed and wait for them, but set no new image");
  // Status functions: a path filter that skipped an image job must not silently skip the deploy (an if: without one
  // implies success() over every upstream job); any failed or cancelled upstream (scans, signing) still stops it.
  const stagingIf = `!cancelled() && !failure() && ${onDefault}`;
  const deploy = plan.stages.includes("deploy")
    ? [
        {
          id: "deploy-staging", name: "Deploy to staging", environment: "staging", needs: deployNeeds, if: stagingIf, oidc,
          steps: deploySteps("staging"),
        },
        {
          id: "deploy-production", name: "Deploy to production", environment: "production", needs: ["deploy-staging", ...deployNeeds],
          if: `!cancelled() && !failure() && needs.deploy-staging.result == 'success' && ${onDefault}`, oidc,
          steps: deploySteps("production"),
        },
      ]
    : [];

  const security = plan.stages.includes("security")
    ? {
        steps: [
          checkout(0),
          action("trufflehog", "Secret scan (TruffleHog)", { version: "3.97.0", extra_args: "--results=verified,unknown" }),
          action("trivy", "Dependency and filesystem scan (Trivy)", {
            "scan-type": "fs",
            "scan-ref": ".",
            scanners: "vuln,secret,misconfig",
            severity: "HIGH,CRITICAL",
            "ignore-unfixed": "true",
            "exit-code": "1",
          }),
        ] as GhStep[],
      }
    : undefined;

  const workflow = engine.renderYaml("pipeline/github-actions/ci.yml", {
    branch,
    changes,
    changesCheckout: norm(checkout(0)),
    jobs: jobs.map(normJob),
    security: security ? normJob(security) : null,
    images: images.map((i) => normJob({ ...i, if: i.if ?? null })),
    supplyChain: supplyChain.map(normJob),
    deploy: deploy.map(normJob),
  });

  const files: GeneratedFile[] = [{ path: plan.ciFile, content: workflow, kind: "github-workflow" }];
  files.push({ path: ".github/dependabot.yml", content: renderDependabot(analysis, plan, engine), kind: "github-dependabot" });

  nextSteps.push(`Protect ${branch}: Settings → Branches → require the CI checks (${[...jobs.map((j) => j.id), ...(security ? ["security"] : [])].join(", ")}) to pass before merging.`);
  if (images.length > 0) {
    if (ghcr) nextSteps.push("Images push to ghcr.io with the built-in GITHUB_TOKEN (the docker jobs get packages: write); after the first push, set each package's visibility under Packages.");
    else nextSteps.push(`Add repository secrets REGISTRY_USERNAME and REGISTRY_PASSWORD (a push token) for ${plan.registry}.`);
  }
  if (deploy.length > 0) {
    nextSteps.push("Create environments `staging` and `production` (Settings → Environments); on `production` add Required reviewers (the manual approval) and restrict deployment branches to " + branch + ".");
    nextSteps.push(...clusterAccessSteps(plan.target));
    nextSteps.push(`The deploy jobs render deploy/<app>/overlays/<env> with the digest each image job pushed (the committed overlay is left as it is), apply it, wait for the Deployment or Argo Rollout and roll back on failure, for ${plan.deployApps.join(", ")}: generate those overlays with deployment-manager using the image names this pipeline pushes.`);
  }
  if (security) nextSteps.push("Trivy and TruffleHog fail the security job on HIGH/CRITICAL findings or live secrets; add accepted findings to .trivyignore rather than lowering the threshold.");
  return files;
}

/** Writes the kubeconfig to $RUNNER_TEMP (not ~/.kube) and points later steps at it. */
const KUBECONFIG_LINES = ['export KUBECONFIG="$RUNNER_TEMP/kubeconfig"', 'echo "KUBECONFIG=$KUBECONFIG" >> "$GITHUB_ENV"'];

/**
 * Steps that give the deploy job cluster credentials: a stored kubeconfig, or short-lived cloud credentials from
 * GitHub's OIDC token (the job has id-token: write). Values reach `run:` only through `env:`.
 */
function clusterAccess(target: DeployTarget): GhStep[] {
  switch (target.cloud) {
    case "none":
      return [{
        name: "Configure cluster access",
        env: [["KUBE_CONFIG", "${{ secrets.KUBE_CONFIG }}"]],
        run: [
          'install -m 600 /dev/null "$RUNNER_TEMP/kubeconfig"',
          `printf '%s' "$KUBE_CONFIG" > "$RUNNER_TEMP/kubeconfig"`,
          'echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"',
        ].join("\n"),
      }];
    case "aws":
      return [
        action("aws-credentials", "Assume the deploy role (OIDC)", {
          "role-to-assume": "${{ secrets.AWS_DEPLOY_ROLE_ARN }}",
          "aws-region": target.region,
          "role-session-name": "github-deploy-${{ github.run_id }}",
        }),
        {
          name: "Configure cluster access (EKS)",
          env: [["CLUSTER_NAME", target.cluster], ["CLUSTER_REGION", target.region]],
          run: [...KUBECONFIG_LINES, 'aws eks update-kubeconfig --name "$CLUSTER_NAME" --region "$CLUSTER_REGION"'].join("\n"),
        },
      ];
    case "gcp":
      return [
        action("gcp-auth", "Authenticate to Google Cloud (Workload Identity Federation)", {
          workload_identity_provider: "${{ secrets.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
          service_account: "${{ secrets.GCP_SERVICE_ACCOUNT }}",
          project_id: "${{ secrets.GCP_PROJECT_ID }}",
        }),
        {
          // GitHub's Ubuntu images install the Google Cloud CLI from Google's apt repository, which also ships the plugin.
          name: "Install the GKE auth plugin",
          run: "sudo apt-get update -q\nsudo apt-get install -y -q google-cloud-cli-gke-gcloud-auth-plugin",
        },
        {
          name: "Configure cluster access (GKE)",
          env: [["CLUSTER_NAME", target.cluster], ["CLUSTER_LOCATION", target.region]],
          run: [...KUBECONFIG_LINES, 'gcloud container clusters get-credentials "$CLUSTER_NAME" --location "$CLUSTER_LOCATION"'].join("\n"),
        },
      ];
    case "azure":
      return [
        action("azure-login", "Log in to Azure (OIDC)", {
          "client-id": "${{ secrets.AZURE_CLIENT_ID }}",
          "tenant-id": "${{ secrets.AZURE_TENANT_ID }}",
          "subscription-id": "${{ secrets.AZURE_SUBSCRIPTION_ID }}",
        }),
        {
          // kubelogin turns the Entra ID kubeconfig into one that uses the az login session; only its directory joins PATH.
          name: "Configure cluster access (AKS)",
          env: [["CLUSTER_NAME", target.cluster], ["RESOURCE_GROUP", "${{ secrets.AKS_RESOURCE_GROUP }}"]],
          run: [
            ...KUBECONFIG_LINES,
            'az aks install-cli --install-location "$RUNNER_TEMP/az-kubectl/kubectl" --kubelogin-install-location "$RUNNER_TEMP/kubelogin/kubelogin"',
            'export PATH="$RUNNER_TEMP/kubelogin:$PATH"',
            'echo "$RUNNER_TEMP/kubelogin" >> "$GITHUB_PATH"',
            'az aks get-credentials --resource-group "$RESOURCE_GROUP" --name "$CLUSTER_NAME" --file "$KUBECONFIG" --overwrite-existing',
            'kubelogin convert-kubeconfig -l azurecli',
          ].join("\n"),
        },
      ];
  }
}

/** What the user must set up so the deploy jobs can reach the cluster: the trust and the secrets, per environment. */
function clusterAccessSteps(target: DeployTarget): string[] {
  const subjects = "repo:<owner>/<repo>:environment:staging and repo:<owner>/<repo>:environment:production";
  switch (target.cloud) {
    case "none":
      return ["Add an environment secret KUBE_CONFIG (a kubeconfig for a deploy-only service account) to each environment; for an EKS, GKE or AKS cluster re-run with --cloud aws|gcp|azure --cluster <name> to use OIDC instead of a stored credential."];
    case "aws":
      return [
        `AWS: create the IAM OIDC identity provider token.actions.githubusercontent.com (audience sts.amazonaws.com), then one IAM role per environment whose trust policy allows sts:AssumeRoleWithWebIdentity from that provider with token.actions.githubusercontent.com:aud = sts.amazonaws.com and token.actions.githubusercontent.com:sub = repo:<owner>/<repo>:environment:<env> (${subjects}); give the role eks:DescribeCluster on ${target.cluster} in ${target.region}.`,
        `EKS: grant each role cluster access with an access entry (aws eks create-access-entry --cluster-name ${target.cluster} --principal-arn <role-arn>, then associate-access-policy, scoped to the app namespaces) or the aws-auth ConfigMap.`,
        "Add an environment secret AWS_DEPLOY_ROLE_ARN (the role's ARN) to the staging and production environments; no access keys are stored.",
      ];
    case "gcp":
      return [
        `GCP: create a Workload Identity Pool and an OIDC provider for issuer https://token.actions.githubusercontent.com with attribute mapping google.subject=assertion.sub, attribute.repository=assertion.repository and an attribute condition assertion.repository == '<owner>/<repo>'; allow a deploy service account to be impersonated only by principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/subject/${"repo:<owner>/<repo>:environment:<env>"} (roles/iam.workloadIdentityUser) for ${subjects}.`,
        `GKE: give the service account roles/container.clusterViewer on the project and Kubernetes RBAC (or roles/container.developer) to deploy into ${target.cluster} (${target.region}).`,
        "Add environment secrets GCP_WORKLOAD_IDENTITY_PROVIDER (projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>), GCP_SERVICE_ACCOUNT (its email) and GCP_PROJECT_ID (the cluster's project) to staging and production; no key files are stored.",
      ];
    case "azure":
      return [
        `Azure: create an Entra ID app registration (or user-assigned managed identity) per environment with a federated credential: issuer https://token.actions.githubusercontent.com, audience api://AzureADTokenExchange, subject repo:<owner>/<repo>:environment:<env> (${subjects}).`,
        `AKS: assign that identity Azure Kubernetes Service Cluster User Role on ${target.cluster} plus Kubernetes RBAC (Azure RBAC for Kubernetes or a RoleBinding) on the app namespaces.`,
        "Add environment secrets AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID and AKS_RESOURCE_GROUP (the cluster's resource group) to staging and production; no client secret is stored.",
      ];
  }
}

const DEPENDABOT: Record<string, string> = {
  npm: "npm", pnpm: "npm", yarn: "npm", bun: "bun",
  pip: "pip", poetry: "pip", pipenv: "pip", pdm: "pip", uv: "uv",
  go: "gomod", maven: "maven", gradle: "gradle", cargo: "cargo", dotnet: "nuget", bundler: "bundler", composer: "composer",
};

function renderDependabot(analysis: Analysis, plan: PipelinePlan, engine: TemplateEngine): string {
  const updates: { ecosystem: string; directory: string }[] = [{ ecosystem: "github-actions", directory: "/" }];
  const seen = new Set<string>();
  const add = (ecosystem: string, dir: string) => {
    const directory = dir === "." ? "/" : `/${dir}`;
    const key = `${ecosystem} ${directory}`;
    if (seen.has(key)) return;
    seen.add(key);
    updates.push({ ecosystem, directory });
  };
  for (const job of plan.jobs) add(DEPENDABOT[job.project.packageManager]!, job.installDir);
  for (const image of plan.images) {
    const dir = image.dockerfile.includes("/") ? image.dockerfile.slice(0, image.dockerfile.lastIndexOf("/")) : ".";
    add("docker", dir);
  }
  for (const service of analysis.services) {
    if (service.dockerfile && !plan.images.length) {
      const dir = service.dockerfile.includes("/") ? service.dockerfile.slice(0, service.dockerfile.lastIndexOf("/")) : ".";
      add("docker", dir);
    }
  }
  return engine.renderYaml("pipeline/github-actions/dependabot.yml", { updates });
}

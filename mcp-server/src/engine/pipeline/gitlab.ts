import type { GeneratedFile } from "../core/types.ts";
import { shellWord } from "../templating/quote.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { DeployTarget, PipelinePlan, ProjectJob } from "./model.ts";
import type { TestService } from "../analyze/types.ts";
import { containerImage } from "./pinned-actions.ts";
import { strictLines } from "./script.ts";
import { withHosts } from "./test-services.ts";
import { deployScript, digestVariable, installCosign, installKubectl } from "./shared.ts";
import { containerToolchain } from "./toolchain.ts";

const changePaths = (triggers: string[]) => triggers.map((t) => (t.endsWith("/") ? `${t}**/*` : t));

/**
 * A job's script lines. GitLab runs them in one errexit shell, so each `&&` member is a line of its own (see
 * script.ts), and when any step runs in a subdirectory every step starts with an explicit `cd`, because a `cd`
 * line changes the directory of the lines after it.
 */
function jobScript(steps: PipelinePlan["jobs"][number]["steps"]): string[] {
  const moves = steps.some((s) => s.dir !== ".");
  let here = ".";
  return steps.flatMap((s) => {
    const cd = moves && s.dir !== here ? [s.dir === "." ? 'cd "$CI_PROJECT_DIR"' : `cd "$CI_PROJECT_DIR"/${shellWord(s.dir)}`] : [];
    here = s.dir;
    return [...cd, ...strictLines(s.run)];
  });
}

/**
 * One variables map for the job and its services (GitLab hands the job's variables to its service containers too):
 * a setting named twice with one value is kept once; with two values the service's wins, loudly.
 */
function jobVariables(job: ProjectJob, cacheEnv: [string, string][], services: TestService[], warnings: string[]): [string, string][] {
  const vars = new Map<string, string>(cacheEnv);
  for (const s of services) for (const [k, v] of Object.entries(s.env)) vars.set(k, v);
  const serviceKeys = new Set(services.flatMap((s) => Object.keys(s.env)));
  for (const [k, raw] of Object.entries(job.project.testEnv ?? {})) {
    const v = withHosts(raw, (kind) => kind);
    if (serviceKeys.has(k) && vars.get(k) !== v) {
      warnings.push(`${job.project.path}: ${k} configures both a service container and the tests on GitLab (one variables map); the service's value is kept`);
      continue;
    }
    vars.set(k, v);
  }
  return [...vars];
}

export function renderGitlab(plan: PipelinePlan, engine: TemplateEngine, nextSteps: string[]): GeneratedFile[] {
  const jobs = plan.jobs.map((job) => {
    const tc = containerToolchain(job, "$CI_PROJECT_DIR");
    const services = job.project.testServices ?? [];
    return {
      id: job.id,
      image: tc.image,
      // Service containers are reached by their alias; the job's variables also configure them (POSTGRES_*).
      services: services.map((s) => ({ name: s.image, alias: s.kind })),
      variables: jobVariables(job, tc.cacheEnv, services, plan.warnings),
      cacheKeyFiles: job.lockfiles.slice(0, 2),
      cacheDir: tc.cacheDir,
      changes: plan.monorepo && job.triggers.length > 0 ? changePaths(job.triggers) : [],
      script: [...tc.prepare.flatMap((c) => strictLines(c.run)), ...jobScript(job.steps)],
    };
  });
  const registryImage = (name: string) => (plan.registry ? `${plan.registry}/${name}` : `$CI_REGISTRY_IMAGE/${name}`);
  const images = plan.images.map((image) => {
    const job = plan.jobs.find((j) => j.id === image.projectJob);
    const ref = registryImage(image.name);
    // The pushed build also attaches an SBOM and SLSA provenance (BuildKit attestations) and records its digest.
    const build = (push: boolean) =>
      `docker buildx build --cache-from type=registry,ref="$IMAGE:buildcache"` +
      (push ? ` --cache-to type=registry,ref="$IMAGE:buildcache",mode=max --sbom=true --provenance=mode=max --metadata-file image-metadata.json --push` : " --load") +
      ` --tag "$IMAGE:$CI_COMMIT_SHA" --tag "$IMAGE:$CI_COMMIT_REF_SLUG" --file ${shellWord(image.dockerfile)} ${shellWord(image.context)}`;
    const scan = `docker run --rm -v /var/run/docker.sock:/var/run/docker.sock ${containerImage("trivy")} image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "$IMAGE:$CI_COMMIT_SHA"`;
    const digest = digestVariable(image.id);
    return {
      id: `${image.id}-image`,
      app: image.id,
      digestVar: digest,
      needsJob: job?.id ?? null,
      imageVar: ref,
      changes: plan.monorepo && job && job.triggers.length > 0 ? changePaths([...new Set([...job.triggers, image.context === "." ? image.dockerfile : `${image.context}/`])]) : [],
      // Merge requests and branches: build and scan only. Default branch: build, scan, then push (cache warm).
      scriptCheck: [build(false), scan],
      // Default branch only: the pushed digest goes to the deploy jobs as a dotenv variable and is signed keyless
      // with the job's Sigstore OIDC token (no stored key).
      scriptPush: [
        build(false),
        scan,
        build(true),
        `DIGEST="$(sed -n 's/.*"containerimage.digest": *"\\(sha256:[0-9a-f]*\\)".*/\\1/p' image-metadata.json | head -n 1)"`,
        'test -n "$DIGEST"',
        `echo "${digest}=$DIGEST" > image.env`,
        ...installCosign(),
        'cosign sign --yes "$IMAGE@$DIGEST"',
      ],
    };
  });
  const access = clusterAccess(plan.target);
  const rollout = engine.render("pipeline/deploy/rollout.sh", {});
  const deployCalls = (env: string) =>
    deployScript(rollout, plan.deployApps.map((app) => {
      const image = images.find((i) => i.app === app);
      return { overlay: shellWord(`deploy/${app}/overlays/${env}`), image: image ? `"${image.imageVar}"` : "''", digest: image ? `"\${${image.digestVar}:-}"` : "''" };
    }));
  const pushJobs = images.map((i) => `${i.id}-push`);
  const deploy = plan.stages.includes("deploy")
    ? ["staging", "production"].map((env) => ({
        id: `deploy-${env}`,
        env,
        manual: env === "production",
        image: access.image,
        entrypoint: access.entrypoint,
        idTokens: access.idTokens,
        variables: access.variables,
        // The push jobs' dotenv reports (their digests) reach a job only through its needs.
        // Every project's tests and both scans gate staging, also for an image that does not need its project's job.
        needs: env === "production" ? ["deploy-staging", ...pushJobs] : [...jobs.map((j) => j.id), ...pushJobs, ...(plan.stages.includes("security") ? ["secret-scan", "filesystem-scan"] : [])],
        script: [...access.script, deployCalls(env)],
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
    nextSteps.push("Pushed images carry an SBOM and SLSA provenance (BuildKit attestations) and a keyless cosign signature (Sigstore, with the job's OIDC token); verify with cosign verify --certificate-identity-regexp '^https://gitlab.com/<group>/<project>//' --certificate-oidc-issuer https://gitlab.com <image>@<digest>.");
    nextSteps.push("Images build with Docker-in-Docker (docker:dind service): GitLab.com shared runners allow it; self-managed runners need privileged = true in config.toml.");
    if (plan.registry) nextSteps.push(`Add masked, protected CI/CD variables REGISTRY_USER and REGISTRY_PASSWORD for ${plan.registry}.`);
    else nextSteps.push("Images push to this project's Container Registry ($CI_REGISTRY_IMAGE) with the job token; enable the Container Registry if it is off.");
  }
  if (deploy.length > 0) {
    nextSteps.push("Create environments `staging` and `production` (Operate → Environments) and protect `production` (Settings → CI/CD → Protected environments) with the users allowed to run the manual deploy.");
    nextSteps.push(...clusterAccessSteps(plan.target, plan.defaultBranch));
    nextSteps.push(`Generate the kustomize overlays deploy/<app>/overlays/<env> for ${plan.deployApps.join(", ")} with deployment-manager, with the image names this pipeline pushes: the deploy jobs render each overlay with the digest its push job recorded, apply it, wait for the Deployment or Argo Rollout and roll back on failure.`);
  }
  return [{ path: plan.ciFile, content, kind: "gitlab-ci" }];
}

interface ClusterAccess {
  image: string;
  /** True for images whose entrypoint is the CLI itself: GitLab must start a shell instead. */
  entrypoint: boolean;
  /** GitLab OIDC ID tokens of the deploy jobs: [variable, audience]. */
  idTokens: [string, string][];
  variables: [string, string][];
  script: string[];
}

/**
 * How a deploy job gets cluster credentials: the stored KUBE_CONFIG file variable, or an OIDC ID token (GitLab
 * `id_tokens`) exchanged for short-lived cloud credentials. Cluster and region reach the shell only as variables.
 */
function clusterAccess(target: DeployTarget): ClusterAccess {
  switch (target.cloud) {
    case "none":
      return { image: containerImage("docker"), entrypoint: false, idTokens: [], variables: [["KUBECONFIG", "$KUBE_CONFIG"]], script: [installKubectl().join("\n")] };
    case "aws":
      return {
        image: containerImage("aws-cli"),
        entrypoint: true,
        idTokens: [["AWS_ID_TOKEN", "sts.amazonaws.com"]],
        variables: [["CLUSTER_NAME", target.cluster], ["CLUSTER_REGION", target.region]],
        script: [
          // The AWS CLI assumes AWS_ROLE_ARN with the web identity token itself (AssumeRoleWithWebIdentity).
          [
            'AWS_WEB_IDENTITY_TOKEN_FILE="$(mktemp)"',
            'export AWS_WEB_IDENTITY_TOKEN_FILE',
            `printf '%s' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"`,
            'export AWS_ROLE_ARN="$AWS_DEPLOY_ROLE_ARN"',
            'export AWS_ROLE_SESSION_NAME="gitlab-deploy-$CI_JOB_ID"',
          ].join("\n"),
          'aws eks update-kubeconfig --name "$CLUSTER_NAME" --region "$CLUSTER_REGION"',
          installKubectl("curl").join("\n"),
        ],
      };
    case "gcp":
      return {
        image: containerImage("google-cloud-cli"),
        entrypoint: false,
        // The provider's full resource name is the audience its default configuration accepts.
        idTokens: [["GCP_ID_TOKEN", "//iam.googleapis.com/$GCP_WORKLOAD_IDENTITY_PROVIDER"]],
        variables: [["CLUSTER_NAME", target.cluster], ["CLUSTER_LOCATION", target.region]],
        script: [
          [
            'GCP_TOKEN_FILE="$(mktemp)"',
            'GCP_CRED_FILE="$(mktemp)"',
            `printf '%s' "$GCP_ID_TOKEN" > "$GCP_TOKEN_FILE"`,
            'gcloud iam workload-identity-pools create-cred-config "$GCP_WORKLOAD_IDENTITY_PROVIDER" --service-account="$GCP_SERVICE_ACCOUNT" --credential-source-file="$GCP_TOKEN_FILE" --output-file="$GCP_CRED_FILE"',
            'gcloud auth login --cred-file="$GCP_CRED_FILE"',
          ].join("\n"),
          // The full google-cloud-cli image ships kubectl and gke-gcloud-auth-plugin.
          'gcloud container clusters get-credentials "$CLUSTER_NAME" --location "$CLUSTER_LOCATION" --project "$GCP_PROJECT_ID"',
        ],
      };
    case "azure":
      return {
        image: containerImage("azure-cli"),
        entrypoint: false,
        idTokens: [["AZURE_ID_TOKEN", "api://AzureADTokenExchange"]],
        variables: [["CLUSTER_NAME", target.cluster]],
        script: [
          'az login --service-principal -u "$AZURE_CLIENT_ID" -t "$AZURE_TENANT_ID" --federated-token "$AZURE_ID_TOKEN"',
          'az account set --subscription "$AZURE_SUBSCRIPTION_ID"',
          // kubectl and kubelogin; kubelogin makes the Entra ID kubeconfig use the az login session.
          "az aks install-cli",
          'az aks get-credentials --resource-group "$AKS_RESOURCE_GROUP" --name "$CLUSTER_NAME" --overwrite-existing',
          "kubelogin convert-kubeconfig -l azurecli",
        ],
      };
  }
}

/** The trust and CI/CD variables a GitLab project needs so its deploy jobs can reach the cluster. */
function clusterAccessSteps(target: DeployTarget, branch: string): string[] {
  const subject = `project_path:<group>/<project>:ref_type:branch:ref:${branch}`;
  const scoped = "CI/CD variables (Settings → CI/CD → Variables), protected and scoped to the staging and production environments";
  switch (target.cloud) {
    case "none":
      return [
        "Add a CI/CD variable KUBE_CONFIG of type File for each environment scope (staging, production), protected and masked where possible: a kubeconfig of a deploy-only service account; for an EKS, GKE or AKS cluster re-run with --cloud aws|gcp|azure --cluster <name> to use OIDC instead of a stored credential.",
      ];
    case "aws":
      return [
        `AWS: create the IAM OIDC identity provider https://gitlab.com (audience sts.amazonaws.com; your instance URL on self-managed GitLab), then one IAM role per environment whose trust policy allows sts:AssumeRoleWithWebIdentity from that provider with gitlab.com:aud = sts.amazonaws.com and gitlab.com:sub = ${subject}; give it eks:DescribeCluster on ${target.cluster} in ${target.region}.`,
        `EKS: grant each role cluster access with an access entry (aws eks create-access-entry --cluster-name ${target.cluster} --principal-arn <role-arn>, then associate-access-policy, scoped to the app namespaces).`,
        `Add ${scoped}: AWS_DEPLOY_ROLE_ARN (the role's ARN). No access keys are stored.`,
      ];
    case "gcp":
      return [
        `GCP: create a Workload Identity Pool and an OIDC provider with issuer https://gitlab.com (allowed audience: the provider's default, its full resource name), attribute mapping google.subject=assertion.sub, attribute.project_path=assertion.project_path, attribute.ref=assertion.ref and an attribute condition assertion.project_path == '<group>/<project>'; let principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/subject/${subject} impersonate a deploy service account (roles/iam.workloadIdentityUser).`,
        `GKE: give the service account roles/container.clusterViewer and Kubernetes RBAC (or roles/container.developer) to deploy into ${target.cluster} (${target.region}).`,
        `Add ${scoped}: GCP_WORKLOAD_IDENTITY_PROVIDER (projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>), GCP_SERVICE_ACCOUNT (its email) and GCP_PROJECT_ID (the cluster's project). No key files are stored.`,
      ];
    case "azure":
      return [
        `Azure: create an Entra ID app registration (or user-assigned managed identity) with a federated credential: issuer https://gitlab.com, audience api://AzureADTokenExchange, subject ${subject}.`,
        `AKS: assign it Azure Kubernetes Service Cluster User Role on ${target.cluster} plus Kubernetes RBAC on the app namespaces.`,
        `Add ${scoped}: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID and AKS_RESOURCE_GROUP (the cluster's resource group). No client secret is stored.`,
      ];
  }
}

import { z } from "zod";

/** What the audit can look at; default all. */
export const SCOPES = ["github-actions", "gitlab-ci", "jenkins", "circleci", "docker", "kubernetes", "terraform"] as const;
export type Scope = (typeof SCOPES)[number];

export const SEVERITIES = ["error", "warning", "note"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const findingSchema = z.object({
  rule: z.string(),
  severity: z.enum(SEVERITIES),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  /** What is wrong here and why it matters. */
  message: z.string(),
  /** What to do about it. */
  fix: z.string(),
  /** True when `fix: true` repairs it mechanically. */
  fixable: z.boolean().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export interface Rule {
  id: string;
  scope: Scope;
  severity: Severity;
  /** Short name (SARIF rule name). */
  name: string;
  /** Why it matters: one sentence (SARIF fullDescription). */
  why: string;
  /** What to do (SARIF help). */
  fix: string;
}

const rules = [
  // ---- GitHub Actions (workflows and composite actions)
  { id: "GHA001", scope: "github-actions", severity: "warning", name: "action-not-pinned-to-sha",
    why: "A tag or branch can be moved to different code at any time, so the workflow runs whatever the action's owner (or whoever compromised it) pushes next.",
    fix: "Pin `uses:` to the full 40-character commit SHA of the release and keep the version as a `# vX.Y.Z` comment." },
  { id: "GHA002", scope: "github-actions", severity: "warning", name: "container-image-not-pinned",
    why: "A job container, service or docker:// action by tag runs whatever image the tag points to today; `latest` or no tag changes under you.",
    fix: "Use an explicit version tag and pin it by digest (`image:tag@sha256:…`)." },
  { id: "GHA003", scope: "github-actions", severity: "warning", name: "missing-permissions",
    why: "Without `permissions`, GITHUB_TOKEN gets the repository's default, often read-write on contents, packages and more: one compromised step can push code or releases.",
    fix: "Declare `permissions: contents: read` at the top and grant write scopes only in the jobs that need them." },
  { id: "GHA004", scope: "github-actions", severity: "warning", name: "over-broad-permissions",
    why: "Write scopes (or write-all) granted to every job of the workflow let any step, including third-party actions, use them.",
    fix: "Keep workflow-level permissions read-only and grant each write scope to the one job that needs it." },
  { id: "GHA005", scope: "github-actions", severity: "error", name: "script-injection",
    why: "An expression from attacker-controlled event data is pasted into the script before the shell runs it, so a crafted title, branch name or comment runs arbitrary commands with the job's token and secrets.",
    fix: "Pass the value through `env:` and use the shell variable (`\"$VAR\"`), never `${{ … }}`, inside `run:`." },
  { id: "GHA006", scope: "github-actions", severity: "error", name: "pull-request-target-checkout",
    why: "pull_request_target (and workflow_run) run with a write token and secrets; checking out and running the pull request's head code hands both to anyone who opens a pull request.",
    fix: "Use `pull_request` for building untrusted code; if you need pull_request_target, never check out the head ref, or isolate it in a job without secrets and with read-only permissions." },
  { id: "GHA007", scope: "github-actions", severity: "note", name: "persist-credentials",
    why: "actions/checkout leaves the token in .git/config by default, where every later step (and any uploaded artifact of the workspace) can read it.",
    fix: "Set `persist-credentials: false` on checkout unless a later step pushes with git." },
  { id: "GHA008", scope: "github-actions", severity: "error", name: "secret-in-plain-text",
    why: "A credential written into the workflow is readable by everyone who can read the repository and stays in its git history.",
    fix: "Rotate it, store it as an encrypted secret and reference `${{ secrets.NAME }}`." },
  { id: "GHA009", scope: "github-actions", severity: "warning", name: "secret-echoed",
    why: "Printing a secret (or a value derived from it) defeats log masking as soon as it is transformed, and logs are readable by everyone with read access.",
    fix: "Never echo secrets; pass them to the tool through env or stdin." },
  { id: "GHA010", scope: "github-actions", severity: "note", name: "job-without-timeout",
    why: "A hung job runs for the default 6 hours, holding a runner and billing minutes.",
    fix: "Set `timeout-minutes:` on every job to a bound a little above its normal duration." },
  { id: "GHA011", scope: "github-actions", severity: "note", name: "no-concurrency",
    why: "Without `concurrency`, every push to a branch or pull request queues another full run instead of cancelling the outdated one.",
    fix: "Add `concurrency: { group: ${{ github.workflow }}-${{ github.ref }}, cancel-in-progress: true }` (not for deploy workflows that must finish)." },
  { id: "GHA012", scope: "github-actions", severity: "warning", name: "cache-key-not-from-lockfile",
    why: "A cache key that does not hash the lockfile restores stale dependencies after they change (or never refreshes), so builds test something other than what is committed.",
    fix: "Key the cache on `hashFiles('<lockfile>')` with the OS and tool in the prefix, and a `restore-keys` fallback." },
  // ---- GitLab CI
  { id: "GL001", scope: "gitlab-ci", severity: "warning", name: "image-not-pinned",
    why: "An image without a version (or `latest`) changes under the pipeline; a tag without digest can be re-pushed.",
    fix: "Use an explicit version tag and pin it by digest." },
  { id: "GL002", scope: "gitlab-ci", severity: "error", name: "secret-in-plain-text",
    why: "A credential in .gitlab-ci.yml is readable by everyone who can read the repository and stays in its git history.",
    fix: "Rotate it and define it as a masked, protected CI/CD variable." },
  { id: "GL003", scope: "gitlab-ci", severity: "warning", name: "include-not-pinned",
    why: "An include from another project or URL without a fixed ref pulls whatever that source contains at run time into your pipeline.",
    fix: "Pin project includes with `ref:` to a tag or commit SHA; prefer project includes over remote URLs." },
  // ---- Jenkins
  { id: "JK001", scope: "jenkins", severity: "warning", name: "image-not-pinned",
    why: "A docker agent image without a version (or `latest`) changes under the pipeline.",
    fix: "Use an explicit version tag, pinned by digest." },
  { id: "JK002", scope: "jenkins", severity: "note", name: "no-timeout",
    why: "A declarative pipeline without `timeout` can hang forever and hold an executor.",
    fix: "Add `options { timeout(time: 30, unit: 'MINUTES') }`." },
  { id: "JK003", scope: "jenkins", severity: "error", name: "secret-in-plain-text",
    why: "A credential in the Jenkinsfile is readable by everyone who can read the repository and stays in its git history.",
    fix: "Rotate it, store it in Jenkins credentials and bind it with `credentials('id')` or `withCredentials`." },
  { id: "JK004", scope: "jenkins", severity: "warning", name: "groovy-interpolation-in-sh",
    why: "A double-quoted `sh` string interpolates parameters or credentials with Groovy before the shell runs, so a crafted value injects commands and a secret lands in the process list.",
    fix: "Use single quotes and let the shell expand the environment variable: `sh 'echo \"$VAR\"'`." },
  // ---- CircleCI
  { id: "CC001", scope: "circleci", severity: "warning", name: "image-not-pinned",
    why: "An executor image without a version (or `latest`) changes under the pipeline.",
    fix: "Use an explicit version tag, pinned by digest." },
  { id: "CC002", scope: "circleci", severity: "warning", name: "orb-not-pinned",
    why: "An orb at `volatile` or a partial version runs whatever its publisher releases next, with your secrets.",
    fix: "Pin orbs to an exact x.y.z version." },
  { id: "CC003", scope: "circleci", severity: "error", name: "secret-in-plain-text",
    why: "A credential in config.yml is readable by everyone who can read the repository and stays in its git history.",
    fix: "Rotate it and keep it in a CircleCI context or project environment variable." },
  // ---- Docker and compose
  { id: "DF001", scope: "docker", severity: "warning", name: "base-image-not-pinned",
    why: "A base image without a version (or `latest`) rebuilds onto a different OS and runtime without warning (hadolint DL3006/DL3007).",
    fix: "Use an explicit version tag and pin it by digest (`FROM image:tag@sha256:…`)." },
  { id: "DF002", scope: "docker", severity: "warning", name: "runs-as-root",
    why: "The container's process runs as root, so any code execution bug is root inside the container and one step from the host (hadolint DL3002).",
    fix: "Create an unprivileged user and switch to it with `USER` in the final stage." },
  { id: "DF003", scope: "docker", severity: "error", name: "secret-in-layer",
    why: "A secret in ENV/ARG, or a copied key or .env file, is stored in the image layers and history, readable by everyone who can pull the image.",
    fix: "Use BuildKit secret mounts (`RUN --mount=type=secret,id=…`) and pass runtime secrets as environment at deploy time." },
  { id: "DF004", scope: "docker", severity: "note", name: "no-healthcheck",
    why: "Without HEALTHCHECK, Docker and compose cannot tell a hung service from a healthy one.",
    fix: "Add a `HEALTHCHECK` that probes the service (or rely on Kubernetes probes and say so)." },
  { id: "DC001", scope: "docker", severity: "warning", name: "compose-image-not-pinned",
    why: "A service image without a version (or `latest`) changes under you on the next pull.",
    fix: "Use an explicit version tag, pinned by digest." },
  { id: "DC002", scope: "docker", severity: "error", name: "compose-privileged",
    why: "A privileged container (or one sharing the host's network/PID namespace) has the host's devices and kernel at its disposal.",
    fix: "Remove `privileged`/host namespaces; add only the capabilities it needs with `cap_add`." },
  { id: "DC003", scope: "docker", severity: "error", name: "compose-secret-in-plain-text",
    why: "A credential in the compose file is readable by everyone who can read the repository.",
    fix: "Use an env_file that is not committed, or compose `secrets:`." },
  // ---- Kubernetes
  { id: "K8S001", scope: "kubernetes", severity: "warning", name: "no-resource-limits",
    why: "A container without CPU/memory requests and limits can starve its neighbours and is scheduled blind.",
    fix: "Set `resources.requests` and `resources.limits` (memory at least) on every container." },
  { id: "K8S002", scope: "kubernetes", severity: "warning", name: "no-probes",
    why: "Without readiness and liveness probes, traffic reaches pods that are not ready and hung pods are never restarted.",
    fix: "Add `readinessProbe` and `livenessProbe` to every serving container." },
  { id: "K8S003", scope: "kubernetes", severity: "warning", name: "weak-security-context",
    why: "Containers run as root with a writable root filesystem, privilege escalation and all default capabilities unless the securityContext says otherwise.",
    fix: "Set runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true and capabilities.drop: [ALL]." },
  { id: "K8S004", scope: "kubernetes", severity: "error", name: "privileged",
    why: "A privileged container, or a pod in the host's network/PID/IPC namespace, can take over the node.",
    fix: "Remove `privileged`, `hostNetwork`, `hostPID` and `hostIPC`; grant single capabilities instead." },
  { id: "K8S005", scope: "kubernetes", severity: "warning", name: "host-path",
    why: "A hostPath volume exposes the node's filesystem to the pod (a write to the right path escapes the container).",
    fix: "Use an emptyDir, a PersistentVolumeClaim or a CSI volume instead." },
  { id: "K8S006", scope: "kubernetes", severity: "note", name: "service-account-token",
    why: "Pods mount an API token of the namespace's default service account unless told not to; a compromised pod then talks to the API server.",
    fix: "Set `automountServiceAccountToken: false` unless the pod calls the API, and give it its own service account when it does." },
  { id: "K8S007", scope: "kubernetes", severity: "warning", name: "image-not-pinned",
    why: "An image without a version (or `latest`) makes rollouts and rollbacks run different code than you reviewed.",
    fix: "Use an explicit version tag, pinned by digest." },
  // ---- Terraform
  { id: "TF001", scope: "terraform", severity: "warning", name: "state-not-locked-or-encrypted",
    why: "State holds every secret Terraform handles; local or unencrypted state leaks them, and state without a lock is corrupted by two concurrent applies.",
    fix: "Use a remote backend with encryption and locking (s3 with `encrypt = true` and `use_lockfile = true`, gcs, azurerm)." },
  { id: "TF002", scope: "terraform", severity: "error", name: "public-bucket",
    why: "A bucket readable by everyone on the internet is the most common way data leaks from the cloud.",
    fix: "Remove public ACLs/members and enable the public access block on the bucket." },
  { id: "TF003", scope: "terraform", severity: "error", name: "open-security-group",
    why: "Ingress from 0.0.0.0/0 (or ::/0) exposes the port to every scanner on the internet.",
    fix: "Restrict the source to the networks that need it (a load balancer's security group, a VPN range)." },
  { id: "TF004", scope: "terraform", severity: "warning", name: "provider-not-pinned",
    why: "A provider or module without a version constraint upgrades itself on the next init, with breaking changes or new code you have not reviewed.",
    fix: "Declare every provider in `required_providers` with a `~>` version constraint (and commit .terraform.lock.hcl); pin module sources to a version or ref." },
] as const satisfies readonly Rule[];

export type RuleId = (typeof rules)[number]["id"];
export const RULES: ReadonlyMap<string, Rule> = new Map(rules.map((r) => [r.id, r]));

/** A finding at a position; the rule supplies severity and fix unless overridden. */
export function finding(rule: RuleId, file: string, pos: { line: number; column: number }, message: string,
  extra: { severity?: Severity; fix?: string; fixable?: boolean } = {}): Finding {
  const r = RULES.get(rule)!;
  return {
    rule, severity: extra.severity ?? r.severity, file, line: pos.line, column: pos.column,
    message, fix: extra.fix ?? r.fix, ...(extra.fixable ? { fixable: true } : {}),
  };
}

/** A file the audit read and a rule set that looks at it. */
export interface AuditedFile {
  path: string;
  scope: Scope;
  kind: "github-workflow" | "github-action" | "gitlab-ci" | "jenkinsfile" | "circleci" | "dockerfile" | "compose" | "kubernetes" | "terraform";
  content: string;
}

/** A minimal text edit at parse positions (offsets into the original text). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Names that say "this is a credential". */
export const SECRET_NAME = /(^|[_-])(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth)([_-]|$)/i;

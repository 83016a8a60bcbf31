/**
 * The single table of third-party GitHub Actions (and CI container images) that
 * senior-devops emits.
 *
 * Every action is pinned to the full 40-character COMMIT sha of a release tag
 * (for annotated tags that is the peeled commit, never the tag object), and the
 * release is written next to it as a `# vX.Y.Z` comment, so Dependabot/Renovate
 * can keep both in step.
 *
 * How each row was verified (2026-11-23): the upstream repository was mirrored
 * as a bare git directory and the sha was read with
 * `git rev-parse '<tag>^{commit}'`. The tag chosen is the newest stable
 * `vX.Y.Z` tag present in that mirror; the moving major tag (e.g. `v7`) pointed
 * at the same commit in every case where the repository keeps one, and every
 * sha is reachable from a branch of the upstream repository. The date after
 * each row is the tag's date (tagger date for annotated tags, commit date for
 * lightweight ones). `tests/pipeline/pinned-actions.test.ts` re-checks all of
 * this against local mirrors when `SENIOR_DEVOPS_MIRROR_DIR` is set.
 *
 * Not in the table, on purpose:
 * - dtolnay/rust-toolchain publishes no semver release tags (only moving
 *   branches such as `stable`/`master`), so there is no release commit to pin.
 *   Install Rust with `rustup` in a `run:` step instead
 *   (`rustup toolchain install <channel> --profile minimal`).
 * - CircleCI orbs: pipelines use the container images below with plain `run`
 *   steps, so no orb versions are pinned here.
 */

export interface PinnedAction {
  /** Path written before the `@`, e.g. "actions/checkout" or "github/codeql-action/upload-sarif". */
  uses: string;
  /** Full 40-character lowercase commit sha of the release. */
  sha: string;
  /** Normalised release version, always `vX.Y.Z`; emitted as the `# vX.Y.Z` comment. */
  version: string;
  /** GitHub repository (owner/name, as GitHub spells it) that holds the action. */
  repo: string;
  /**
   * The git tag name when it differs from `version` (shivammathur/setup-php
   * tags releases without the leading `v`). Absent means the tag is `version`.
   */
  tag?: string;
  note?: string;
}

export const PINNED_ACTIONS: Record<string, PinnedAction> = {
  // ---- GitHub-authored actions (node24 runtime: GitHub-hosted runners are fine;
  // self-hosted runners need Actions Runner >= v2.327.1) -------------------------

  // v7.0.1, tag date 2026-07-17 (lightweight tag)
  checkout: {
    uses: "actions/checkout",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    version: "v7.0.1",
    repo: "actions/checkout",
    note:
      "v7 refuses to check out fork pull-request code under pull_request_target/workflow_run unless allow-unsafe-pr-checkout is set. Emit persist-credentials: false unless the job pushes.",
  },
  // v7.0.0, tag date 2026-07-13 (lightweight tag)
  "setup-node": {
    uses: "actions/setup-node",
    sha: "820762786026740c76f36085b0efc47a31fe5020",
    version: "v7.0.0",
    repo: "actions/setup-node",
    note:
      "Since v5 caching is enabled automatically for npm when package.json declares packageManager; set package-manager-cache: false in privileged workflows.",
  },
  // v7.0.0, tag date 2026-07-19 (lightweight tag)
  "setup-python": {
    uses: "actions/setup-python",
    sha: "5fda3b95a4ea91299a34e894583c3862153e4b97",
    version: "v7.0.0",
    repo: "actions/setup-python",
  },
  // v7.0.0, tag date 2026-07-15 (lightweight tag)
  "setup-go": {
    uses: "actions/setup-go",
    sha: "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e",
    version: "v7.0.0",
    repo: "actions/setup-go",
  },
  // v5.7.0, tag date 2026-07-31 (lightweight tag)
  "setup-java": {
    uses: "actions/setup-java",
    sha: "b6effb05e454b25005698d916606bdc6ffcbf961",
    version: "v5.7.0",
    repo: "actions/setup-java",
  },
  // v6.0.0, tag date 2026-07-15 (lightweight tag)
  "setup-dotnet": {
    uses: "actions/setup-dotnet",
    sha: "a98b56852c35b8e3190ac28c8c2271da59106c68",
    version: "v6.0.0",
    repo: "actions/setup-dotnet",
  },
  // v5.0.5, tag date 2026-04-13 (lightweight tag); aquasecurity/trivy-action v0.36.0 pins the same sha
  cache: {
    uses: "actions/cache",
    sha: "27d5ce7f107fe9357f9df03efb73ab90386fccae",
    version: "v5.0.5",
    repo: "actions/cache",
  },
  // v7.0.0, tag date 2026-02-25 (lightweight tag)
  "upload-artifact": {
    uses: "actions/upload-artifact",
    sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    version: "v7.0.0",
    repo: "actions/upload-artifact",
  },
  // v8.0.1, tag date 2026-03-11 (lightweight tag)
  "download-artifact": {
    uses: "actions/download-artifact",
    sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    version: "v8.0.1",
    repo: "actions/download-artifact",
  },
  // v8.0.0, tag date 2025-09-04 (lightweight tag)
  "github-script": {
    uses: "actions/github-script",
    sha: "ed597411d8f924073f98dfc5c65a23a2325f34cd",
    version: "v8.0.0",
    repo: "actions/github-script",
  },
  // v4.9.0, tag date 2026-03-03 (lightweight tag)
  "dependency-review": {
    uses: "actions/dependency-review-action",
    sha: "2031cfc080254a8a887f58cffee85186f0e49e48",
    version: "v4.9.0",
    repo: "actions/dependency-review-action",
    note: "Still declares the node20 runtime at this release. Runs on pull_request events only.",
  },

  // ---- Language toolchains ----------------------------------------------------

  // v1.315.0, tag date 2026-06-30 (lightweight tag)
  "setup-ruby": {
    uses: "ruby/setup-ruby",
    sha: "0dafeac902942906541bc140009cdbf32665b601",
    version: "v1.315.0",
    repo: "ruby/setup-ruby",
  },
  // tag "2.37.2" (no v prefix upstream), tag date 2026-06-08 (lightweight tag)
  "setup-php": {
    uses: "shivammathur/setup-php",
    sha: "f3e473d116dcccaddc5834248c87452386958240",
    version: "v2.37.2",
    tag: "2.37.2",
    repo: "shivammathur/setup-php",
    note: "Upstream release tags carry no leading v (the tag is 2.37.2).",
  },
  // v4.0.0, tag date 2024-05-07 (annotated tag)
  "pnpm-setup": {
    uses: "pnpm/action-setup",
    sha: "fe02b34f77f8bc703788d5817da081398fad5dd2",
    version: "v4.0.0",
    repo: "pnpm/action-setup",
    note:
      "Newest release in the verified mirror; still declares the node20 runtime. Newer upstream releases exist but were not verifiable here. Alternative: corepack enable in a run step.",
  },
  // v2.2.0, tag date 2026-03-14 (lightweight tag)
  "setup-bun": {
    uses: "oven-sh/setup-bun",
    sha: "0c5077e51419868618aeaa5fe8019c62421857d6",
    version: "v2.2.0",
    repo: "oven-sh/setup-bun",
  },
  // v10.0.1, tag date 2026-08-14 (lightweight tag); no moving major tag upstream
  "setup-uv": {
    uses: "astral-sh/setup-uv",
    sha: "20cfd1bf945f4377ade1205e4dbc17946fc9a30d",
    version: "v10.0.1",
    repo: "astral-sh/setup-uv",
    note: "Upstream publishes no moving major tag (no v10), so only exact versions can be referenced.",
  },
  // v2.9.2, tag date 2026-08-06 (annotated tag)
  "rust-cache": {
    uses: "Swatinem/rust-cache",
    sha: "6323deb102c322ba6fcbdcafc7e3dddab59af2b6",
    version: "v2.9.2",
    repo: "Swatinem/rust-cache",
    note: "Pair with rustup in a run step; dtolnay/rust-toolchain has no release tags to pin.",
  },
  // v6.3.0, tag date 2026-08-02 (annotated tag)
  "setup-gradle": {
    uses: "gradle/actions/setup-gradle",
    sha: "9c971963bec38e04b3d30dcc455b5382be2fdbfb",
    version: "v6.3.0",
    repo: "gradle/actions",
    note:
      "Default 'enhanced' caching is a proprietary component (free for public repositories, preview for private ones); emit cache-provider: basic for private repositories to stay on the actions/cache based provider.",
  },
  // v9.3.0, tag date 2026-06-29 (annotated tag)
  "golangci-lint": {
    uses: "golangci/golangci-lint-action",
    sha: "ba0d7d2ec06a0ea1cb5fa41b2e4a3ab91d21278a",
    version: "v9.3.0",
    repo: "golangci/golangci-lint-action",
    note: "Runs golangci-lint v2 (pass version: v2.x); v1 configuration files must be migrated.",
  },

  // ---- Container build ----------------------------------------------------------

  // v4.3.0, tag date 2026-08-17 (lightweight tag)
  "setup-buildx": {
    uses: "docker/setup-buildx-action",
    sha: "37fe631027851001ddb9b187196cc803df7f5f0e",
    version: "v4.3.0",
    repo: "docker/setup-buildx-action",
  },
  // v4.2.0, tag date 2026-07-01 (lightweight tag)
  "setup-qemu": {
    uses: "docker/setup-qemu-action",
    sha: "96fe6ef7f33517b61c61be40b68a1882f3264fb8",
    version: "v4.2.0",
    repo: "docker/setup-qemu-action",
  },
  // v4.1.0, tag date 2026-04-02 (lightweight tag)
  "docker-login": {
    uses: "docker/login-action",
    sha: "4907a6ddec9925e35a0a9e82d7399ccc52663121",
    version: "v4.1.0",
    repo: "docker/login-action",
  },
  // v6.2.0, tag date 2026-07-02 (lightweight tag)
  "docker-metadata": {
    uses: "docker/metadata-action",
    sha: "dc802804100637a589fabce1cb79ff13a1411302",
    version: "v6.2.0",
    repo: "docker/metadata-action",
  },
  // v7.3.0, tag date 2026-07-01 (lightweight tag)
  "docker-build-push": {
    uses: "docker/build-push-action",
    sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
    version: "v7.3.0",
    repo: "docker/build-push-action",
  },

  // ---- Security scanning --------------------------------------------------------

  // v0.36.0, tag date 2026-04-22 (annotated tag)
  trivy: {
    uses: "aquasecurity/trivy-action",
    sha: "ed142fd0673e97e23eac54620cfb913e5ce36c25",
    version: "v0.36.0",
    repo: "aquasecurity/trivy-action",
    note:
      "On 2026-03-19 most trivy-action tags were force-pushed to credential-stealing commits (GHSA-69fq-xp46-6x23); only sha pins were safe. v0.36.0 descends from the post-incident v0.35.0 (57a97c7e7821a5776cebc9bb87c984fa69cba8f1) and pins aquasecurity/setup-trivy by sha. Its default Trivy binary is v0.70.0; set the version input to override.",
  },
  // v3.0.0, tag date 2026-05-30 (lightweight tag)
  gitleaks: {
    uses: "gitleaks/gitleaks-action",
    sha: "e0c47f4f8be36e29cdc102c57e68cb5cbf0e8d1e",
    version: "v3.0.0",
    repo: "gitleaks/gitleaks-action",
    // Licensing: repositories owned by a GitHub ORGANISATION need a GITLEAKS_LICENSE
    // secret (a free key from gitleaks.io); personal-account repositories do not.
    // The action sends the key, repository name and owner to a licence service.
    note:
      "Organisation-owned repositories need a GITLEAKS_LICENSE secret (free key from gitleaks.io); personal accounts do not. Prefer trufflehog, or the gitleaks CLI image, when no licence is available.",
  },
  // v3.97.0, tag date 2026-08-13 (lightweight tag); action.yml at the repository root
  trufflehog: {
    uses: "trufflesecurity/trufflehog",
    sha: "bcfcf73aaf4759d4dadc2783177c245a02792318",
    version: "v3.97.0",
    repo: "trufflesecurity/trufflehog",
    note:
      "Secret scanner that needs no licence. Composite action that runs the ghcr.io/trufflesecurity/trufflehog image; its version input defaults to 'latest', so pass version: 3.97.0 to pin the scanner too. Needs a checkout with fetch-depth: 0.",
  },
  // v4.36.2, tag date 2026-06-04 (annotated tag) — the three sub-actions share the release commit
  "upload-sarif": {
    uses: "github/codeql-action/upload-sarif",
    sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e",
    version: "v4.36.2",
    repo: "github/codeql-action",
    note: "Job needs permissions: security-events: write.",
  },
  "codeql-init": {
    uses: "github/codeql-action/init",
    sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e",
    version: "v4.36.2",
    repo: "github/codeql-action",
  },
  "codeql-analyze": {
    uses: "github/codeql-action/analyze",
    sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e",
    version: "v4.36.2",
    repo: "github/codeql-action",
    note: "Job needs permissions: security-events: write.",
  },

  // ---- Cloud authentication and deploy tooling ---------------------------------

  // v6.2.3, tag date 2026-07-22 (lightweight tag)
  "aws-credentials": {
    uses: "aws-actions/configure-aws-credentials",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    version: "v6.2.3",
    repo: "aws-actions/configure-aws-credentials",
    note: "Use OIDC (role-to-assume) with permissions: id-token: write; no long-lived keys.",
  },
  // v3.0.0, tag date 2025-08-28 (lightweight tag)
  "gcp-auth": {
    uses: "google-github-actions/auth",
    sha: "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093",
    version: "v3.0.0",
    repo: "google-github-actions/auth",
    note: "Use Workload Identity Federation with permissions: id-token: write.",
  },
  // v3.0.1, tag date 2026-08-04 (annotated tag)
  "azure-login": {
    uses: "azure/login",
    sha: "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca",
    version: "v3.0.1",
    repo: "Azure/login",
    note: "Use OIDC (client-id/tenant-id/subscription-id) with permissions: id-token: write.",
  },
  // v4.0.1, tag date 2026-05-12 (lightweight tag)
  "setup-terraform": {
    uses: "hashicorp/setup-terraform",
    sha: "dfe3c3f87815947d99a8997f908cb6525fc44e9e",
    version: "v4.0.1",
    repo: "hashicorp/setup-terraform",
  },
  // v6.3.0, tag date 2026-06-29 (lightweight tag)
  "setup-tflint": {
    uses: "terraform-linters/setup-tflint",
    sha: "6e1e0642c0289bd619021bf6b34e3c08ed1e005a",
    version: "v6.3.0",
    repo: "terraform-linters/setup-tflint",
  },
  // ---- Supply chain (default branch only; the signing job alone gets id-token/attestations write) ----
  // v4.1.2, tag date 2026-05-06 (lightweight tag); installs cosign v3.0.6 by default
  "cosign-installer": {
    uses: "sigstore/cosign-installer",
    sha: "6f9f17788090df1f26f669e9d70d6ae9567deba6",
    version: "v4.1.2",
    repo: "sigstore/cosign-installer",
    note: "Keyless signing needs id-token: write on the job; sign the digest (repo@sha256:...), never a tag.",
  },
  // v0.24.0, tag date 2026-03-19 (lightweight tag)
  "sbom-action": {
    uses: "anchore/sbom-action",
    sha: "e22c389904149dbc22b58101806040fa8d37a610",
    version: "v0.24.0",
    repo: "anchore/sbom-action",
    note: "Syft SBOM of an image; upload-artifact/upload-release-assets inputs default to true.",
  },
  // v4.1.0, tag date 2026-02-26 (lightweight tag)
  "attest-build-provenance": {
    uses: "actions/attest-build-provenance",
    sha: "a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32",
    version: "v4.1.0",
    repo: "actions/attest-build-provenance",
    note: "Needs id-token: write and attestations: write; push-to-registry: true stores the attestation beside the image.",
  },
  // v5.1.0, tag date 2026-04-15 (lightweight tag)
  "setup-kubectl": {
    uses: "azure/setup-kubectl",
    sha: "829323503d1be3d00ca8346e5391ca0b07a9ab0d",
    version: "v5.1.0",
    repo: "Azure/setup-kubectl",
    note: "Pass an explicit version input; the default resolves 'latest' at run time.",
  },
};

function lookup(id: string): PinnedAction {
  const entry = Object.hasOwn(PINNED_ACTIONS, id) ? PINNED_ACTIONS[id] : undefined;
  if (entry === undefined) {
    throw new Error(
      `Unknown pinned action id "${id}". Known ids: ${Object.keys(PINNED_ACTIONS).sort().join(", ")}`,
    );
  }
  return entry;
}

/** `uses:` value for a table entry: `owner/repo[/path]@<sha>`. Throws on an unknown id. */
export function pinned(id: string): string {
  const entry = lookup(id);
  return `${entry.uses}@${entry.sha}`;
}

/** The release written after the `uses:` value as `# vX.Y.Z`. Throws on an unknown id. */
export function pinnedComment(id: string): string {
  return lookup(id).version;
}

const PINNED_REFS: ReadonlySet<string> = new Set(
  Object.values(PINNED_ACTIONS).map((entry) => `${entry.uses}@${entry.sha}`),
);

/**
 * True iff the reference is exactly `owner/repo[/path]@<sha>` of a table entry.
 * Accepts either the bare value or a whole workflow line: a leading `- `, a
 * `uses:` key, surrounding quotes and a trailing `# comment` are ignored; the
 * reference itself must match character for character (a tag such as `@v4`, a
 * short sha or a different path is false).
 */
export function isPinnedUse(usesLine: string): boolean {
  let value = usesLine.trim();
  value = value.replace(/^-\s+/, "");
  value = value.replace(/^uses\s*:\s*/, "");
  value = value.replace(/\s+#.*$/, "").trim();
  const quoted = /^(["'])(.*)\1$/.exec(value);
  if (quoted) value = quoted[2] ?? "";
  if (!/^[^@\s]+@[0-9a-f]{40}$/.test(value)) return false;
  return PINNED_REFS.has(value);
}

export interface ContainerImage {
  /** Repository reference without tag, e.g. "node" or "mcr.microsoft.com/dotnet/sdk". */
  image: string;
  tag: string;
  note?: string;
}

/**
 * Images for GitLab CI / CircleCI / Jenkins jobs, pinned by tag (not digest).
 *
 * Confirmed 2026-11-23:
 * - Docker official images (node, python, golang, maven, gradle, rust, ruby,
 *   php, composer, docker): each tag is listed in `library/<name>` of
 *   docker-library/official-images at commit 37079fb336f572a88700cf32e5e1f6be54a04e8f (2026-08-21).
 * - mcr.microsoft.com/dotnet/sdk: `8.0` and `10.0` are the sdk minor tags in
 *   dotnet/dotnet-docker manifest.json / manifest.versions.json (2026-08-21).
 * - aquasec/trivy: tag v0.74.0 in aquasecurity/trivy; its goreleaser config
 *   publishes docker.io/aquasec/trivy:{{ .Version }} (no leading v).
 * - zricethezav/gitleaks: tag v8.30.1 in gitleaks/gitleaks; its release
 *   workflow publishes with docker/metadata-action defaults, i.e. the git tag
 *   name (with leading v).
 * - trufflesecurity/trufflehog: tag v3.97.0; goreleaser publishes
 *   {{ .Version }} (no leading v).
 * - hashicorp/terraform: tag v1.15.9 in hashicorp/terraform; its build
 *   workflow publishes docker.io/hashicorp/terraform:<version> (no leading v).
 * - registry.k8s.io/kubectl: Kubernetes v1.36.3 exists (tag
 *   kubernetes-1.36.3 in kubernetes/kubectl); the image is published per
 *   release with a leading v from v1.28 on. Inferred, not read from the
 *   registry.
 *
 * bitnami/kubectl is deliberately absent: Bitnami withdrew its free versioned
 * images in 2025 (moved to the unmaintained bitnamilegacy namespace).
 */
export const CONTAINER_IMAGES: Record<string, ContainerImage> = {
  node: {
    image: "node",
    tag: "24-bookworm-slim",
    note: "Active LTS (24, 'krypton'; the lts alias points here). Node 20 is end-of-life.",
  },
  "node-22": {
    image: "node",
    tag: "22-bookworm-slim",
    note: "Maintenance LTS (22, 'jod').",
  },
  python: {
    image: "python",
    tag: "3.13-slim",
    note: "3.14 is the newest stable line; 3.12-slim and 3.14-slim also exist.",
  },
  "python-3.12": {
    image: "python",
    tag: "3.12-slim",
    note: "Security-fix-only line.",
  },
  golang: {
    image: "golang",
    tag: "1.26-bookworm",
    note: "Go 1.27 is also published (1.27-bookworm); the two newest minors are supported.",
  },
  maven: {
    image: "maven",
    tag: "3.9-eclipse-temurin-21",
  },
  gradle: {
    image: "gradle",
    tag: "9-jdk21",
    note: "Projects with a Gradle wrapper should run ./gradlew; the image mainly provides the JDK.",
  },
  "gradle-8": {
    image: "gradle",
    tag: "8-jdk21",
  },
  rust: {
    image: "rust",
    tag: "1.98-slim",
  },
  "dotnet-sdk": {
    image: "mcr.microsoft.com/dotnet/sdk",
    tag: "10.0",
    note: ".NET 10 is the current LTS.",
  },
  "dotnet-sdk-8": {
    image: "mcr.microsoft.com/dotnet/sdk",
    tag: "8.0",
    note: ".NET 8 LTS support ends 2026-11-10; use only for projects still targeting net8.0.",
  },
  ruby: {
    image: "ruby",
    tag: "3.4",
    note: "ruby:3.3 and ruby:4.0 are also published.",
  },
  php: {
    image: "php",
    tag: "8.4-cli",
    note: "php:8.3-cli and php:8.5-cli are also published.",
  },
  composer: {
    image: "composer",
    tag: "2",
  },
  trivy: {
    image: "aquasec/trivy",
    tag: "0.74.0",
    note:
      "Entrypoint is trivy: in GitLab CI set entrypoint: [\"\"]. Trivy 0.69.4 was a malicious release (March 2026); never float on latest.",
  },
  gitleaks: {
    image: "zricethezav/gitleaks",
    tag: "v8.30.1",
    note: "Tag keeps the leading v. Entrypoint is gitleaks: in GitLab CI set entrypoint: [\"\"]. The CLI needs no licence.",
  },
  trufflehog: {
    image: "trufflesecurity/trufflehog",
    tag: "3.97.0",
    note: "Entrypoint is trufflehog: in GitLab CI set entrypoint: [\"\"].",
  },
  docker: {
    image: "docker",
    tag: "29.7.2-cli",
    note: "Client for docker:29.7.2-dind; keep the two versions equal.",
  },
  "docker-dind": {
    image: "docker",
    tag: "29.7.2-dind",
    note: "Service container; needs a privileged runner. Prefer rootless BuildKit where the platform allows.",
  },
  terraform: {
    image: "hashicorp/terraform",
    tag: "1.15.9",
    note: "Entrypoint is terraform: in GitLab CI set entrypoint: [\"\"].",
  },
  "aws-cli": {
    image: "amazon/aws-cli",
    tag: "2.36.7",
    note:
      "Verified: newest 2.x release tag (2.36.7, 2026-07-23) in github.com/aws/aws-cli; its release tags are the Docker Hub amazon/aws-cli tags. Amazon Linux 2023 base (curl, no wget). Entrypoint is aws: in GitLab CI set entrypoint: [\"\"].",
  },
  "google-cloud-cli": {
    image: "gcr.io/google.com/cloudsdktool/google-cloud-cli",
    tag: "573.0.0",
    note:
      "Verified: GoogleCloudPlatform/cloud-sdk-docker README (2026-06-17) pins 573.0.0 and documents :VERSION as the full image; its Dockerfile installs google-cloud-cli-gke-gcloud-auth-plugin and kubectl (the :VERSION-stable image has neither). Versions older than a year are deleted from the registry.",
  },
  "azure-cli": {
    image: "mcr.microsoft.com/azure-cli",
    tag: "2.76.0",
    note:
      "Verified: 2.76.0 is a release in Azure/azure-cli src/azure-cli/HISTORY.rst (tag azure-cli-2.76.0 maps to mcr.microsoft.com/azure-cli:2.76.0) and that image reference is in public use. The repository was too large to mirror, so its git tags were not listed directly.",
  },
  kubectl: {
    image: "registry.k8s.io/kubectl",
    tag: "v1.36.3",
    note:
      "Minimal image, reported to ship without bash: unsuited to script steps. For shell jobs install the kubectl release binary in a shell image instead. Keep within one minor version of the cluster.",
  },
};

/** `image:tag` for a CONTAINER_IMAGES entry. Throws on an unknown id. */
export function containerImage(id: string): string {
  const entry = Object.hasOwn(CONTAINER_IMAGES, id) ? CONTAINER_IMAGES[id] : undefined;
  if (entry === undefined) {
    throw new Error(
      `Unknown container image id "${id}". Known ids: ${Object.keys(CONTAINER_IMAGES).sort().join(", ")}`,
    );
  }
  return `${entry.image}:${entry.tag}`;
}

/**
 * Node.js release lines CI may run on, newest first, shared by the generators and the skills. Each line is a
 * published `node:<major>-bookworm-slim` image and an `actions/setup-node` version; `supported` lines are the
 * LTS lines still maintained (Node 20 reached end of life on 2026-04-30, Node 18 on 2025-04-30). Majors below 18
 * (e.g. node:12/14-bookworm-slim) were never published on bookworm and are never emitted.
 */
export const NODE_LINES: readonly { major: number; supported: boolean }[] = [
  { major: 24, supported: true },
  { major: 22, supported: true },
  { major: 20, supported: false },
  { major: 18, supported: false },
];

/**
 * The Node.js each package manager release needs (its own `engines.node`), by the package manager's major.
 * pnpm 11 needs Node >= 22.13; pnpm 9/10 and Yarn 4 need >= 18.12; npm 11 needs ^20.17 or >= 22.9; Bun brings its
 * own runtime.
 */
export const PACKAGE_MANAGER_NODE: Record<string, Record<number, string>> = {
  pnpm: { 11: ">=22.13", 10: ">=18.12", 9: ">=18.12", 8: ">=16.14" },
  yarn: { 4: ">=18.12", 3: ">=18.12", 2: ">=18.12", 1: ">=4" },
  npm: { 11: "^20.17.0 || >=22.9.0", 10: "^18.17.0 || >=20.5.0" },
};

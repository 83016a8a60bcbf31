import { shellWord } from "../templating/quote.ts";
import type { CommandStep } from "./model.ts";

/** kubectl version the deploy jobs install, verified against the release's published sha256. */
export const KUBECTL_VERSION = "v1.36.3";

/** A project command as one shell line that runs in its directory (relative to `rootVar`, a shell expression). */
export function inDir(step: CommandStep, rootVar: string): string {
  return step.dir === "." ? step.run : `cd "${rootVar}"/${shellWord(step.dir)} && ${step.run}`;
}

/**
 * Shell lines that install kubectl from dl.k8s.io and verify its checksum (busybox or GNU userland). `fetch` picks
 * the downloader: images without wget (Amazon Linux's curl-minimal) use curl.
 */
export function installKubectl(fetch: "wget" | "curl" = "wget"): string[] {
  const base = `https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl`;
  const [toFile, toStdout] = fetch === "wget" ? ["wget -qO /tmp/kubectl", "wget -qO-"] : ["curl -fsSLo /tmp/kubectl", "curl -fsSL"];
  return [
    `${toFile} ${base}`,
    `echo "$(${toStdout} ${base}.sha256)  /tmp/kubectl" | sha256sum -c -`,
    "install -m 0755 /tmp/kubectl /usr/local/bin/kubectl",
  ];
}

/** golangci-lint release installed where a project's lint command calls it (tag v2.13.1 in golangci/golangci-lint). */
export const GOLANGCI_LINT_VERSION = "v2.13.1";

/** True when one of the job's commands runs golangci-lint, which no toolchain image ships. */
export function needsGolangciLint(steps: CommandStep[]): boolean {
  return steps.some((s) => /(^|&&\s*|;\s*)golangci-lint\s/.test(s.run));
}

/** Shell lines that install the golangci-lint release binary into `binDir` after checking it against the release checksums. */
export function installGolangciLint(binDir: string): string[] {
  const v = GOLANGCI_LINT_VERSION.slice(1);
  const base = `https://github.com/golangci/golangci-lint/releases/download/${GOLANGCI_LINT_VERSION}`;
  const tarball = `golangci-lint-${v}-linux-amd64.tar.gz`;
  return [
    `mkdir -p /tmp/golangci-lint ${binDir}`,
    `(cd /tmp/golangci-lint && wget -q ${base}/${tarball} ${base}/golangci-lint-${v}-checksums.txt && grep " ${tarball}$" golangci-lint-${v}-checksums.txt | sha256sum -c -)`,
    `tar -xzf /tmp/golangci-lint/${tarball} -C ${binDir} --strip-components=1 golangci-lint-${v}-linux-amd64/golangci-lint`,
  ];
}

/** cosign release the GitLab image jobs sign with (the version sigstore/cosign-installer v4.1.2 installs on GitHub). */
export const COSIGN_VERSION = "v3.0.6";

/** Shell lines that install the cosign release binary to /usr/local/bin after checking it against the release checksums. */
export function installCosign(): string[] {
  const base = `https://github.com/sigstore/cosign/releases/download/${COSIGN_VERSION}`;
  return [
    `(cd /tmp && wget -q ${base}/cosign-linux-amd64 ${base}/cosign_checksums.txt && grep " cosign-linux-amd64$" cosign_checksums.txt | sha256sum -c -)`,
    "install -m 0755 /tmp/cosign-linux-amd64 /usr/local/bin/cosign",
  ];
}

/** The variable that carries an image's pushed digest from its image job to the deploy jobs. */
export function digestVariable(imageId: string): string {
  return `${imageId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_DIGEST`;
}

/**
 * The deploy_overlay function (templates/pipeline/deploy/rollout.sh), then one call per overlay. Each call's image
 * arguments are shell words (quoted variable references or literals).
 */
export function deployScript(fn: string, calls: { overlay: string; image: string; digest: string }[]): string {
  return [fn.trim(), ...calls.map((c) => `deploy_overlay ${c.overlay} ${c.image} ${c.digest}`)].join("\n");
}

/**
 * A shell command that prints the registry digest of "$IMAGE:<tag>" after `docker push` (from the local image's
 * RepoDigests), failing when there is none.
 */
export function pushedDigest(tag: string): string {
  return [
    `digest="$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$IMAGE:${tag}" | sed -n "s|^$IMAGE@||p" | head -n 1)"`,
    'test -n "$digest"',
    `printf '%s' "$digest"`,
  ].join("\n");
}

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

/** Syft release that writes the SBOM of each pushed image on Jenkins and CircleCI (GitHub uses anchore/sbom-action). */
export const SYFT_VERSION = "v1.40.0";

/**
 * Shell lines, for platforms without OIDC keyless signing here (Jenkins, CircleCI): install syft and cosign into
 * `binDir` (downloads in `workDir`) after checking their release checksums, then write the SPDX SBOM of "$IMAGE@$DIGEST" from the registry,
 * sign the digest and attach the SBOM as a signed attestation, with the key file `keyFile` (a shell word) and
 * COSIGN_PASSWORD from the environment.
 */
export function signWithKey(binDir: string, workDir: string, keyFile: string, fetch: "wget" | "curl"): string {
  // curl's -O names only the first URL's file; --remote-name-all names every one.
  const get = fetch === "wget" ? "wget -q" : "curl -fsSL --remote-name-all";
  const syft = SYFT_VERSION.slice(1);
  const syftBase = `https://github.com/anchore/syft/releases/download/${SYFT_VERSION}`;
  const cosignBase = `https://github.com/sigstore/cosign/releases/download/${COSIGN_VERSION}`;
  return [
    `mkdir -p ${binDir} ${workDir}`,
    `(cd ${workDir} && ${get} ${syftBase}/syft_${syft}_linux_amd64.tar.gz ${syftBase}/syft_${syft}_checksums.txt && grep " syft_${syft}_linux_amd64.tar.gz$" syft_${syft}_checksums.txt | sha256sum -c -)`,
    `tar -xzf ${workDir}/syft_${syft}_linux_amd64.tar.gz -C ${binDir} syft`,
    `(cd ${workDir} && ${get} ${cosignBase}/cosign-linux-amd64 ${cosignBase}/cosign_checksums.txt && grep " cosign-linux-amd64$" cosign_checksums.txt | sha256sum -c -)`,
    `install -m 0755 ${workDir}/cosign-linux-amd64 ${binDir}/cosign`,
    `${binDir}/syft scan "registry:$IMAGE@$DIGEST" -o spdx-json=sbom.spdx.json`,
    `${binDir}/cosign sign --yes --key ${keyFile} "$IMAGE@$DIGEST"`,
    `${binDir}/cosign attest --yes --key ${keyFile} --type spdxjson --predicate sbom.spdx.json "$IMAGE@$DIGEST"`,
  ].join("\n");
}

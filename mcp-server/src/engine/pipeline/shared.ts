import { shellWord } from "../templating/quote.ts";
import type { CommandStep } from "./model.ts";

/** kubectl version the deploy jobs install, verified against the release's published sha256. */
export const KUBECTL_VERSION = "v1.36.3";

/** A project command as one shell line that runs in its directory (relative to `rootVar`, a shell expression). */
export function inDir(step: CommandStep, rootVar: string): string {
  return step.dir === "." ? step.run : `cd "${rootVar}"/${shellWord(step.dir)} && ${step.run}`;
}

/** Shell lines that install kubectl from dl.k8s.io and verify its checksum (busybox or GNU userland). */
export function installKubectl(): string[] {
  const base = `https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl`;
  return [
    `wget -qO /tmp/kubectl ${base}`,
    `echo "$(wget -qO- ${base}.sha256)  /tmp/kubectl" | sha256sum -c -`,
    "install -m 0755 /tmp/kubectl /usr/local/bin/kubectl",
  ];
}

import { kubectlCommands } from "./commands.ts";
import { kubectlError, runKubectl } from "./kubectl.ts";
import type { DeploySettings } from "./model.ts";

/** The DaemonSet Istio's CNI plugin runs on every node (istioctl and the istio/cni chart both name it so). */
export const ISTIO_CNI_DAEMONSET = "istio-cni-node";

/**
 * With `--traffic istio` the pods get a sidecar; without Istio's CNI plugin the injected istio-init container needs
 * NET_ADMIN and NET_RAW, which restricted (and baseline) Pod Security reject, so every new pod is refused and the
 * release stalls. A cluster whose DaemonSets can be listed and that runs no istio-cni-node is refused before any
 * change; one that cannot be listed is a warning.
 */
export async function checkIstioCni(settings: DeploySettings, signal?: AbortSignal): Promise<{ refusal?: string; warnings: string[] }> {
  if (settings.traffic !== "istio") return { warnings: [] };
  const timeoutMs = 30_000;
  const read = await runKubectl(kubectlCommands.daemonSetNames(), { timeoutMs, ...(signal ? { signal } : {}) });
  if (read.code !== 0) {
    return { warnings: [`cannot list DaemonSets (${kubectlError(read, timeoutMs)}), so whether Istio's CNI plugin (${ISTIO_CNI_DAEMONSET}) runs was not checked: without it, restricted Pod Security rejects the sidecar's istio-init container`] };
  }
  const names = read.stdout.split("\n").map((line) => line.trim()).filter(Boolean);
  if (names.some((n) => n.endsWith(`/${ISTIO_CNI_DAEMONSET}`))) return { warnings: [] };
  return {
    refusal:
      `Istio's CNI plugin is not running (no DaemonSet ${ISTIO_CNI_DAEMONSET} in any namespace): the injected istio-init container needs NET_ADMIN and NET_RAW, ` +
      `which restricted Pod Security rejects, so no new pod would start. Nothing was changed. Install Istio with its CNI plugin ` +
      `(istioctl install --set components.cni.enabled=true, or the istio/cni chart), or choose another --traffic`,
    warnings: [],
  };
}

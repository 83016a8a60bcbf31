import type { Color, DeploySettings } from "./model.ts";

export const NAME_LABEL = "app.kubernetes.io/name";

/** Names of every object for one app; the executor and the renderer share them. */
export function objectNames(app: string) {
  return {
    app,
    serviceAccount: app,
    service: app,
    preview: `${app}-preview`,
    canaryService: `${app}-canary`,
    deployment: app,
    color: (c: Color) => `${app}-${c}`,
    stable: `${app}-stable`,
    canary: `${app}-canary`,
    rollout: app,
    analysis: `${app}-analysis`,
    ingress: app,
    canaryIngress: `${app}-canary`,
    route: app,
    pdb: app,
    hpa: app,
  };
}

export function overlayDir(app: string, env: string): string {
  return `deploy/${app}/overlays/${env}`;
}

/** The Service that serves user traffic and the one that carries the new version before it is live. */
export function servicesOf(settings: Pick<DeploySettings, "app" | "strategy" | "target" | "traffic">): { live: string; candidate?: string } {
  const n = objectNames(settings.app);
  if (settings.strategy === "blue-green") return { live: n.service, candidate: n.preview };
  if (settings.strategy === "canary") return { live: n.service, candidate: n.canaryService };
  return { live: n.service };
}

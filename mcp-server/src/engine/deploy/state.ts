import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { Color } from "./model.ts";

/**
 * What one environment's overlay says about its live release: which colour the active Service selects and
 * which image each colour runs (blue-green), the stable image (canary), the image (rolling, Argo). The tree is the desired state that
 * `kubectl apply -k` sends, so a new image goes to the idle colour / the canary and the live one is kept.
 */
export interface TreeState {
  activeColor?: Color;
  images: Partial<Record<Color, string>>;
  stableImage?: string;
  canaryImage?: string;
  /** rolling/recreate Deployment or Argo Rollout image. */
  image?: string;
}

function readObject(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value = parseDocument(readFileSync(path, "utf8")).toJS() as unknown;
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function get(object: unknown, ...keys: (string | number)[]): unknown {
  let current = object;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function imageOf(path: string): string | undefined {
  const image = get(readObject(path), "spec", "template", "spec", "containers", 0, "image");
  return typeof image === "string" ? image : undefined;
}

export function baseDir(app: string): string {
  return `deploy/${app}/base`;
}

/** One JSON-patch `replace` an overlay applies to a base object: the per-environment release. */
export interface ReleasePatch {
  kind: "Deployment" | "Rollout" | "Service";
  name: string;
  path: string;
  value: string;
}
export const IMAGE_PATH = "/spec/template/spec/containers/0/image";
export const COLOR_PATH = "/spec/selector/color";

/**
 * Reads the release state of one environment from its overlay's patches (`deploy/<app>/overlays/<env>`): each
 * environment runs its own release, so a staging action never changes what production renders. Trees written
 * before the state moved to the overlays carry it in the base; that is read as the fallback.
 */
export function readTreeState(root: string, app: string, env: string): TreeState {
  const overlay = readObject(join(root, "deploy", app, "overlays", env, "kustomization.yaml"));
  const patches = get(overlay, "patches");
  const release: ReleasePatch[] = [];
  if (Array.isArray(patches)) {
    for (const entry of patches) {
      const kind = get(entry, "target", "kind");
      const name = get(entry, "target", "name");
      const body = get(entry, "patch");
      if (typeof kind !== "string" || typeof name !== "string" || typeof body !== "string") continue;
      let ops: unknown;
      try {
        ops = parseDocument(body).toJS();
      } catch {
        continue;
      }
      if (!Array.isArray(ops)) continue;
      for (const op of ops) {
        const path = get(op, "path");
        const value = get(op, "value");
        if (get(op, "op") === "replace" && typeof path === "string" && typeof value === "string") release.push({ kind: kind as ReleasePatch["kind"], name, path, value });
      }
    }
  }
  if (release.length === 0) return readBaseState(root, app);
  const state: TreeState = { images: {} };
  const image = (name: string) => release.find((r) => r.name === name && r.path === IMAGE_PATH)?.value;
  const color = release.find((r) => r.kind === "Service" && r.name === app && r.path === COLOR_PATH)?.value;
  if (color === "blue" || color === "green") state.activeColor = color;
  const blue = image(`${app}-blue`);
  const green = image(`${app}-green`);
  if (blue) state.images.blue = blue;
  if (green) state.images.green = green;
  const stable = image(`${app}-stable`);
  if (stable) state.stableImage = stable;
  const canary = image(`${app}-canary`);
  if (canary) state.canaryImage = canary;
  const single = image(app);
  if (single) state.image = single;
  return state;
}

/** The earlier layout: release state in the base (shared by every environment). */
function readBaseState(root: string, app: string): TreeState {
  const base = join(root, "deploy", app, "base");
  const color = get(readObject(join(base, "service.yaml")), "spec", "selector", "color");
  const state: TreeState = { images: {} };
  if (color === "blue" || color === "green") state.activeColor = color;
  const blue = imageOf(join(base, "deployment-blue.yaml"));
  const green = imageOf(join(base, "deployment-green.yaml"));
  if (blue) state.images.blue = blue;
  if (green) state.images.green = green;
  const stable = imageOf(join(base, "deployment-stable.yaml"));
  if (stable) state.stableImage = stable;
  const canary = imageOf(join(base, "deployment-canary.yaml"));
  if (canary) state.canaryImage = canary;
  return state;
}

export const otherColor = (color: Color): Color => (color === "blue" ? "green" : "blue");

/** The release the tree should describe after `generate` with `image`. */
export function nextState(settings: { strategy: string; target: string }, image: string, previous: TreeState): TreeState {
  if (settings.target !== "kubernetes" || settings.strategy === "rolling" || settings.strategy === "recreate") return { images: {}, image };
  if (settings.strategy === "blue-green") {
    const active = previous.activeColor;
    const liveImage = active ? previous.images[active] : undefined;
    if (!active || !liveImage) return { activeColor: "blue", images: { blue: image, green: image } };
    if (liveImage === image) return { activeColor: active, images: { ...previous.images, [active]: image, [otherColor(active)]: previous.images[otherColor(active)] ?? image } };
    return { activeColor: active, images: { [active]: liveImage, [otherColor(active)]: image } };
  }
  if (settings.strategy === "canary") return { images: {}, stableImage: previous.stableImage ?? image, canaryImage: image };
  return { images: {} };
}

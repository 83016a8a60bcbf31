import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { Color } from "./model.ts";

/**
 * What the generated tree on disk says about the live release: which colour the active Service selects and
 * which image each colour runs (blue-green), and the stable image (canary). The tree is the desired state that
 * `kubectl apply -k` sends, so a new image goes to the idle colour / the canary and the live one is kept.
 */
export interface TreeState {
  activeColor?: Color;
  images: Partial<Record<Color, string>>;
  stableImage?: string;
  canaryImage?: string;
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

export function readTreeState(root: string, app: string): TreeState {
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
  if (settings.target !== "kubernetes") return { images: {} };
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

import { rmSync } from "node:fs";
import { join } from "node:path";
import { isMap, isSeq, parseAllDocuments, Scalar, type Document, type YAMLMap } from "yaml";
import type { GeneratedFile, Validation } from "../core/types.ts";
import type { TemplateEngine } from "../templating/render.ts";
import type { DeploySettings } from "./model.ts";
import { materialise, renderedValidation, runTool } from "./kustomize.ts";
import { releasePatches, type RenderedDeploy } from "./render.ts";
import { COLOR_PATH, IMAGE_PATH, type TreeState } from "./state.ts";

/**
 * `--format helm`: the same objects as the kustomize tree, as a chart deploy/<app>/chart. The chart's templates are
 * the rendered base files; what an overlay patches per environment (namespace, images, the live colour, the
 * public host, the environment label) becomes a value or `.Release.Namespace`, and values-<env>.yaml carries each
 * environment's values. `helm template -n <namespace> -f values-<env>.yaml` builds what `kubectl kustomize` builds
 * for that overlay (the tests compare them object by object).
 */

export const chartDir = (app: string) => `deploy/${app}/chart`;

/** Placeholders set through the YAML Document API, then replaced by Helm actions in the printed text. */
class Holes {
  private actions: string[] = [];
  private blocks: ((indent: string) => string)[] = [];
  /** A plain scalar (a quoted one would keep its quotes around the action). */
  value(action: string): Scalar {
    this.actions.push(action);
    const node = new Scalar(`SD-HELM-VALUE-${this.actions.length - 1}`);
    node.type = Scalar.PLAIN;
    return node;
  }
  /** A key whose line becomes a whole block (a conditional field), indented like the key. */
  block(render: (indent: string) => string): string {
    this.blocks.push(render);
    return `SD-HELM-BLOCK-${this.blocks.length - 1}`;
  }
  fill(text: string): string {
    // Braces the objects already contain (Argo's {{args.x}}) are printed literally by Helm.
    const escaped = text.replace(/\{\{|\}\}/g, (m) => (m === "{{" ? '{{ "{{" }}' : '{{ "}}" }}'));
    return escaped
      .replace(/^( *)SD-HELM-BLOCK-(\d+): .*$/gm, (_, indent: string, i: string) => this.blocks[Number(i)]!(indent))
      .replace(/SD-HELM-VALUE-(\d+)/g, (_, i: string) => this.actions[Number(i)]!);
  }
}

const quoted = (expr: string) => `{{ ${expr} | quote }}`;
const valueKey = (name: string) => JSON.stringify(name);

interface ChartValues {
  environment: string;
  images: Record<string, string>;
  colors: Record<string, string>;
  host: string;
}

/** One environment's values: what its overlay patches. */
function environmentValues(settings: DeploySettings, state: TreeState, env: string): ChartValues {
  const image = settings.image as string;
  const namespace = settings.namespaces[env] ?? env;
  const values: ChartValues = { environment: env, images: {}, colors: {}, host: settings.hosts[env] ?? "" };
  for (const patch of releasePatches(settings, state, image, namespace)) {
    if (patch.path === IMAGE_PATH) values.images[patch.name] = patch.value;
    else if (patch.path === COLOR_PATH) values.colors[patch.name] = patch.value;
  }
  return values;
}

/**
 * values.schema.json: helm lint, template and install refuse values that would render a broken release (a workload
 * without an image, a colour other than blue/green, a host that is not a DNS name).
 */
function valuesSchema(values: ChartValues): object {
  const names = (map: Record<string, string>) => Object.keys(map).sort();
  return {
    $schema: "https://json-schema.org/draft-07/schema#",
    type: "object",
    additionalProperties: false,
    required: ["environment", "images", "colors", "host"],
    properties: {
      environment: { type: "string", pattern: "^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$" },
      images: {
        type: "object",
        additionalProperties: false,
        required: names(values.images),
        properties: Object.fromEntries(names(values.images).map((k) => [k, { type: "string", minLength: 1, not: { pattern: ":latest$" } }])),
      },
      colors: {
        type: "object",
        additionalProperties: false,
        required: names(values.colors),
        properties: Object.fromEntries(names(values.colors).map((k) => [k, { enum: ["blue", "green"] }])),
      },
      host: { type: "string", pattern: "^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$" },
    },
  };
}

function setPath(map: YAMLMap, path: string[], value: unknown): void {
  let node: unknown = map;
  for (const key of path.slice(0, -1)) {
    const next: unknown = isMap(node) || isSeq(node) ? (node as YAMLMap).get(isSeq(node) ? Number(key) : key, true) : undefined;
    if (next === undefined) return;
    node = next;
  }
  if (isMap(node) || isSeq(node)) (node as YAMLMap).set(isSeq(node) ? Number(path.at(-1)) : path.at(-1)!, value);
}

/** The chart template of one base file. */
function chartTemplate(content: string, settings: DeploySettings, patched: { kind: string; name: string; path: string }[], hostsUsed: boolean): string {
  const holes = new Holes();
  const docs = parseAllDocuments(content) as Document[];
  const out = docs.map((doc) => {
    const kind = String(doc.get("kind"));
    const name = String(doc.getIn(["metadata", "name"]));
    const metadata = doc.get("metadata", true) as YAMLMap;
    metadata.set("namespace", holes.value(quoted(".Release.Namespace")));
    if (!metadata.has("labels")) metadata.set("labels", doc.createNode({}));
    const labels = metadata.get("labels", true) as unknown as YAMLMap;
    // The labels the kustomize tree adds: the base's managed-by, and the overlay's environment when one is set.
    labels.flow = false;
    labels.set("app.kubernetes.io/managed-by", "senior-devops");
    labels.set(holes.block((indent) => `${indent}{{- with .Values.environment }}\n${indent}app.kubernetes.io/environment: {{ . | quote }}\n${indent}{{- end }}`), "");
    for (const p of patched.filter((x) => x.kind === kind && x.name === name)) {
      const path = p.path.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
      if (p.path === IMAGE_PATH) setPath(doc.contents as YAMLMap, path, holes.value(quoted(`index .Values.images ${valueKey(name)}`)));
      else if (p.path === COLOR_PATH) setPath(doc.contents as YAMLMap, path, holes.value(quoted(`index .Values.colors ${valueKey(name)}`)));
      else setPath(doc.contents as YAMLMap, path, holes.value(quoted(".Release.Namespace")));
    }
    const spec = doc.get("spec", true) as YAMLMap | undefined;
    if (hostsUsed && spec && kind === "HTTPRoute" && settings.ingressHost) {
      spec.flow = false;
      spec.set(holes.block((indent) => `${indent}{{- with .Values.host }}\n${indent}hostnames:\n${indent}  - {{ . | quote }}\n${indent}{{- end }}`), "");
    }
    if (hostsUsed && spec && kind === "Ingress") {
      spec.flow = false;
      const rule = (spec.get("rules", true) as YAMLMap | undefined)?.get(0, true) as YAMLMap | undefined;
      if (rule) rule.flow = false;
      rule?.set(holes.block((indent) => `${indent}{{- with .Values.host }}\n${indent}host: {{ . | quote }}\n${indent}{{- end }}`), "");
      spec.set(holes.block((indent) => `${indent}{{- with .Values.host }}\n${indent}tls:\n${indent}  - hosts:\n${indent}      - {{ . | quote }}\n${indent}    secretName: ${JSON.stringify(`${settings.app}-tls`)}\n${indent}{{- end }}`), "");
    }
    return doc.toString({ lineWidth: 0 }).replace(/^---\n/, "");
  });
  return holes.fill(out.join("---\n"));
}

/**
 * The chart files for a rendered tree: Chart.yaml, values.yaml (the first environment's values, so a bare
 * `helm template` and `helm lint` work), values-<env>.yaml per environment, the templates and a README.
 */
export function renderHelmChart(settings: DeploySettings, states: Record<string, TreeState>, rendered: RenderedDeploy, engine: TemplateEngine): GeneratedFile[] {
  const { app } = settings;
  const dir = chartDir(app);
  const base = `deploy/${app}/base/`;
  const first = settings.environments[0] ?? "staging";
  const patched = releasePatches(settings, states[first] ?? { images: {} }, settings.image as string, settings.namespaces[first] ?? first);
  const hostsUsed = Object.keys(settings.hosts).length > 0;
  const group = dir;
  const files: GeneratedFile[] = [];
  for (const file of rendered.files) {
    if (!file.path.startsWith(base) || file.kind !== "kubernetes") continue;
    files.push({ path: `${dir}/templates/${file.path.slice(base.length)}`, content: chartTemplate(file.content, settings, patched, hostsUsed), kind: "helm-template", group });
  }
  const perEnv = settings.environments.map((env) => ({ env, values: environmentValues(settings, states[env] ?? { images: {} }, env) }));
  const image = settings.image as string;
  const appVersion = image.includes("@") ? image.slice(image.indexOf("@") + 1, image.indexOf("@") + 20) : image.slice(image.lastIndexOf(":") + 1);
  files.push({ path: `${dir}/Chart.yaml`, content: engine.renderYaml("deploy/helm/Chart.yaml", { app, appVersion, description: `${app}: ${settings.strategy} on ${settings.target}, generated by senior-devops deployment-manager` }), kind: "yaml", group });
  files.push({ path: `${dir}/values.yaml`, content: engine.renderYaml("deploy/helm/values.yaml", { values: perEnv[0]!.values, hasColors: Object.keys(perEnv[0]!.values.colors).length > 0, defaults: true, environments: settings.environments }), kind: "yaml", group });
  for (const { env, values } of perEnv) {
    files.push({ path: `${dir}/values-${env}.yaml`, content: engine.renderYaml("deploy/helm/values.yaml", { values, hasColors: Object.keys(values.colors).length > 0, defaults: false, namespace: settings.namespaces[env] ?? env }), kind: "yaml", group });
  }
  files.push({ path: `${dir}/values.schema.json`, content: `${JSON.stringify(valuesSchema(perEnv[0]!.values), null, 2)}\n`, kind: "json", group });
  files.push({
    path: `${dir}/README.md`,
    content: engine.render("deploy/helm/README.md", {
      app,
      dir,
      strategy: settings.strategy,
      target: settings.target,
      environments: perEnv.map(({ env }) => ({ env, namespace: settings.namespaces[env] ?? env })),
    }),
    kind: "markdown",
  });
  return files;
}

/** `helm lint` of the chart with each environment's values, and `helm template` of each validated against the schemas. */
export async function validateChart(files: GeneratedFile[], app: string, environments: { env: string; namespace: string }[]): Promise<Validation[]> {
  const dir = chartDir(app);
  const chartFiles = files.filter((f) => f.path.startsWith(`${dir}/`));
  const tmp = materialise(chartFiles);
  const chart = join(tmp, ...dir.split("/"));
  const helm = process.env.SENIOR_DEVOPS_HELM || "helm";
  try {
    const results: Validation[] = [];
    for (const { env, namespace } of environments) {
      const values = join(chart, `values-${env}.yaml`);
      const path = `${dir}/values-${env}.yaml`;
      const lint = await runTool(helm, ["lint", "--strict", chart, "-f", values]);
      if (lint.missing) return [{ path: `${dir}/Chart.yaml`, validator: "helm", ok: true, skipped: true, messages: ["helm not found: chart not linted or rendered"] }];
      if (!lint.ok) {
        results.push({ path, validator: "helm-lint", ok: false, messages: [lint.output.trim()] });
        continue;
      }
      results.push(await renderedValidation(path, "helm-template", await runTool(helm, ["template", app, chart, "--namespace", namespace, "-f", values])));
    }
    return results;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

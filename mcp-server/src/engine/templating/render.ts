import Handlebars from "handlebars";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { groovyString, hclString, shellWord, yamlBlock, yamlFlow, yamlString } from "./quote.ts";

/**
 * Finds the shipped `templates/` directory by walking up from this module: the same code then works from the
 * sources (mcp-server/src/engine/templating) and from the bundle (mcp-server/dist).
 */
export function defaultTemplatesDir(): string {
  const override = process.env.SENIOR_DEVOPS_TEMPLATES;
  if (override) return resolve(override);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "templates");
    if (existsSync(join(candidate, "_partials"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("senior-devops: cannot find the templates/ directory next to the server");
    dir = parent;
  }
}

function listTemplates(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTemplates(full));
    else if (entry.name.endsWith(".hbs")) out.push(full);
  }
  return out;
}

const toName = (root: string, file: string) => relative(root, file).split(sep).join("/").replace(/\.hbs$/, "");

export interface TemplateEngine {
  readonly dir: string;
  /** Renders `templates/<name>.hbs`, e.g. render("pipeline/github-actions/workflow.yml", ctx). */
  render(name: string, context: object): string;
  /** Renders a YAML template and parses it back; throws with the template name when it does not parse. */
  renderYaml(name: string, context: object): string;
  has(name: string): boolean;
}

const engines = new Map<string, TemplateEngine>();

/**
 * One Handlebars environment per templates directory: `noEscape` (we are not writing HTML) and `strict`
 * (a missing field is a bug in the generator, not an empty string). Partials are every file under a
 * `_partials` directory, named by their path below it: `_partials/github/checkout.hbs` → `github/checkout`,
 * `pipeline/_partials/job.hbs` → `pipeline/job`.
 */
export function templateEngine(dir: string = defaultTemplatesDir()): TemplateEngine {
  const key = resolve(dir);
  const cached = engines.get(key);
  if (cached) return cached;

  const hb = Handlebars.create();
  registerHelpers(hb);
  const files = listTemplates(key);
  for (const file of files) {
    const name = toName(key, file);
    const at = name.indexOf("_partials/");
    if (at === -1) continue;
    const partialName = name.slice(0, at) + name.slice(at + "_partials/".length);
    hb.registerPartial(partialName, readFileSync(file, "utf8"));
  }
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  const compile = (name: string) => {
    let template = compiled.get(name);
    if (!template) {
      const file = join(key, `${name}.hbs`);
      if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`template not found: ${name}`);
      template = hb.compile(readFileSync(file, "utf8"), { noEscape: true, strict: true });
      compiled.set(name, template);
    }
    return template;
  };

  const engine: TemplateEngine = {
    dir: key,
    has: (name) => existsSync(join(key, `${name}.hbs`)),
    render(name, context) {
      try {
        return compile(name)(context);
      } catch (error) {
        throw new Error(`rendering template ${name}: ${(error as Error).message}`);
      }
    },
    renderYaml(name, context) {
      const text = engine.render(name, context);
      const problems = parseAllDocuments(text).flatMap((doc) =>
        "errors" in doc ? [...doc.errors, ...doc.warnings].map((e) => e.message) : [],
      );
      if (problems.length > 0) throw new Error(`template ${name} rendered invalid YAML: ${problems.join("; ")}`);
      return text;
    },
  };
  engines.set(key, engine);
  return engine;
}

function registerHelpers(hb: typeof Handlebars): void {
  // Quoting: use these for every value that did not come from the template itself.
  hb.registerHelper("yaml", (value: unknown) => yamlString(value));
  hb.registerHelper("yamlFlow", (value: unknown) => yamlFlow(value));
  // {{yamlBlock script 10}}: multi-line text as a literal block whose lines start at column 10.
  hb.registerHelper("yamlBlock", (value: unknown, indent: unknown) => yamlBlock(value, typeof indent === "number" ? indent : 2));
  hb.registerHelper("hcl", (value: unknown) => hclString(value));
  hb.registerHelper("sh", (value: unknown) => shellWord(value));
  hb.registerHelper("groovy", (value: unknown) => groovyString(value));
  hb.registerHelper("json", (value: unknown) => JSON.stringify(value));
  // Logic.
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("ne", (a: unknown, b: unknown) => a !== b);
  hb.registerHelper("not", (a: unknown) => !a);
  hb.registerHelper("and", (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper("or", (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper("includes", (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
  hb.registerHelper("array", (...args: unknown[]) => args.slice(0, -1));
  hb.registerHelper("join", (list: unknown, separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === "string" ? separator : ", ") : "",
  );
  hb.registerHelper("indent", (text: unknown, spaces: unknown) => {
    const pad = " ".repeat(typeof spaces === "number" ? spaces : 0);
    return String(text).split("\n").map((line, i) => (i === 0 || line === "" ? line : pad + line)).join("\n");
  });
}

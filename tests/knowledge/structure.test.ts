// Shape of the knowledge layer: frontmatter of skills, commands and agents,
// SKILL.md size, reference links, and MCP tool names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { MCP_TOOLS, frontmatter, markdownFiles, readRepoFile, repoRoot } from "./markdown.ts";

const REQUIRED_SKILLS = [
  "senior-devops",
  "cicd-pipelines",
  "containers-docker",
  "kubernetes-operations",
  "terraform-iac",
  "deployment-strategies",
  "observability-slo",
  "devops-security",
  "incident-response",
  "cloud-cost-finops",
];
const REQUIRED_COMMANDS = [
  "pipeline",
  "terraform",
  "deploy",
  "dockerize",
  "k8s-review",
  "iac-review",
  "incident",
  "postmortem",
  "runbook",
  "slo",
];
const REQUIRED_AGENTS = ["devops-engineer", "sre-incident-commander", "infrastructure-reviewer"];

/** Claude Code's built-in tools a command or agent may name. */
const BUILTIN_TOOLS = new Set([
  "Read",
  "Write",
  "Edit",
  "MultiEdit",
  "Glob",
  "Grep",
  "Bash",
  "WebFetch",
  "WebSearch",
  "TodoWrite",
  "Task",
  "Agent",
  "AskUserQuestion",
  "NotebookEdit",
]);

const skillDirs = readdirSync(path.join(repoRoot, "skills"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const commandFiles = readdirSync(path.join(repoRoot, "commands")).filter((f) => f.endsWith(".md")).sort();
const agentFiles = readdirSync(path.join(repoRoot, "agents")).filter((f) => f.endsWith(".md")).sort();

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

function toolList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== "string") return [];
  // "Read, Grep, Bash(git log:*)" — split on commas outside parentheses
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of v) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * A command's allowed-tools are permission rules, so Bash must name its commands (Bash(git diff:*)). An agent's
 * tools are tool names: Claude Code drops the parentheses and grants all of Bash for "Bash(kubectl get:*)", so
 * such an entry promises a restriction that does not hold; an agent lists plain Bash or none.
 */
function checkTools(where: string, tools: string[], failures: string[], kind: "command" | "agent" = "command"): void {
  if (tools.length === 0) failures.push(`${where}: empty tool list`);
  for (const t of tools) {
    if (t.startsWith("mcp__")) {
      if (!MCP_TOOLS.includes(t)) failures.push(`${where}: unknown MCP tool ${t}`);
      continue;
    }
    const m = /^([A-Za-z]+)(\((.+)\))?$/.exec(t);
    if (!m || !BUILTIN_TOOLS.has(m[1]!)) failures.push(`${where}: unknown tool ${t}`);
    else if (kind === "command" && m[1] === "Bash" && !m[3]) failures.push(`${where}: unrestricted Bash; name the commands, e.g. Bash(git diff:*)`);
    else if (kind === "agent" && m[3]) failures.push(`${where}: ${t} grants all of ${m[1]} to an agent; list ${m[1]} or remove it (disallowedTools)`);
  }
}

test("all required skills, commands and agents exist", () => {
  for (const s of REQUIRED_SKILLS) assert.ok(skillDirs.includes(s), `missing skill ${s}`);
  for (const c of REQUIRED_COMMANDS) assert.ok(commandFiles.includes(`${c}.md`), `missing command ${c}`);
  for (const a of REQUIRED_AGENTS) assert.ok(agentFiles.includes(`${a}.md`), `missing agent ${a}`);
});

test("every skill has name + description frontmatter, a body under 500 lines, and live reference links", () => {
  const failures: string[] = [];
  for (const s of skillDirs) {
    const rel = `skills/${s}/SKILL.md`;
    if (!existsSync(path.join(repoRoot, rel))) {
      failures.push(`${rel}: missing`);
      continue;
    }
    const text = readRepoFile(rel);
    const fm = frontmatter(text);
    if (!fm) {
      failures.push(`${rel}: no YAML frontmatter`);
      continue;
    }
    if (fm.data.name !== s) failures.push(`${rel}: name must be "${s}", is ${String(fm.data.name)}`);
    if (!/^[a-z0-9-]{1,64}$/.test(s)) failures.push(`${rel}: name must be lowercase letters, digits, hyphens`);
    const d = str(fm.data.description);
    if (!d) failures.push(`${rel}: description missing`);
    else if (d.length > 1024) failures.push(`${rel}: description over 1024 characters`);
    if (fm.lines >= 500) failures.push(`${rel}: ${fm.lines} lines (must be < 500)`);
    // references: every linked file exists; every file in references/ is linked
    const linked = new Set([...fm.body.matchAll(/\]\((references\/[^)#\s]+)\)/g)].map((m) => m[1]!));
    for (const l of linked) {
      if (!existsSync(path.join(repoRoot, "skills", s, l))) failures.push(`${rel}: broken link ${l}`);
    }
    const refDir = path.join(repoRoot, "skills", s, "references");
    if (existsSync(refDir)) {
      for (const f of readdirSync(refDir)) {
        if (!linked.has(`references/${f}`)) failures.push(`${rel}: references/${f} is never linked from SKILL.md`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every command has description, argument-hint, restricted allowed-tools and uses $ARGUMENTS", () => {
  const failures: string[] = [];
  for (const f of commandFiles) {
    const rel = `commands/${f}`;
    const fm = frontmatter(readRepoFile(rel));
    if (!fm) {
      failures.push(`${rel}: no YAML frontmatter`);
      continue;
    }
    if (!str(fm.data.description)) failures.push(`${rel}: description missing`);
    if (!str(fm.data["argument-hint"])) failures.push(`${rel}: argument-hint missing`);
    const tools = toolList(fm.data["allowed-tools"]);
    checkTools(`${rel} allowed-tools`, tools, failures);
    if (!fm.body.includes("$ARGUMENTS")) failures.push(`${rel}: body does not use $ARGUMENTS`);
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every agent has name, description and a tools allow-list", () => {
  const failures: string[] = [];
  for (const f of agentFiles) {
    const rel = `agents/${f}`;
    const fm = frontmatter(readRepoFile(rel));
    if (!fm) {
      failures.push(`${rel}: no YAML frontmatter`);
      continue;
    }
    const name = f.replace(/\.md$/, "");
    if (fm.data.name !== name) failures.push(`${rel}: name must be "${name}"`);
    if (!str(fm.data.description)) failures.push(`${rel}: description missing`);
    checkTools(`${rel} tools`, toolList(fm.data.tools), failures, "agent");
    if (fm.body.trim().length < 400) failures.push(`${rel}: system prompt is too thin`);
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every MCP tool name mentioned anywhere is one of the real tools", () => {
  const failures: string[] = [];
  let mentions = 0;
  for (const rel of markdownFiles()) {
    for (const m of readRepoFile(rel).matchAll(/mcp__[A-Za-z0-9_*-]+/g)) {
      mentions++;
      if (!MCP_TOOLS.includes(m[0])) failures.push(`${rel}: ${m[0]}`);
    }
  }
  assert.ok(mentions >= 10, `expected the knowledge layer to name the MCP tools, found ${mentions} mentions`);
  assert.deepEqual(failures, [], `unknown MCP tool names:\n${failures.join("\n")}`);
});

test("no machine-absolute paths in the knowledge layer", () => {
  const failures = markdownFiles()
    .filter((rel) => /(^|[\s"\'`(])\/work\/|\/tmp\/bash_jobs|\/home\/[a-z]/.test(readRepoFile(rel)))
    .map((rel) => rel);
  assert.deepEqual(failures, [], failures.join("\n"));
});

const WRITE_TOOLS = ["Write", "Edit", "MultiEdit", "NotebookEdit"];
/** Tools that change files or the repository's state, and the generators that write into it. */
const SIDE_EFFECT_TOOLS = new Set([
  ...WRITE_TOOLS,
  ...MCP_TOOLS.filter((t) => !t.endsWith("__analyze-project")),
]);

test("commands with side effects are user-invoked only (disable-model-invocation: true)", () => {
  const failures: string[] = [];
  let userOnly = 0;
  for (const f of commandFiles) {
    const rel = `commands/${f}`;
    const fm = frontmatter(readRepoFile(rel));
    if (!fm) continue;
    const effects = toolList(fm.data["allowed-tools"]).filter((t) => SIDE_EFFECT_TOOLS.has(t));
    const flag = fm.data["disable-model-invocation"];
    if (flag !== undefined && typeof flag !== "boolean") failures.push(`${rel}: disable-model-invocation must be a YAML boolean`);
    if (flag === true) userOnly++;
    if (effects.length > 0 && flag !== true) failures.push(`${rel}: can ${effects.join(", ")} but the model may start it; add disable-model-invocation: true`);
  }
  for (const c of ["deploy", "terraform", "pipeline"]) {
    assert.equal(frontmatter(readRepoFile(`commands/${c}.md`))?.data["disable-model-invocation"], true, `commands/${c}.md`);
  }
  assert.ok(userOnly >= 3);
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("read-only agents cannot write: no write tools or shell, and disallowedTools removes them", () => {
  const failures: string[] = [];
  let readOnly = 0;
  for (const f of agentFiles) {
    const rel = `agents/${f}`;
    const fm = frontmatter(readRepoFile(rel));
    if (!fm) continue;
    const tools = toolList(fm.data.tools);
    const names = tools.map((t) => t.replace(/\(.*$/, ""));
    const promises = /read-only|cannot edit|never modify/i.test(`${String(fm.data.description)}\n${fm.body}`);
    const writes = names.some((n) => WRITE_TOOLS.includes(n));
    if (!promises && writes) continue;
    readOnly++;
    if (writes) failures.push(`${rel}: promises read-only but lists ${names.filter((n) => WRITE_TOOLS.includes(n)).join(", ")}`);
    const shell = names.includes("Bash");
    if (shell) failures.push(`${rel}: a read-only agent with Bash can write through the shell; remove it`);
    const denied = new Set(toolList(fm.data.disallowedTools));
    for (const t of [...WRITE_TOOLS, "Bash"]) if (!denied.has(t)) failures.push(`${rel}: disallowedTools must include ${t}`);
  }
  assert.ok(readOnly >= 1, "expected read-only agents (infrastructure-reviewer)");
  assert.deepEqual(failures, [], failures.join("\n"));
});

/** Name and description of everything the model can start on its own (skills, commands it may invoke, agents). */
function modelVisible(): { rel: string; description: string }[] {
  const out: { rel: string; description: string }[] = [];
  for (const s of skillDirs) {
    const fm = frontmatter(readRepoFile(`skills/${s}/SKILL.md`));
    if (fm && fm.data["disable-model-invocation"] !== true) out.push({ rel: `skills/${s}`, description: String(fm.data.description) });
  }
  for (const f of commandFiles) {
    const fm = frontmatter(readRepoFile(`commands/${f}`));
    if (fm && fm.data["disable-model-invocation"] !== true) out.push({ rel: `commands/${f}`, description: String(fm.data.description) });
  }
  for (const f of agentFiles) {
    const fm = frontmatter(readRepoFile(`agents/${f}`));
    if (fm) out.push({ rel: `agents/${f}`, description: String(fm.data.description) });
  }
  return out;
}

test("skill and agent descriptions say when to use them, with the words users say", () => {
  const failures: string[] = [];
  const visible = modelVisible();
  for (const v of visible.filter((v) => !v.rel.startsWith("commands/"))) {
    if (!/\b(Use (when|for|to)|Delegate)\b/.test(v.description)) failures.push(`${v.rel}: the description does not say when to use it`);
  }
  const all = visible.map((v) => v.description).join("\n");
  for (const word of [/outage/i, /failing deploy|deploy or (stuck )?rollout|failing (pipeline|deploy)/i, /red pipeline|failing pipeline/i, /EKS\/GKE\/AKS/, /Argo CD/, /pin our actions/i, /is our CI safe/i]) {
    if (!word.test(all)) failures.push(`no description mentions ${word}`);
  }
  // one place to go for incidents: at most two model-visible entries (the skill, and the coordinating agent)
  const incident = visible.filter((v) => /incident|outage/i.test(v.description)).map((v) => v.rel);
  if (incident.length > 2) failures.push(`${incident.length} entries compete for incidents: ${incident.join(", ")}`);
  assert.deepEqual(failures, [], failures.join("\n"));
});

// Front-matter keys Claude Code reads (its commands/skills and agent loaders). `claude plugin validate --strict`
// does not flag a misspelt key, and a plugin agent's hooks, mcpServers and permissionMode are ignored (Claude Code
// logs "ignored for plugin agents"), so a restriction written there would not hold.
const COMMAND_KEYS = new Set(["name", "description", "allowed-tools", "argument-hint", "disable-model-invocation", "user-invocable", "model", "when_to_use", "version", "effort", "context", "agent", "paths", "shell"]);
const AGENT_KEYS = new Set(["name", "description", "tools", "disallowedTools", "model", "color", "effort", "maxTurns", "skills", "memory", "background", "isolation", "initialPrompt"]);
const IGNORED_IN_PLUGIN_AGENTS = new Set(["hooks", "mcpServers", "permissionMode"]);

test("front matter uses only keys Claude Code reads, and nothing plugin agents ignore", () => {
  const failures: string[] = [];
  const check = (rel: string, allowed: Set<string>) => {
    const fm = frontmatter(readRepoFile(rel));
    for (const k of Object.keys(fm?.data ?? {})) {
      if (rel.startsWith("agents/") && IGNORED_IN_PLUGIN_AGENTS.has(k)) failures.push(`${rel}: ${k} is ignored for plugin agents; enforce with tools/disallowedTools`);
      else if (!allowed.has(k)) failures.push(`${rel}: unknown front-matter key ${k}`);
    }
  };
  for (const s of skillDirs) check(`skills/${s}/SKILL.md`, COMMAND_KEYS);
  for (const f of commandFiles) check(`commands/${f}`, COMMAND_KEYS);
  for (const f of agentFiles) check(`agents/${f}`, AGENT_KEYS);
  assert.deepEqual(failures, [], failures.join("\n"));
});

// Argument consistency: every tool call and argument example in commands/, skills/ (SKILL.md and references),
// agents/ and README.md is checked against the tools as shipped (see contracts.ts):
//   - inline `key: value` spans (alternatives as `key: a|b`) in the context of a tool: the key is an input of
//     that tool and the server's own parser accepts every alternative;
//   - camelCase names in backticks next to a tool: an input or a result field of some tool;
//   - fenced JSON tool calls {"tool": …, "arguments": {…}}: accepted by the server as a whole;
//   - `senior-devops <command> …` examples: the command and every flag exist in the shipped CLI; concrete
//     examples are run (on a path that does not exist, so nothing happens) and must get past option parsing;
//   - argument tables of the slash commands (a "Tool input" column): the inputs exist, values in the argument
//     column are accepted, and a default written in code equals the server's default.
// The context of a span is the nearest tool named before it in the same paragraph or list item, else after it
// in that unit, else the last tool named earlier in the same section, else the command's own generator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import { codeBlocks, frontmatter, markdownFiles, readRepoFile } from "./markdown.ts";
import {
  AUDIT_CLI_FLAGS,
  AUDIT_TOOL,
  auditIsLive,
  cliHelp,
  cliRejection,
  inputKeys,
  inputSchema,
  knownTools,
  rejection,
  resultKeys,
} from "./contracts.ts";

const FILES = [...markdownFiles(), "README.md"];
const CLI_COMMANDS: Record<string, string> = {
  analyze: "analyze-project",
  pipeline: "pipeline-generator",
  terraform: "terraform-scaffolder",
  deploy: "deployment-manager",
  audit: AUDIT_TOOL,
};

const PHRASES: [RegExp, string][] = [
  [/\bdeployment manager\b/gi, "deployment-manager"],
  [/\bpipeline generator\b/gi, "pipeline-generator"],
  [/\bterraform scaffolder\b/gi, "terraform-scaffolder"],
  [/\bproject analysis\b/gi, "analyze-project"],
];

interface Mention {
  index: number;
  tool: string;
}

function mentions(text: string): Mention[] {
  const out: Mention[] = [];
  const names = knownTools.map((t) => t.replace(/-/g, "\\-")).join("|");
  for (const m of text.matchAll(new RegExp(`(?<![A-Za-z0-9-])(${names})(?![A-Za-z0-9-])`, "g"))) out.push({ index: m.index!, tool: m[1]! });
  for (const [re, tool] of PHRASES) for (const m of text.matchAll(re)) out.push({ index: m.index!, tool });
  return out.sort((a, b) => a.index - b.index);
}

interface Unit {
  file: string;
  line: number;
  text: string;
  /** tool named last in the section before this unit */
  sectionTool: string | undefined;
}

/** Paragraphs, list items and table rows outside fenced blocks, with the tool context of their section. */
function units(file: string, text: string, fileTool: string | undefined): Unit[] {
  const lines = text.split(/\r?\n/);
  const out: Unit[] = [];
  let fence: string | undefined;
  let cur: { line: number; lines: string[] } | undefined;
  let section: string | undefined = fileTool;
  const flush = () => {
    if (!cur) return;
    const t = cur.lines.join("\n");
    out.push({ file, line: cur.line, text: t, sectionTool: section });
    const ms = mentions(t);
    if (ms.length > 0) section = ms[ms.length - 1]!.tool;
    cur = undefined;
  };
  for (const [i, l] of lines.entries()) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(l);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && l.trim() === f[1]) fence = undefined;
      continue;
    }
    if (f) {
      flush();
      fence = f[1];
      continue;
    }
    if (/^#{1,6}\s/.test(l)) {
      flush();
      const ms = mentions(l);
      section = ms.length > 0 ? ms[ms.length - 1]!.tool : fileTool;
      continue;
    }
    if (l.trim() === "") {
      flush();
      continue;
    }
    if (/^\s*([-*+]|\d+[.)])\s/.test(l) || /^\s*\|/.test(l)) flush();
    if (!cur) cur = { line: i + 1, lines: [] };
    cur.lines.push(l);
  }
  flush();
  return out;
}

function contextTool(u: Unit, at: number): string | undefined {
  const ms = mentions(u.text);
  const before = ms.filter((m) => m.index < at);
  if (before.length > 0) return before[before.length - 1]!.tool;
  if (ms.length > 0) return ms[0]!.tool;
  return u.sectionTool;
}

/** The generator a command or agent drives by default: the last non-analysis MCP tool it may call. */
function fileTool(rel: string, text: string): string | undefined {
  if (!rel.startsWith("commands/")) return undefined;
  const fm = frontmatter(text);
  const tools = String(fm?.data["allowed-tools"] ?? "");
  const named = [...tools.matchAll(/mcp__plugin_senior-devops_senior-devops__([a-z-]+)/g)].map((m) => m[1]!).filter((t) => t !== "analyze-project");
  return named[named.length - 1];
}

/** Splits `a|b|c` at top level (not inside quotes or brackets). */
function alternatives(v: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = "";
  for (const ch of v) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ("[{(".includes(ch)) depth++;
    else if ("]})".includes(ch)) depth--;
    else if (ch === "|" && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** `<name>`, `…`, `...` and upper-case words such as NAME or REGION stand for a value the user supplies. */
const PLACEHOLDER = /[<>…]|\.\.\.|^[A-Z][A-Z_]*$/;

/** A value as written in prose, converted the way the CLI would (comma lists for array inputs). */
function valueFor(tool: string, key: string, raw: string): unknown {
  let v: unknown;
  try {
    v = parseYaml(raw);
  } catch {
    v = raw;
  }
  const schema = inputSchema(tool)?.properties?.[key];
  if (schema?.type === "array" && !Array.isArray(v)) {
    v = String(raw)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s));
  }
  return v;
}

const SPAN = /`([^`\n]+)`/g;
const KEY_VALUE = /^([a-z][A-Za-z0-9]*): (.+)$/;
const CAMEL = /^[a-z]+(?:[A-Z][a-z0-9]*)+$/;
/** MCP protocol words prose may name next to a tool. */
const MCP_WORDS = new Set(["structuredContent", "outputSchema", "inputSchema", "isError", "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]);
const allInputKeys = new Map<string, string[]>();
for (const t of knownTools) for (const k of inputKeys(t)) allInputKeys.set(k, [...(allInputKeys.get(k) ?? []), t]);

interface Collected {
  inline: { where: string; tool: string; key: string; raw: string; explicit: boolean }[];
  names: { where: string; name: string }[];
  calls: { where: string; tool: string; args: Record<string, unknown> }[];
  cli: { where: string; command: string; rest: string[]; concrete: boolean }[];
  tables: { where: string; tool: string; arg: string; inputs: string[]; def: string }[];
  confirmUnits: { where: string; text: string }[];
  style: string[];
}

function collect(): Collected {
  const c: Collected = { inline: [], names: [], calls: [], cli: [], tables: [], confirmUnits: [], style: [] };
  for (const rel of FILES) {
    const text = readRepoFile(rel);
    const ft = fileTool(rel, text);
    for (const u of units(rel, text, ft)) {
      const where = `${rel}:${u.line}`;
      const explicit = mentions(u.text).length > 0;
      for (const m of u.text.matchAll(SPAN)) {
        const span = m[1]!.trim();
        let tool = contextTool(u, m.index!);
        const kv = KEY_VALUE.exec(span);
        // a unit that names no tool falls back on its section; in a command, its own generator wins over
        // a tool named earlier in the section for inputs only the generator has
        if (kv && !explicit && tool && ft && !inputKeys(tool).includes(kv[1]!) && inputKeys(ft).includes(kv[1]!)) tool = ft;
        if (kv && tool) c.inline.push({ where, tool, key: kv[1]!, raw: kv[2]!, explicit });
        else if (!kv && explicit && CAMEL.test(span)) c.names.push({ where, name: span });
        if (!kv && tool && inputKeys(tool).includes(span)) {
          if (uncheckableValues(u.text.slice(m.index! + m[0].length))) c.style.push(`${where}: values for \`${span}\` (${tool}) written in prose; write them as \`${span}: a|b\``);
        }
        if (kv?.[1] === "confirm" && tool === "deployment-manager") c.confirmUnits.push({ where, text: u.text });
        const cli = /^senior-devops\s+([a-z]+)\b(.*)$/.exec(span);
        if (cli && cli[1]! in CLI_COMMANDS) c.cli.push(cliExample(where, cli[1]!, cli[2]!));
      }
    }
    // argument tables: a header row with a "Tool input" column
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const head = /^\s*\|(.+)\|\s*$/.exec(lines[i]!);
      if (!head) continue;
      const cols = head[1]!.split("|").map((s) => s.trim().toLowerCase());
      const ti = cols.indexOf("tool input");
      if (ti === -1) continue;
      const di = cols.indexOf("default");
      const tool = ft ?? mentions(lines.slice(Math.max(0, i - 5), i).join("\n")).pop()?.tool;
      for (let j = i + 2; j < lines.length && /^\s*\|/.test(lines[j]!); j++) {
        const cells = splitRow(lines[j]!);
        c.tables.push({
          where: `${rel}:${j + 1}`,
          tool: tool ?? "?",
          arg: cells[0] ?? "",
          inputs: [...(cells[ti] ?? "").matchAll(SPAN)].map((m) => m[1]!),
          def: di === -1 ? "" : (cells[di] ?? ""),
        });
      }
    }
    for (const b of codeBlocks(rel, text)) {
      const where = `${rel}:${b.line}`;
      if (b.lang === "json") {
        let obj: unknown;
        try {
          obj = JSON.parse(b.code);
        } catch {
          continue;
        }
        if (obj && typeof obj === "object" && "arguments" in obj && "tool" in obj) {
          const o = obj as { tool: unknown; arguments: unknown };
          c.calls.push({ where, tool: String(o.tool), args: (o.arguments ?? {}) as Record<string, unknown> });
        }
      }
      if (["bash", "sh", "shell", "console", "text"].includes(b.lang)) {
        for (const [k, l] of b.code.split("\n").entries()) {
          const cli = /(?:^|[\s$;&|])senior-devops\s+([a-z]+)\b(.*)$/.exec(l);
          if (cli && cli[1]! in CLI_COMMANDS) c.cli.push(cliExample(`${rel}:${b.line + 1 + k}`, cli[1]!, cli[2]!));
        }
      }
    }
  }
  return c;
}

/**
 * Prose that gives values after a bare input name ("`key`: a|b", "`key` (a|b)", "`key` (`--flag`): `a` | `b`")
 * cannot be checked reliably; such values are written as one span, `key: a|b`, instead.
 */
function uncheckableValues(after: string): boolean {
  const rest = after.replace(/^\s*\(`--[a-z-]+`\)/, "");
  return /^\s*:\s*\S/.test(rest) || /^\s*\([^)]*\|[^)]*\)/.test(rest);
}

function splitRow(row: string): string[] {
  const inner = row.trim().replace(/^\|/, "").replace(/\|$/, "");
  const cells: string[] = [];
  let cur = "";
  let code = false;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === "`") code = !code;
    if (ch === "\\" && inner[i + 1] === "|") {
      cur += "|";
      i++;
      continue;
    }
    if (ch === "|" && !code) {
      cells.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

function cliExample(where: string, command: string, restText: string) {
  const tokens = restText.replace(/#.*$/, "").trim().split(/\s+/).filter(Boolean);
  const concrete = !tokens.some((t) => /[<>[\]…|]|^[A-Z]$|\.\.\./.test(t));
  // the positional path comes first; drop it so the check can put a path that does not exist there
  const rest = tokens.length > 0 && !tokens[0]!.startsWith("-") ? tokens.slice(1) : tokens;
  return { where, command, rest, concrete };
}

const found = collect();
const stats = () =>
  `inline ${found.inline.length}, names ${found.names.length}, JSON calls ${found.calls.length}, CLI ${found.cli.length}, table rows ${found.tables.length}`;

test("the knowledge layer carries argument examples to check", () => {
  console.log(`argument examples: ${stats()}; audit tool ${auditIsLive ? "live in this build" : "checked against its contract (not in this build)"}`);
  assert.ok(found.inline.length >= 20, stats());
  assert.ok(found.cli.length >= 4, stats());
  assert.ok(found.tables.length >= 6, stats());
});

test("every inline `key: value` argument is an input of its tool and accepted by the server", async () => {
  const failures: string[] = [];
  for (const e of found.inline) {
    const keys = inputKeys(e.tool);
    if (!keys.includes(e.key)) {
      const owners = allInputKeys.get(e.key);
      if (owners) failures.push(`${e.where}: \`${e.key}\` is an input of ${owners.join(", ")}, not of ${e.tool}`);
      else if (e.explicit) failures.push(`${e.where}: \`${e.key}: ${e.raw}\` is not an input of ${e.tool} (inputs: ${keys.join(", ")})`);
      continue;
    }
    for (const alt of alternatives(e.raw)) {
      if (PLACEHOLDER.test(alt)) continue;
      const why = await rejection(e.tool, { [e.key]: valueFor(e.tool, e.key, alt) });
      if (why) failures.push(`${e.where}: ${e.tool} rejects \`${e.key}: ${alt}\`: ${why}`);
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("argument values are written in the checkable form `key: value`", () => {
  assert.deepEqual(found.style, [], found.style.join("\n"));
});

test("every camelCase name next to a tool is an input or a result field", () => {
  const failures = found.names
    .filter((n) => !allInputKeys.has(n.name) && !resultKeys.has(n.name) && !MCP_WORDS.has(n.name))
    .map((n) => `${n.where}: \`${n.name}\` is neither an input nor a result field of any tool`);
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every fenced JSON tool call is accepted by the server", async () => {
  const failures: string[] = [];
  for (const c of found.calls) {
    if (!knownTools.includes(c.tool)) {
      failures.push(`${c.where}: unknown tool ${c.tool}`);
      continue;
    }
    const why = await rejection(c.tool, c.args);
    if (why) failures.push(`${c.where}: ${why}`);
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every `senior-devops …` CLI example uses a real command and real flags, and concrete ones parse", () => {
  const failures: string[] = [];
  for (const e of found.cli) {
    const help = cliHelp(e.command);
    const flags = e.rest.filter((t) => /^--?[a-z]/.test(t)).map((t) => t.split("=")[0]!);
    if (help === undefined) {
      if (e.command === "audit" && !auditIsLive) {
        for (const f of flags) if (!AUDIT_CLI_FLAGS.includes(f)) failures.push(`${e.where}: audit has no flag ${f} (contract)`);
        continue;
      }
      failures.push(`${e.where}: the CLI has no command ${e.command}`);
      continue;
    }
    for (const f of flags) {
      if (!new RegExp(`(^|[\\s,])${f.replace(/-/g, "\\-")}(?![a-z-])`, "m").test(help)) failures.push(`${e.where}: senior-devops ${e.command} has no flag ${f}`);
    }
    if (e.concrete) {
      const why = cliRejection(e.command, e.rest);
      if (why) failures.push(`${e.where}: senior-devops ${e.command} ${e.rest.join(" ")}: ${why}`);
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("slash-command argument tables map to real inputs, with values and defaults the server has", async () => {
  const failures: string[] = [];
  for (const r of found.tables) {
    if (!knownTools.includes(r.tool)) {
      failures.push(`${r.where}: argument table without a tool in context`);
      continue;
    }
    const keys = inputKeys(r.tool);
    for (const k of r.inputs) if (!keys.includes(k)) failures.push(`${r.where}: \`${k}\` is not an input of ${r.tool}`);
    if (r.inputs.length !== 1 || !keys.includes(r.inputs[0]!)) continue;
    const key = r.inputs[0]!;
    for (const m of r.arg.matchAll(SPAN)) {
      const span = m[1]!;
      if (span === key) {
        // a bare word is a switch: fine for a boolean input, wrong for one that takes a value (`ci`)
        const type = inputSchema(r.tool)?.properties?.[key]?.type;
        if (type !== "boolean") failures.push(`${r.where}: \`${key}\` is written as a switch, but ${r.tool} takes a ${String(type)} value for it`);
        continue;
      }
      const raw = span.includes("=") ? span.slice(span.indexOf("=") + 1) : span;
      for (const alt of alternatives(raw)) {
        if (PLACEHOLDER.test(alt) || alt === "") continue;
        const why = await rejection(r.tool, { [key]: valueFor(r.tool, key, alt) });
        if (why) failures.push(`${r.where}: ${r.tool} rejects ${key} = ${alt}: ${why}`);
      }
    }
    const defSpan = [...r.def.matchAll(SPAN)].map((m) => m[1]!).filter((d) => !d.startsWith("mcp__"));
    if (defSpan.length > 0) {
      const serverDefault = inputSchema(r.tool)?.properties?.[key]?.default;
      const written = valueFor(r.tool, key, defSpan[0]!);
      if (serverDefault === undefined) failures.push(`${r.where}: the table states a default \`${defSpan[0]}\` for ${key}, the server has none (describe it in words)`);
      else if (!isDeepStrictEqual(written, serverDefault)) {
        failures.push(`${r.where}: default of ${key} is written as ${JSON.stringify(written)}, the server's is ${JSON.stringify(serverDefault)}`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("slash-command argument hints use the names and forms of their argument tables", () => {
  const failures: string[] = [];
  for (const rel of FILES.filter((f) => f.startsWith("commands/"))) {
    const text = readRepoFile(rel);
    const rows = found.tables.filter((r) => r.where.startsWith(`${rel}:`));
    if (rows.length === 0) continue;
    const hint = String(frontmatter(text)?.data["argument-hint"] ?? "");
    const tool = rows[0]!.tool;
    for (const m of hint.matchAll(/([a-z][a-z-]*)=/g)) {
      if (!rows.some((r) => r.arg.includes(`\`${m[1]}=`))) failures.push(`${rel}: argument-hint names ${m[1]}= but the table has no such argument`);
    }
    for (const m of hint.matchAll(/\[([a-z][A-Za-z]*)\]/g)) {
      if (m[1] === "path") continue; // the positional directory
      const type = inputSchema(tool)?.properties?.[m[1]!]?.type;
      if (type !== undefined && type !== "boolean") failures.push(`${rel}: argument-hint shows [${m[1]}] as a switch, but ${tool} takes a ${String(type)} value`);
    }
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("confirm is described as the engine checks it: every live change needs it, whatever the environment", () => {
  // The engine refuses apply/promote/rollback/abort without confirm in every environment (it names the cluster it
  // would change); knowledge that ties confirm to production alone would let an agent change staging unasked.
  const failures = found.confirmUnits
    .filter((u) => !/every live change|every `?apply/i.test(u.text) || /only (?:when|for) .*prod|for the `?production`? or `?prod`? environment/i.test(u.text))
    .map((u) => `${u.where}: \`confirm\` not described as required for every live change`);
  assert.ok(found.confirmUnits.length > 0, "expected the knowledge to explain confirm");
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("/pipeline asks for cloud, cluster and region before generating a deploy stage", () => {
  const rows = found.tables.filter((r) => r.where.startsWith("commands/pipeline.md"));
  for (const k of ["cloud", "cluster", "region"]) assert.ok(rows.some((r) => r.inputs.includes(k)), `commands/pipeline.md does not map ${k}`);
  assert.match(readRepoFile("commands/pipeline.md"), /OIDC/);
});

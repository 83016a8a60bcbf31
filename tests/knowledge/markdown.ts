// Helpers shared by the knowledge-layer tests: find the Markdown files of the
// skills, commands and agents, split off their frontmatter and pull out the
// fenced code blocks (CommonMark fences: ``` or ~~~, closed by a fence of the
// same character that is at least as long).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { fdir } from "fdir";
import { parse as parseYaml } from "yaml";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const KNOWLEDGE_DIRS = ["skills", "commands", "agents"] as const;

export const MCP_TOOLS = [
  "analyze-project",
  "pipeline-generator",
  "terraform-scaffolder",
  "deployment-manager",
  "devops-auditor",
].map((t) => `mcp__plugin_senior-devops_senior-devops__${t}`);

export function markdownFiles(dirs: readonly string[] = KNOWLEDGE_DIRS): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    const files = new fdir()
      .withRelativePaths()
      .filter((p) => p.endsWith(".md"))
      .crawl(path.join(repoRoot, d))
      .sync();
    for (const f of files) out.push(path.posix.join(d, f.split(path.sep).join("/")));
  }
  return out.sort();
}

export function readRepoFile(rel: string): string {
  return readFileSync(path.join(repoRoot, rel), "utf8");
}

export interface CodeBlock {
  file: string;
  /** 0-based index of the block among all fenced blocks of the file */
  index: number;
  /** language word of the info string, lower-cased ("" when absent) */
  lang: string;
  /** 1-based line of the opening fence */
  line: number;
  code: string;
}

const OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;

export function codeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const m = OPEN.exec(lines[i] ?? "");
    if (!m) {
      i++;
      continue;
    }
    const indent = m[1]!.length;
    const fence = m[2]!;
    const info = m[3]!.trim();
    if (fence[0] === "`" && info.includes("`")) {
      i++;
      continue; // not a fence (inline code span)
    }
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j]!)) {
      const l = lines[j]!;
      // strip up to `indent` spaces of indentation, as CommonMark does
      let k = 0;
      while (k < indent && l[k] === " ") k++;
      body.push(l.slice(k));
      j++;
    }
    blocks.push({
      file,
      index: blocks.length,
      lang: (info.split(/\s+/)[0] ?? "").toLowerCase(),
      line: i + 1,
      code: body.join("\n") + "\n",
    });
    i = j + 1;
  }
  return blocks;
}

export interface Frontmatter {
  data: Record<string, unknown>;
  body: string;
  /** number of lines of the whole file */
  lines: number;
}

export function frontmatter(text: string): Frontmatter | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m) return undefined;
  const data = parseYaml(m[1]!, { strict: true, uniqueKeys: true }) as unknown;
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  return { data: data as Record<string, unknown>, body: m[2]!, lines: text.split(/\r?\n/).length };
}

export function where(b: CodeBlock): string {
  return `${b.file} block #${b.index} (${b.lang || "no lang"}, line ${b.line})`;
}

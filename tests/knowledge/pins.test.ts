// One source of truth for versions: every action pin, provider constraint and Terraform version the knowledge
// layer states must equal the engine's tables (pipeline/pinned-actions.ts, terraform/versions.ts), the same
// tables the generators emit from. A pin the table does not have is an error too: add it to the table (with
// its verification) or do not pin it in prose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CONTAINER_IMAGES, PINNED_ACTIONS } from "../../mcp-server/src/engine/pipeline/pinned-actions.ts";
import { VERSION_TABLE } from "../../mcp-server/src/engine/terraform/versions.ts";
import { codeBlocks, markdownFiles, readRepoFile } from "./markdown.ts";

const FILES = [...markdownFiles(), "README.md"];
const byUses = new Map(Object.values(PINNED_ACTIONS).map((a) => [a.uses, a]));
const bySource = new Map<string, string>(Object.values(VERSION_TABLE.providers).map((p) => [p.source, p.version]));
const byName = new Map<string, string>(Object.entries(VERSION_TABLE.providers).map(([n, p]) => [n, p.version]));

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** `v7` and `v7.0` match the table's `v7.0.1`; `v4.2.2` does not. */
function sameRelease(written: string, table: string): boolean {
  const w = written.replace(/^v/, "").split(".");
  const t = table.replace(/^v/, "").split(".");
  return w.every((part, i) => part === t[i]);
}

const uses: { where: string; action: string; ref: string; comment: string | undefined }[] = [];
const prose: { where: string; action: string; version: string }[] = [];
for (const rel of FILES) {
  const text = readRepoFile(rel);
  for (const m of text.matchAll(/uses:\s*["']?([A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+)@([A-Za-z0-9_.-]+)["']?(?:[ \t]+#[ \t]*(v?[0-9][^\s]*))?/g)) {
    uses.push({ where: `${rel}:${lineOf(text, m.index!)}`, action: m[1]!, ref: m[2]!, comment: m[3] });
  }
  for (const m of text.matchAll(/`?([A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+)`?(?:@| )(v[0-9]+(?:\.[0-9]+){0,2})\b/g)) {
    if (byUses.has(m[1]!)) prose.push({ where: `${rel}:${lineOf(text, m.index!)}`, action: m[1]!, version: m[2]! });
  }
}

test("every action pinned in the knowledge is the engine's pin: same commit SHA, same # vX.Y.Z", () => {
  assert.ok(uses.length >= 5, `expected pinned actions in the knowledge, found ${uses.length}`);
  const failures: string[] = [];
  for (const u of uses) {
    const row = byUses.get(u.action);
    if (!row) {
      failures.push(`${u.where}: ${u.action} is not in the engine's pinned table; add it there or do not pin it here`);
      continue;
    }
    if (u.ref !== row.sha) failures.push(`${u.where}: ${u.action}@${u.ref}, the table pins ${row.sha} (${row.version})`);
    if (u.comment !== row.version) failures.push(`${u.where}: ${u.action} comment ${u.comment ?? "(none)"}, the table says ${row.version}`);
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every action version named in prose is the table's release", () => {
  const failures = prose
    .filter((p) => !sameRelease(p.version, byUses.get(p.action)!.version))
    .map((p) => `${p.where}: ${p.action} ${p.version}, the engine pins ${byUses.get(p.action)!.version}`);
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every Terraform provider constraint, required_version and Terraform release equals the version table", async () => {
  const { parse } = await import("@cdktf/hcl2json");
  const failures: string[] = [];
  let checked = 0;
  for (const rel of FILES) {
    const text = readRepoFile(rel);
    for (const b of codeBlocks(rel, text).filter((b) => ["hcl", "terraform", "tf"].includes(b.lang))) {
      let json: Record<string, unknown>;
      try {
        json = (await parse(`block-${b.index}.tf`, b.code)) as Record<string, unknown>;
      } catch {
        continue; // snippets.test.ts reports blocks that do not parse
      }
      for (const tf of (json.terraform as Record<string, unknown>[] | undefined) ?? []) {
        if (typeof tf.required_version === "string") {
          checked++;
          if (tf.required_version !== VERSION_TABLE.requiredVersion) {
            failures.push(`${rel}:${b.line}: required_version "${tf.required_version}", the table says "${VERSION_TABLE.requiredVersion}"`);
          }
        }
        for (const rp of (tf.required_providers as Record<string, { source?: string; version?: string }>[] | undefined) ?? []) {
          for (const [name, p] of Object.entries(rp)) {
            const want = bySource.get(p.source ?? `hashicorp/${name}`);
            if (!want) {
              if (p.version) failures.push(`${rel}:${b.line}: provider ${p.source ?? name} is not in the version table`);
              continue;
            }
            checked++;
            if (p.version !== want) failures.push(`${rel}:${b.line}: ${p.source ?? name} "${p.version}", the table says "${want}"`);
          }
        }
      }
    }
    // prose such as "aws provider `~> 5.80`" and CI snippets that install a Terraform release
    for (const m of text.matchAll(/\b(aws|google|azurerm|random)\b[^\n`]{0,30}`?(~>\s*[0-9][0-9.]*)`?/g)) {
      checked++;
      const want = byName.get(m[1]!)!;
      if (m[2]!.replace(/\s+/g, " ") !== want) failures.push(`${rel}:${lineOf(text, m.index!)}: ${m[1]} ${m[2]}, the table says ${want}`);
    }
    for (const m of text.matchAll(/(?:terraform_version:\s*["']?|hashicorp\/terraform:)([0-9]+\.[0-9]+\.[0-9]+)/g)) {
      checked++;
      if (m[1] !== VERSION_TABLE.terraform) failures.push(`${rel}:${lineOf(text, m.index!)}: Terraform ${m[1]}, the table says ${VERSION_TABLE.terraform}`);
    }
  }
  assert.ok(checked > 0, "expected Terraform versions in the knowledge");
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("every image the engine's table knows is written with one of the table's tags", () => {
  const tags = new Map<string, Set<string>>();
  for (const { image, tag } of Object.values(CONTAINER_IMAGES)) tags.set(image, new Set([...(tags.get(image) ?? []), tag]));
  const names = [...tags.keys()].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  const re = new RegExp(`(?<![\\w./-])(${names.join("|")}):([A-Za-z0-9][A-Za-z0-9._-]*)`, "g");
  const failures: string[] = [];
  let checked = 0;
  for (const rel of FILES) {
    const text = readRepoFile(rel);
    for (const m of text.matchAll(re)) {
      checked++;
      const allowed = tags.get(m[1]!)!;
      if (!allowed.has(m[2]!)) failures.push(`${rel}:${lineOf(text, m.index!)}: ${m[1]}:${m[2]}, the engine's table has ${[...allowed].map((t) => `${m[1]}:${t}`).join(" or ")}`);
    }
  }
  assert.ok(checked >= 3, `expected images from the table in the knowledge, found ${checked}`);
  assert.deepEqual(failures, [], failures.join("\n"));
});

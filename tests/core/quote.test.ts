import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseHcl } from "@cdktf/hcl2json";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { groovyString, hclString, shellWord, yamlString } from "../../mcp-server/src/engine/templating/quote.ts";
import { templateEngine } from "../../mcp-server/src/engine/templating/render.ts";
import { tempDir } from "../helpers.ts";

// Hostile strings: YAML/HCL/shell/Groovy syntax, interpolation openers, control characters and any unicode.
const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.constantFrom("'", '"', "\\", "\n", "\r", "\t", ":", "#", "- ", "{", "}", "[", "]", "&", "*", "!", "|", ">", "%", "@", "`",
    "${", "%{", "$(", "${{", "}}", "$", ";", "&&", "\u2028", "\u0085", "\u0000", "\u007f", "~", "null", "true", "0x1", "=", "<<EOF", "\"\"\""), { maxLength: 12 })
    .map((parts) => parts.join("")),
);

describe("quoting helpers keep any value a single scalar", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "_partials"));
  writeFileSync(join(dir, "doc.yml.hbs"), "first: {{yaml value}}\nlist:\n  - {{yaml value}}\n  - nested:\n      deeper: {{yaml value}}\n      flow: {{yamlFlow (array value)}}\nlast: fixed\n");
  const engine = templateEngine(dir);

  it("yaml: rendered into a template, parses back to exactly the value and the structure is unchanged", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const text = engine.renderYaml("doc.yml", { value });
        assert.deepEqual(parseYaml(text), { first: value, list: [value, { nested: { deeper: value, flow: [value] } }], last: "fixed" });
      }),
      { numRuns: 1500 },
    );
    assert.equal(yamlString("a: b"), '"a: b"');
  });

  it("hcl: a string literal parses as one attribute, interpolation openers stay literal", async () => {
    const noNul = hostile.filter((s) => !s.includes("\u0000"));
    await fc.assert(
      fc.asyncProperty(noNul, async (value) => {
        const text = `locals {\n  value = ${hclString(value)}\n  after = "fixed"\n}\n`;
        const json = (await parseHcl("main.tf", text)) as { locals: [{ value: string; after: string }] };
        assert.deepEqual(Object.keys(json), ["locals"]);
        const locals = json.locals[0];
        // hcl2json returns Terraform's JSON syntax, which keeps template escapes ($${ and %%{) as written;
        // HCL normalises every string literal to Unicode NFC (HCL native syntax spec, "String Literals").
        assert.equal(locals.value, value.normalize("NFC").replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{"));
        assert.equal(locals.after, "fixed");
      }),
      { numRuns: 400 },
    );
  });

  it("sh: the shell sees exactly one word equal to the value", () => {
    const noNul = hostile.filter((s) => !s.includes("\u0000"));
    fc.assert(
      fc.property(noNul, (value) => {
        const out = execFileSync("sh", ["-c", `printf '%s|' ${shellWord(value)}`], { encoding: "buffer" });
        assert.equal(out.toString("utf8"), `${value}|`);
      }),
      { numRuns: 300 },
    );
    assert.throws(() => shellWord("a\u0000b"));
  });

  it("groovy: the literal is single-quoted (never interpolated) and decodes to the value", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const literal = groovyString(value);
        assert.ok(literal.startsWith("'") && literal.endsWith("'"));
        const body = literal.slice(1, -1);
        // No raw quote, newline or lone backslash may end the literal early.
        assert.doesNotMatch(body.replace(/\\\\/g, "").replace(/\\'/g, ""), /['\n\r]/);
        assert.equal(decodeGroovySingleQuoted(body), value);
      }),
      { numRuns: 1500 },
    );
  });
});

/** Groovy's escape rules for single-quoted strings (Groovy language spec, "Escaping special characters"). */
function decodeGroovySingleQuoted(body: string): string {
  const simple: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", s: " ", t: "\t", "\\": "\\", "'": "'", '"': '"', $: "$" };
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = body[i + 1]!;
    if (next === "u") {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      const decoded = simple[next];
      if (decoded === undefined) throw new Error(`invalid Groovy escape \\${next}`);
      out += decoded;
      i += 1;
    }
  }
  return out;
}

describe("yamlBlock keeps multi-line scripts readable and exact", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "_partials"));
  writeFileSync(join(dir, "steps.yml.hbs"), "steps:\n  - name: x\n    run: {{yamlBlock script 6}}\n    env:\n      A: b\n");
  const engine = templateEngine(dir);
  const lines = fc.array(fc.oneof(hostile.map((s) => s.replace(/\n/g, "")), fc.constantFrom("", "  indented", "# not a comment", "key: value", "- item")), { minLength: 1, maxLength: 6 });

  it("parses back to exactly the script, the structure around it unchanged", () => {
    fc.assert(
      fc.property(lines, fc.nat(3), (parts, trailing) => {
        const script = parts.join("\n") + "\n".repeat(trailing);
        const text = engine.renderYaml("steps.yml", { script });
        assert.deepEqual(parseYaml(text), { steps: [{ name: "x", run: script, env: { A: "b" } }] });
      }),
      { numRuns: 1500 },
    );
  });

  it("uses a literal block for ordinary multi-line scripts", () => {
    assert.equal(engine.render("steps.yml", { script: "npm ci\nnpm test\n" }), "steps:\n  - name: x\n    run: |\n      npm ci\n      npm test\n    env:\n      A: b\n");
  });
});

import { VERSION } from "../../version.ts";
import { type Finding, RULES } from "./model.ts";

const LEVEL = { error: "error", warning: "warning", note: "note" } as const;

/** A SARIF 2.1.0 log of the findings, for GitHub code scanning and other SARIF consumers. */
export function toSarif(findings: Finding[]): string {
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  const rules = ruleIds.map((id) => {
    const rule = RULES.get(id)!;
    return {
      id,
      name: rule.name,
      shortDescription: { text: rule.name.replace(/-/g, " ") },
      fullDescription: { text: rule.why },
      help: { text: rule.fix, markdown: rule.fix },
      defaultConfiguration: { level: LEVEL[rule.severity] },
      properties: { tags: ["security", rule.scope] },
    };
  });
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: { driver: { name: "senior-devops", semanticVersion: VERSION, informationUri: "https://github.com/senior-devops/senior-devops", rules } },
      results: findings.map((f) => ({
        ruleId: f.rule,
        ruleIndex: ruleIds.indexOf(f.rule),
        level: LEVEL[f.severity],
        message: { text: `${f.message}. ${f.fix}` },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: encodeURI(f.file), uriBaseId: "%SRCROOT%" },
            region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) },
          },
        }],
        partialFingerprints: { "senior-devops/v1": `${f.rule}:${f.file}:${f.message}` },
      })),
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

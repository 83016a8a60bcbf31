import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "@cdktf/hcl2json";
import { z } from "zod";
import { terraformCapability, terraformInputShape } from "../../mcp-server/src/engine/terraform/index.ts";
import { silent, tempDir } from "../helpers.ts";

async function environmentMain(modules: string[]): Promise<{ text: string; json: Record<string, any> }> {
  const root = tempDir("sd-tf-acr-");
  const input = z.object(terraformInputShape).parse({ path: root, provider: "azure", environments: ["staging"], modules, ci: "none" });
  const result = await terraformCapability.run(input, { progress: silent });
  assert.equal(result.status, "ok", JSON.stringify(result.validations.filter((v) => !v.ok)));
  const text = readFileSync(join(root, "infrastructure/environments/staging/main.tf"), "utf8");
  return { text, json: (await parse("main.tf", text)) as Record<string, any> };
}

describe("azure: the AKS kubelet may pull from the registry it was generated with", () => {
  it("cluster + registry: an AcrPull role assignment from the kubelet identity, scoped to the registry", async () => {
    const { json } = await environmentMain(["cluster", "registry"]);
    const assignment = json.resource?.azurerm_role_assignment?.cluster_acr_pull?.[0];
    assert.ok(assignment, "azurerm_role_assignment.cluster_acr_pull");
    assert.equal(assignment.role_definition_name, "AcrPull");
    assert.equal(assignment.scope, "${module.registry.registry_id}");
    assert.equal(assignment.principal_id, "${module.cluster.kubelet_identity_object_id}");
  });

  it("either module alone: no role assignment (nothing to grant, and no new required input)", async () => {
    for (const modules of [["cluster"], ["registry"]]) {
      const { text } = await environmentMain(modules);
      assert.doesNotMatch(text, /azurerm_role_assignment/, modules.join(","));
    }
  });
});

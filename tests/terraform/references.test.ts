import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GeneratedFile } from "../../mcp-server/src/engine/core/types.ts";
import { validateFiles } from "../../mcp-server/src/engine/validate/index.ts";
import "../../mcp-server/src/engine/validate/terraform-register.ts";
import { checkTerraformReferences, expressionCode, traversals } from "../../mcp-server/src/engine/validate/terraform-references.ts";

const MOD = "infra/modules/net";
const ENV = "infra/envs/dev";
const tf = (dir: string, name: string, content: string): GeneratedFile => ({ path: `${dir}/${name}`, content, kind: name.endsWith(".tfvars") ? "tfvars" : "terraform", group: dir });

const moduleFiles = (): GeneratedFile[] => [
  tf(MOD, "variables.tf", `
variable "name" {
  type = string
}

variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "zones" {
  type    = list(string)
  default = null
}
`),
  tf(MOD, "main.tf", `
data "aws_availability_zones" "all" {
  state = "available"
}

locals {
  azs = coalesce(var.zones, data.aws_availability_zones.all.names)
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
  tags = {
    Name = "\${var.name}-vpc"
    Note = "aws_fake.thing is only text"
  }
}

resource "aws_subnet" "private" {
  count             = length(local.azs)
  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.cidr, 4, count.index)

  dynamic "timeouts" {
    for_each = var.zones == null ? [] : [1]
    content {
      create = "\${timeouts.value}m"
    }
  }
}
`),
  tf(MOD, "outputs.tf", `
output "vpc_id" {
  value = aws_vpc.this.id
}

output "subnet_ids" {
  value = [for s in aws_subnet.private : s.id]
}
`),
];

const envFiles = (main: string, tfvars = 'region = "eu-west-1"\n'): GeneratedFile[] => [
  tf(ENV, "variables.tf", `
variable "region" {
  type = string
}
`),
  tf(ENV, "main.tf", main),
  tf(ENV, "terraform.tfvars", tfvars),
];

const GOOD_MAIN = `
provider "aws" {
  region = var.region
}

locals {
  name = "dev"
}

module "net" {
  source = "../../modules/net"

  name = local.name
}

output "vpc" {
  value = module.net.vpc_id
}

output "first_subnet" {
  value = module.net.subnet_ids[0]
}
`;

async function problems(files: GeneratedFile[]): Promise<string[]> {
  const results = await checkTerraformReferences(files);
  assert.equal(results.length, files.length, "one validation per file");
  return results.flatMap((r) => r.messages);
}

describe("terraform reference checker", () => {
  it("accepts a module and a root module whose references all resolve", async () => {
    assert.deepEqual(await problems([...moduleFiles(), ...envFiles(GOOD_MAIN)]), []);
  });

  it("finds traversals only in code, not in string literals, and looks inside index brackets", () => {
    const code = expressionCode('${lookup(var.m, "aws_x.y")}-${local.a[var.i]}');
    assert.deepEqual(code.flatMap((c) => traversals(c)).map((r) => `${r.root}.${r.parts.join(".")}`).sort(), ["local.a", "var.i", "var.m"]);
    assert.deepEqual(expressionCode("plain text with aws_vpc.this.id"), []);
    assert.deepEqual(expressionCode("$${var.escaped}"), []);
  });

  it("reports an undeclared variable, local, resource and data source", async () => {
    const files = moduleFiles();
    files[1] = tf(MOD, "main.tf", `
resource "aws_vpc" "this" {
  cidr_block = var.nope
  tags = {
    A = local.missing
    B = aws_internet_gateway.gw.id
    C = data.aws_region.current.name
  }
}
`);
    const messages = await problems([...files, ...envFiles(GOOD_MAIN)]);
    assert.ok(messages.some((m) => m.startsWith("var.nope is not a declared variable")), messages.join("\n"));
    assert.ok(messages.some((m) => m.startsWith("local.missing is not a declared local")));
    assert.ok(messages.some((m) => m.startsWith("aws_internet_gateway.gw is not a declared resource")));
    assert.ok(messages.some((m) => m.startsWith("data.aws_region.current is not a declared data source")));
    // The outputs still refer to aws_subnet.private, which this main.tf no longer declares.
    assert.ok(messages.some((m) => m.startsWith("aws_subnet.private is not a declared resource")));
  });

  it("reports a variable used only inside an index expression", async () => {
    const files = moduleFiles();
    files[2] = tf(MOD, "outputs.tf", `
output "vpc_id" {
  value = aws_vpc.this.id
}

output "subnet_ids" {
  value = aws_subnet.private[var.which].id
}
`);
    const messages = await problems([...files, ...envFiles(GOOD_MAIN)]);
    assert.deepEqual(messages, ["var.which is not a declared variable in infra/modules/net"]);
  });

  it("reports a missing required module argument and an unknown one", async () => {
    const main = GOOD_MAIN.replace("  name = local.name\n", "  cidr_blocks = \"10.1.0.0/16\"\n");
    const messages = await problems([...moduleFiles(), ...envFiles(main)]);
    assert.ok(messages.includes('module "net": argument "cidr_blocks" is not a variable of infra/modules/net'), messages.join("\n"));
    assert.ok(messages.includes('module "net": required variable "name" of infra/modules/net is not set'), messages.join("\n"));
    assert.equal(messages.length, 2);
  });

  it("reports module outputs that do not exist and module calls that are not declared", async () => {
    const main = `${GOOD_MAIN}
output "bad" {
  value = module.net.nat_ids
}

output "worse" {
  value = module.other.id
}
`;
    const messages = await problems([...moduleFiles(), ...envFiles(main)]);
    assert.deepEqual(messages.sort(), [
      'module.net.nat_ids: infra/modules/net has no output "nat_ids"',
      "module.other is not a declared module call in infra/envs/dev",
    ]);
  });

  it("reports a local module source that is not among the files", async () => {
    const main = GOOD_MAIN.replace('"../../modules/net"', '"../../modules/network"');
    const messages = await problems([...moduleFiles(), ...envFiles(main)]);
    assert.ok(messages.some((m) => m.includes("resolves to infra/modules/network, which has no Terraform files")), messages.join("\n"));
  });

  it("reports tfvars keys that are not declared variables", async () => {
    const messages = await problems([...moduleFiles(), ...envFiles(GOOD_MAIN, 'region = "eu-west-1"\nzone = "a"\n')]);
    assert.deepEqual(messages, ['zone is set but no variable "zone" is declared in infra/envs/dev']);
  });

  it("reports files that do not parse instead of passing them", async () => {
    const messages = await problems([...moduleFiles(), ...envFiles(GOOD_MAIN), tf(ENV, "broken.tf", "resource \"x\" {\n")]);
    assert.ok(messages.some((m) => m.startsWith("cannot check references")), messages.join("\n"));
  });

  it("runs inside validateFiles for every terraform group, seeing module outputs from other groups", async () => {
    const main = `${GOOD_MAIN}
output "bad" {
  value = module.net.nope
}
`;
    const results = (await validateFiles([...moduleFiles(), ...envFiles(main)])).filter((r) => r.validator === "terraform-references");
    assert.equal(results.length, 6, "one per terraform/tfvars file");
    const failed = results.filter((r) => !r.ok);
    assert.deepEqual(failed.map((r) => r.path), [`${ENV}/main.tf`]);
    assert.deepEqual(failed[0]!.messages, ['module.net.nope: infra/modules/net has no output "nope"']);
  });
});

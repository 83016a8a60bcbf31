import { analyzeCapability } from "./analyze/capability.ts";
import { auditCapability } from "./audit/index.ts";
import type { Capability } from "./core/capability.ts";
import { deployCapability } from "./deploy/index.ts";
import { pipelineCapability } from "./pipeline/index.ts";
import { terraformCapability } from "./terraform/index.ts";

/** Every engine capability, in the order tools and subcommands are listed. */
export const CAPABILITIES = [analyzeCapability, pipelineCapability, terraformCapability, deployCapability, auditCapability] as unknown as Capability[];

export { InputError, toolResultSchema, type ToolResult } from "./core/types.ts";

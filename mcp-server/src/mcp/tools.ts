import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { describeFileSystemError, describeZodError } from "../engine/core/errors.ts";
import { summarise } from "../engine/core/summary.ts";
import { InputError, type RunContext, toolResultSchema } from "../engine/core/types.ts";
import { CAPABILITIES } from "../engine/index.ts";

type JsonObjectSchema = Tool["inputSchema"];

const asJsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest as JsonObjectSchema;
};

const outputSchema = asJsonSchema(toolResultSchema, "output");

/** The MCP view of every capability: name, title, description, JSON schemas, annotations. */
export function listTools(): Tool[] {
  return CAPABILITIES.map((capability) => ({
    name: capability.tool,
    title: capability.title,
    description: capability.description,
    inputSchema: asJsonSchema(z.object(capability.inputShape), "input"),
    outputSchema,
    annotations: capability.annotations,
  }));
}

/** Runs a capability for a tools/call: bad input and InputError become isError results; nothing is written. */
export async function callTool(name: string, args: Record<string, unknown>, context: RunContext): Promise<CallToolResult> {
  const capability = CAPABILITIES.find((c) => c.tool === name);
  if (!capability) {
    return { isError: true, content: [{ type: "text", text: `unknown tool ${name}; tools: ${CAPABILITIES.map((c) => c.tool).join(", ")}` }] };
  }
  const parsed = z.object(capability.inputShape).strict().safeParse(args);
  if (!parsed.success) {
    return { isError: true, content: [{ type: "text", text: `invalid input for ${name}; nothing was written.\n${describeZodError(parsed.error)}` }] };
  }
  try {
    const result = await capability.run(parsed.data, context);
    return {
      content: [{ type: "text", text: summarise(result) }],
      structuredContent: result as unknown as Record<string, unknown>,
      isError: false,
    };
  } catch (error) {
    if (error instanceof InputError) {
      return { isError: true, content: [{ type: "text", text: `${error.message}\nNothing was written.` }] };
    }
    const failure = describeFileSystemError(error);
    if (failure) return { isError: true, content: [{ type: "text", text: `${failure.message}${failure.nothingWritten ? "\nNothing was written." : ""}` }] };
    return { isError: true, content: [{ type: "text", text: `internal error in ${name}: ${(error as Error).stack ?? String(error)}` }] };
  }
}

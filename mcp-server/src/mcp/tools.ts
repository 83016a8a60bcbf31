import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { runCapability } from "../engine/core/capability.ts";
import { describeFileSystemError, describeZodError } from "../engine/core/errors.ts";
import { summarise } from "../engine/core/summary.ts";
import { InputError, type RunContext, toolResultSchema } from "../engine/core/types.ts";
import { CAPABILITIES } from "../engine/index.ts";

type JsonObjectSchema = Tool["inputSchema"];

type Node = Record<string, unknown>;
const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
/** Length limits stay in the zod schema the server checks every call against; a caller never gets near them. */
const LENGTH_LIMITS = new Set(["minLength", "maxLength", "minItems", "maxItems"]);

/**
 * tools/list is read into the model's context in every session, so schemas carry what a caller needs and no
 * more: zod's safe-integer bounds, `propertyNames` and the `additionalProperties: false` of nested objects go;
 * below `depth` levels an output object or array is described by its type only (the engine's zod schema,
 * not this outline, is what the results are checked against in tests).
 */
function lean(node: Node, depth: number, keepClosed: boolean, via: "root" | "property" | "items" = "root"): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" || key === "propertyNames" || LENGTH_LIMITS.has(key)) continue;
    if ((key === "minimum" || key === "maximum") && SAFE_INTEGER_BOUNDS.has(value as number)) continue;
    if (key === "additionalProperties" && value === false && !keepClosed) continue;
    if (key === "type" && Array.isArray(node.enum)) continue; // an enum names its values, and so their type
    if (key === "default" && value === false) continue; // an absent boolean flag is false
    if (key === "properties") {
      if (depth <= 0) continue;
      if (depth === 1 && !keepClosed) continue; // the last outlined level names its required keys only
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Node>).map(([k, v]) => [k, lean(v, depth - 1, false, "property")]));
    } else if (key === "items" && typeof value === "object" && value !== null) {
      if (depth > 1 || (depth === 1 && (value as Node).type === "object")) out.items = lean(value as Node, depth - 1, false, "items");
    } else if (key === "additionalProperties" && typeof value === "object" && value !== null) {
      if (depth > 0 && Object.keys(value).length > 0) out.additionalProperties = lean(value as Node, depth - 1, false);
    } else if (key === "enum" && depth <= 0 && !keepClosed) {
      continue;
    } else if (key === "required" && depth <= 1 && via === "property" && !keepClosed) {
      continue; // an outlined object names its keys only as items of an array (files[], validations[])
    } else if (key === "anyOf" || key === "oneOf") {
      out[key] = (value as Node[]).map((v) => lean(v, depth, false));
    } else {
      out[key] = value;
    }
  }
  return out;
}

const inputSchemaOf = (capability: (typeof CAPABILITIES)[number]) =>
  lean(z.toJSONSchema(z.object(capability.inputShape), { io: "input", unrepresentable: "any" }) as Node, 3, true) as JsonObjectSchema;

/** An outline of the result shape (SPEC §3.1): its top-level fields, and the required keys of files[] and validations[]. */
const resultOutline = lean(z.toJSONSchema(toolResultSchema, { io: "output", unrepresentable: "any" }) as Node, 2, false);
const outputSchemaOf = (tool: string) => {
  const { findings, ...shared } = resultOutline.properties as Record<string, Node>;
  // Only the auditor reports findings.
  const properties = { ...shared, ...(tool === "devops-auditor" ? { findings } : {}), tool: { const: tool } };
  return { ...resultOutline, properties } as unknown as JsonObjectSchema;
};

/** The MCP view of every capability: name, title, description, JSON schemas, annotations. */
export function listTools(): Tool[] {
  return CAPABILITIES.map((capability) => ({
    name: capability.tool,
    title: capability.title,
    description: capability.description,
    inputSchema: inputSchemaOf(capability),
    outputSchema: outputSchemaOf(capability.tool),
    // The tool's title is already on the tool; annotations carry the behaviour hints.
    annotations: { ...capability.annotations, title: undefined },
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
    const { result } = await runCapability(capability, parsed.data, context);
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

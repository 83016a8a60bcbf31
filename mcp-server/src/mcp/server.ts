import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { VERSION } from "../version.ts";
import { GuardedStdioServerTransport } from "./stdio.ts";

// The engine (zod schemas of the tools, Handlebars, validators) is loaded on the first tools/list or
// tools/call, not at start-up: Claude Code spawns this server in every session, and `initialize` must
// be answered fast. See bench/cold-start.mjs.
type Engine = typeof import("./tools.ts");
let engine: Promise<Engine> | undefined;
const loadEngine = () => (engine ??= import("./tools.ts"));

/** Builds the MCP server: one tool per engine capability, nothing else. */
export function createServer(): Server {
  const server = new Server(
    { name: "senior-devops", title: "senior-devops", version: VERSION },
    {
      capabilities: { tools: {} },
      // The SDK only uses this to check elicitation answers, and this server never elicits; the default
      // (an Ajv instance compiling its meta-schemas) would cost start-up time for nothing.
      jsonSchemaValidator: { getValidator: () => () => ({ valid: false, data: undefined, errorMessage: "senior-devops does not use elicitation" }) },
      instructions:
        "Analyse a repository, then generate CI/CD pipelines, Terraform or Kubernetes deployments into it. Every tool validates what it renders, never overwrites a file you changed unless force is set, and supports dryRun to preview. Results are compact (per-file +/- line counts, failed validations, passes counted); diffs: [paths] or [\"*\"] returns full diffs. Writing tools refuse /, home and non-project directories unless allowAnyRoot is set.",
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async (): Promise<{ tools: Tool[] }> => {
    const { listTools } = await loadEngine();
    return { tools: listTools() };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { callTool } = await loadEngine();
    const progressToken = request.params._meta?.progressToken;
    let step = 0;
    const progress = (message: string) => {
      if (progressToken === undefined) return;
      step += 1;
      void extra
        .sendNotification({ method: "notifications/progress", params: { progressToken, progress: step, message } })
        .catch(() => undefined);
    };
    return callTool(request.params.name, request.params.arguments ?? {}, { progress, signal: extra.signal });
  });
  return server;
}

export async function main(): Promise<void> {
  // Our transport answers oversized, unparsable and premature messages instead of ending the session.
  await createServer().connect(new GuardedStdioServerTransport());
}

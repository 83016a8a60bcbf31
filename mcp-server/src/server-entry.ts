import { main } from "./mcp/server.ts";

main().catch((error: unknown) => {
  process.stderr.write(`senior-devops MCP server failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

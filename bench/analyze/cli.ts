// Prints the analysis of a directory as JSON: `node --import tsx bench/analyze/cli.ts <path>`.
import { analyzeRepository } from "../../mcp-server/src/engine/analyze/index.ts";

const target = process.argv[2] ?? ".";
const analysis = await analyzeRepository(target);
process.stdout.write(JSON.stringify(analysis, null, 2) + "\n");

import process from "node:process";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, type JSONRPCMessage, JSONRPCMessageSchema, type RequestId } from "@modelcontextprotocol/sdk/types.js";

/** A message longer than this is answered with an error and skipped; the session goes on. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const NEWLINE = 0x0a;
/** How much of the start and end of an oversized line is kept to find its id. */
const EDGE_BYTES = 4096;
/** Requests a client may send before `initialize` (MCP lifecycle: only pings). */
const BEFORE_INITIALIZE = new Set(["initialize", "ping"]);

/**
 * stdio transport for the server: newline-delimited JSON-RPC like the SDK's, but it answers what it cannot
 * accept instead of closing the session (the SDK's closes on a message over 10 MiB and the process exits 0,
 * and it never answers unparsable JSON):
 * - a line over MAX_MESSAGE_BYTES: -32600, with the request's id when it can be read from the line's start;
 * - unparsable JSON: -32700 (id null); valid JSON that is not JSON-RPC: -32600;
 * - any request but `initialize`/`ping` before `initialize`: -32600 (the MCP lifecycle);
 * - `tools/call` whose `name` is not a string or whose `arguments` is not an object: -32602, one readable line.
 */
export class GuardedStdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private length = 0;
  /** Start and end of the message being skipped (for its id), while the rest of an oversized line streams past. */
  private skipping: { head: Buffer; tail: Buffer } | undefined;
  private initialized = false;
  private closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {}

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.take(chunk.subarray(start, end));
      if (newline === -1) break;
      this.endOfLine();
      start = newline + 1;
    }
  };

  private readonly onError = (error: Error) => this.onerror?.(error);

  // No close on stdin's end: replies still in flight must go out; the process exits once nothing is pending.
  async start(): Promise<void> {
    this.stdin.on("data", this.onData);
    this.stdin.on("error", this.onError);
  }

  private take(part: Buffer): void {
    if (part.length === 0) return;
    if (this.skipping) {
      this.skipping.tail = Buffer.concat([this.skipping.tail, part]).subarray(-EDGE_BYTES);
      return;
    }
    if (this.length + part.length > MAX_MESSAGE_BYTES) {
      const all = Buffer.concat([...this.chunks, part]);
      this.skipping = { head: all.subarray(0, EDGE_BYTES), tail: all.subarray(-EDGE_BYTES) };
      this.chunks = [];
      this.length = 0;
      return;
    }
    this.chunks.push(part);
    this.length += part.length;
  }

  private endOfLine(): void {
    if (this.skipping) {
      const { head, tail } = this.skipping;
      this.skipping = undefined;
      this.reply(idFromEdges(head.toString("utf8"), tail.toString("utf8")), ErrorCode.InvalidRequest, `message over ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB refused; nothing was done`);
      return;
    }
    const line = Buffer.concat(this.chunks, this.length).toString("utf8").replace(/\r$/, "");
    this.chunks = [];
    this.length = 0;
    if (line.trim().length === 0) return;
    this.receive(line);
  }

  private receive(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      this.reply(null, ErrorCode.ParseError, `Parse error: ${(error as Error).message}`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    const id = idOf(json);
    if (!parsed.success) {
      this.reply(id, ErrorCode.InvalidRequest, "Invalid Request: not a JSON-RPC 2.0 request, notification or response");
      return;
    }
    const message = parsed.data;
    if ("method" in message && "id" in message) {
      if (!this.initialized && !BEFORE_INITIALIZE.has(message.method)) {
        this.reply(message.id, ErrorCode.InvalidRequest, `${message.method} before initialize: send initialize first`);
        return;
      }
      if (message.method === "initialize") this.initialized = true;
      if (message.method === "tools/call") {
        const problem = toolsCallProblem(message.params);
        if (problem) {
          this.reply(message.id, ErrorCode.InvalidParams, `Invalid params: ${problem}`);
          return;
        }
      }
    }
    this.onmessage?.(message);
  }

  private reply(id: RequestId | null, code: number, message: string): void {
    void this.write({ jsonrpc: "2.0", id, error: { code, message } });
  }

  private write(message: unknown): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.stdout.once("drain", resolve);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.write(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off("data", this.onData);
    this.stdin.off("error", this.onError);
    this.chunks = [];
    this.onclose?.();
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function toolsCallProblem(params: unknown): string | undefined {
  if (!isPlainObject(params)) return "tools/call needs params { name, arguments }";
  if (typeof params.name !== "string") return "tools/call params.name must be a tool name (string)";
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) {
    return `arguments of ${params.name} must be an object of named inputs, not ${Array.isArray(params.arguments) ? "an array" : params.arguments === null ? "null" : typeof params.arguments}`;
  }
  return undefined;
}

function idOf(json: unknown): RequestId | null {
  if (!isPlainObject(json)) return null;
  const id = json.id;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null;
}

/**
 * The top-level id of a line too long to parse: the first member of the object (`{"id":…`, after an optional
 * "jsonrpc") or its last (`…,"id":…}`, where the SDK's client writes it). Ids nested in params never match.
 */
function idFromEdges(head: string, tail: string): RequestId | null {
  const value = String.raw`(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")`;
  const match =
    new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${value}`).exec(head) ??
    new RegExp(String.raw`,\s*"id"\s*:\s*${value}\s*\}\s*$`).exec(tail);
  if (!match) return null;
  try {
    return JSON.parse(match[1]!) as RequestId;
  } catch {
    return null;
  }
}

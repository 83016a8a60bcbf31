import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { tempDir } from "../helpers.ts";
import { copyFixture, listFiles, REPO, SERVER_BUNDLE } from "./support.ts";

type Reply = { id?: string | number | null; result?: Record<string, unknown>; error?: { code: number; message: string } };

/** The shipped server over raw stdio: write any bytes, read its newline-delimited replies. */
class RawSession {
  readonly child: ChildProcessWithoutNullStreams;
  private buffered = "";
  private readonly replies: Reply[] = [];
  private waiters: (() => void)[] = [];
  exitCode: number | null | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, [SERVER_BUNDLE], { cwd: REPO, env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (text: string) => {
      this.buffered += text;
      let newline: number;
      while ((newline = this.buffered.indexOf("\n")) !== -1) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        if (line.trim()) this.replies.push(JSON.parse(line) as Reply);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.on("exit", (code) => {
      this.exitCode = code;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  write(text: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.child.stdin.write(text, (error) => (error ? reject(error) : resolve())));
  }

  send(message: Record<string, unknown>): Promise<void> {
    return this.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
  }

  /** The next reply (in order), or a failure when the server exits or stays silent. */
  async next(timeoutMs = 30_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.exitCode !== undefined) throw new Error(`server exited with ${this.exitCode} instead of replying`);
      if (Date.now() > deadline) throw new Error("no reply");
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return this.replies.shift()!;
  }

  async initialize(): Promise<void> {
    await this.send({ id: "init", method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    const reply = await this.next();
    assert.equal(reply.id, "init");
    assert.ok(reply.result, JSON.stringify(reply));
    await this.send({ method: "notifications/initialized" });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

describe("the MCP server holds up to bad input (shipped bundle over stdio)", () => {
  const sessions: RawSession[] = [];
  const open = (env?: NodeJS.ProcessEnv) => {
    const session = new RawSession(env);
    sessions.push(session);
    return session;
  };
  after(() => {
    for (const session of sessions) session.close();
  });

  it("a request over 10 MiB gets an error reply with its id, and the server keeps serving", async () => {
    const session = open();
    await session.initialize();
    // As the SDK's client writes it: id last, after an 11 MiB argument, sent in pieces.
    const huge = JSON.stringify({ jsonrpc: "2.0", method: "tools/call", params: { name: "analyze-project", arguments: { path: "x".repeat(11 * 1024 * 1024) } }, id: 7 });
    for (let i = 0; i < huge.length; i += 1024 * 1024) await session.write(huge.slice(i, i + 1024 * 1024));
    await session.write("\n");
    const refused = await session.next();
    assert.equal(refused.id, 7);
    assert.equal(refused.error?.code, -32600);
    assert.match(refused.error!.message, /over 10 MiB/);
    await session.send({ id: 8, method: "tools/list" });
    const listed = await session.next();
    assert.equal(listed.id, 8);
    assert.ok(Array.isArray(listed.result?.tools), JSON.stringify(listed).slice(0, 300));
    assert.equal(session.exitCode, undefined, "still running");
  });

  it("unparsable JSON gets a -32700 reply; a JSON value that is not JSON-RPC gets -32600; the session goes on", async () => {
    const session = open();
    await session.initialize();
    await session.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"\n');
    const parse = await session.next();
    assert.equal(parse.error?.code, -32700);
    assert.equal(parse.id, null);
    await session.write('{"id":2,"hello":"world"}\n');
    const invalid = await session.next();
    assert.equal(invalid.error?.code, -32600);
    assert.equal(invalid.id, 2);
    await session.send({ id: 3, method: "ping" });
    assert.deepEqual(await session.next(), { jsonrpc: "2.0", id: 3, result: {} });
  });

  it("tools/call and tools/list before initialize are refused; after initialize they work", async () => {
    const session = open();
    await session.send({ id: 1, method: "tools/call", params: { name: "analyze-project", arguments: { path: REPO } } });
    const early = await session.next();
    assert.equal(early.id, 1);
    assert.equal(early.error?.code, -32600);
    assert.match(early.error!.message, /initialize first/);
    await session.send({ id: 2, method: "tools/list" });
    assert.equal((await session.next()).error?.code, -32600);
    await session.initialize();
    await session.send({ id: 3, method: "tools/list" });
    assert.ok((await session.next()).result?.tools);
  });

  it("when stdin closes right after requests, every reply still goes out, then the server exits 0", async () => {
    const session = open();
    await session.send({ id: "init", method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    await session.send({ method: "notifications/initialized" });
    await session.send({ id: 2, method: "tools/list" });
    session.child.stdin.end();
    assert.equal((await session.next()).id, "init");
    const listed = await session.next();
    assert.equal(listed.id, 2);
    assert.ok(Array.isArray(listed.result?.tools));
    const code = await new Promise((resolve) => (session.exitCode !== undefined ? resolve(session.exitCode) : session.child.once("exit", resolve)));
    assert.equal(code, 0);
  });

  it("non-object arguments get a one-line invalid-params error, no zod dump", async () => {
    const session = open();
    await session.initialize();
    const cases: [unknown, RegExp][] = [[[1, 2], /not an array/], ["path=.", /not string/], [null, /not null/], [42, /not number/]];
    let id = 10;
    for (const [args, expected] of cases) {
      await session.send({ id: ++id, method: "tools/call", params: { name: "pipeline-generator", arguments: args } });
      const reply = await session.next();
      assert.equal(reply.id, id);
      assert.equal(reply.error?.code, -32602, JSON.stringify(reply));
      assert.match(reply.error!.message, expected);
      assert.doesNotMatch(reply.error!.message, /ZodError|"code":|\n|expected/, reply.error!.message);
    }
    await session.send({ id: 99, method: "tools/call", params: { name: 5 } });
    assert.match((await session.next()).error!.message, /params\.name must be a tool name/);
  });
});

describe("writing tools refuse roots that are not a project unless the user insists (SDK client)", () => {
  const home = tempDir("sd-fake-home-");
  writeFileSync(join(home, ".bashrc"), "export EDITOR=vi\n");
  mkdirSync(join(home, "Downloads"));
  const notes = tempDir("sd-notes-");
  writeFileSync(join(notes, "todo.txt"), "buy milk\n");
  let client: Client;

  after(async () => {
    await client?.close();
  });

  it("refuses /, the home directory and a directory with no project; allowAnyRoot lets the user insist", async () => {
    client = new Client({ name: "root-guard", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER_BUNDLE], cwd: REPO, stderr: "pipe", env: { ...process.env, HOME: home } as Record<string, string> }));
    const call = (tool: string, args: Record<string, unknown>) => client.callTool({ name: tool, arguments: args });
    const text = (result: Awaited<ReturnType<typeof call>>) => (result.content as { text: string }[])[0]!.text;

    for (const tool of ["pipeline-generator", "terraform-scaffolder", "deployment-manager"]) {
      const extra = tool === "terraform-scaffolder" ? { provider: "aws" } : tool === "deployment-manager" ? { image: "ghcr.io/acme/web:1.0.0", app: "web", port: 8080 } : {};
      const slash = await call(tool, { path: "/", dryRun: true, ...extra });
      assert.equal(slash.isError, true, tool);
      assert.match(text(slash), /root of the file system.*allowAnyRoot/s, tool);
      const atHome = await call(tool, { path: home, dryRun: true, ...extra });
      assert.equal(atHome.isError, true, tool);
      assert.match(text(atHome), /home directory/, tool);
      const before = listFiles(notes);
      const noProject = await call(tool, { path: notes, ...extra });
      assert.equal(noProject.isError, true, tool);
      assert.match(text(noProject), /does not look like a project root/, tool);
      assert.deepEqual(listFiles(notes), before, "nothing written");
    }
    const insisted = await call("terraform-scaffolder", { path: notes, dryRun: true, allowAnyRoot: true, provider: "aws" });
    assert.equal(insisted.isError, false, text(insisted));
    // A real project and a new, empty directory are fine; read-only analysis is never limited.
    assert.equal((await call("pipeline-generator", { path: copyFixture("node-npm"), dryRun: true })).isError, false);
    assert.equal((await call("terraform-scaffolder", { path: tempDir("sd-new-infra-"), provider: "gcp", dryRun: true })).isError, false);
    assert.equal((await call("analyze-project", { path: notes })).isError, false);
  });
});

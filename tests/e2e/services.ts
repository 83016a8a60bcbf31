// Real service containers' stand-ins: PostgreSQL, MariaDB and Redis from Debian's packages, and FerretDB (the MongoDB
// wire protocol over SQLite, .ci/tools/e2e/ferretdb.sh) for mongo, started on loopback for one job with the
// credentials the job's service definition declares, and stopped after it.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { createConnection } from "node:net";
import { join } from "node:path";
import { TOOLS } from "./toolchains.ts";

export interface ServiceSpec {
  /** Image the job names (postgres:16, mysql:8.4, mariadb:11, redis:7, …). */
  image: string;
  env: Record<string, string>;
}
export interface Running {
  kind: "postgres" | "mysql" | "redis" | "mongodb";
  stop(): Promise<void>;
  note: string;
}

export const serviceKind = (image: string): Running["kind"] | undefined => {
  const name = image.split(":")[0]!.split("/").pop()!;
  if (/^(postgres|postgis)$/.test(name)) return "postgres";
  if (/^(mysql|mariadb)$/.test(name)) return "mysql";
  if (/^(redis|valkey)$/.test(name)) return "redis";
  if (/^(mongo|mongodb)$/.test(name)) return "mongodb";
  return undefined;
};

async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (check()) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not start within ${ms / 1000}s`);
}

const sh = (cmd: string, args: string[], opts: { user?: string; input?: string } = {}) =>
  execFileSync(opts.user ? "runuser" : cmd, opts.user ? ["-u", opts.user, "--", cmd, ...args] : args, { stdio: ["pipe", "pipe", "pipe"], input: opts.input, encoding: "utf8" });

function detach(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
}

async function postgres(spec: ServiceSpec, work: string): Promise<Running> {
  const bin = join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1)!, "bin");
  // The server runs as the postgres user, who cannot enter the harness's private (0700) work directories.
  const home = mkdtempSync(join(tmpdir(), "sd-e2e-pg-"));
  const data = join(home, "pgdata");
  mkdirSync(data);
  chownSync(home, uidOf("postgres"), gidOf("postgres"));
  chownSync(data, uidOf("postgres"), gidOf("postgres"));
  work = home;
  sh(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres"], { user: "postgres" });
  const child = spawn("runuser", ["-u", "postgres", "--", join(bin, "postgres"), "-D", data, "-k", work, "-h", "127.0.0.1", "-p", "5432"], { stdio: "ignore" });
  await waitFor(() => (sh("pg_isready", ["-h", "127.0.0.1", "-p", "5432"]), true), "postgres");
  const user = spec.env.POSTGRES_USER ?? "postgres";
  const password = spec.env.POSTGRES_PASSWORD ?? "";
  const db = spec.env.POSTGRES_DB ?? user;
  const psql = (sql: string) => sh("psql", ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql]);
  if (user !== "postgres") psql(`CREATE ROLE "${user}" LOGIN SUPERUSER`);
  if (password) psql(`ALTER ROLE "${user}" PASSWORD '${password.replace(/'/g, "''")}'`);
  if (db !== "postgres") psql(`CREATE DATABASE "${db}" OWNER "${user}"`);
  return { kind: "postgres", stop: detach(child), note: `${spec.image} -> Debian PostgreSQL on 127.0.0.1:5432` };
}

async function mysql(spec: ServiceSpec, work: string): Promise<Running> {
  const data = join(work, "mysqldata");
  mkdirSync(data, { recursive: true });
  sh("mariadb-install-db", ["--datadir=" + data, "--user=root", "--auth-root-authentication-method=normal"]);
  const socket = join(work, "mysql.sock");
  const child = spawn("mariadbd", ["--no-defaults", "--datadir=" + data, "--socket=" + socket, "--port=3306", "--bind-address=127.0.0.1", "--user=root", "--skip-log-bin"], { stdio: "ignore" });
  await waitFor(() => (sh("mariadb-admin", ["--socket=" + socket, "-uroot", "ping"]), true), "mariadb");
  const sql = (s: string) => sh("mariadb", ["--socket=" + socket, "-uroot"], { input: s });
  const q = (s: string) => s.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  const rootPw = spec.env.MYSQL_ROOT_PASSWORD ?? spec.env.MARIADB_ROOT_PASSWORD ?? "";
  const db = spec.env.MYSQL_DATABASE ?? spec.env.MARIADB_DATABASE;
  const user = spec.env.MYSQL_USER ?? spec.env.MARIADB_USER;
  const pw = spec.env.MYSQL_PASSWORD ?? spec.env.MARIADB_PASSWORD ?? "";
  let script = `CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '${q(rootPw)}'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;`;
  script += `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '${q(rootPw)}'; GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;`;
  if (db) script += `CREATE DATABASE IF NOT EXISTS \`${db}\`;`;
  if (user) script += `CREATE USER '${q(user)}'@'%' IDENTIFIED BY '${q(pw)}'; GRANT ALL ON *.* TO '${q(user)}'@'%';`;
  sql(script);
  return { kind: "mysql", stop: detach(child), note: `${spec.image} -> Debian MariaDB on 127.0.0.1:3306` };
}

const FERRETDB = join(TOOLS, "ferretdb", "bin", "ferretdb");

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

async function mongodb(spec: ServiceSpec, work: string): Promise<Running> {
  if (!existsSync(FERRETDB)) throw new Error(`${spec.image} needs FerretDB: run bash .ci/install-tools e2e (ferretdb.sh)`);
  const data = join(work, "ferretdb");
  mkdirSync(data, { recursive: true });
  const child = spawn(FERRETDB, ["--handler=sqlite", `--sqlite-url=file:${data}/`, `--state-dir=${data}`, "--listen-addr=127.0.0.1:27017", "--telemetry=disable", "--debug-addr=-", "--log-level=warn"], { stdio: "ignore" });
  const end = Date.now() + 30_000;
  while (!(await accepts(27017))) {
    if (Date.now() > end || child.exitCode !== null) throw new Error("FerretDB did not start within 30s");
    await new Promise((r) => setTimeout(r, 300));
  }
  return { kind: "mongodb", stop: detach(child), note: `${spec.image} -> FerretDB (MongoDB wire protocol over SQLite) on 127.0.0.1:27017, not MongoDB itself` };
}

async function redis(spec: ServiceSpec): Promise<Running> {
  const child = spawn("redis-server", ["--port", "6379", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  await waitFor(() => sh("redis-cli", ["-h", "127.0.0.1", "ping"]).includes("PONG"), "redis");
  return { kind: "redis", stop: detach(child), note: `${spec.image} -> Debian Redis on 127.0.0.1:6379` };
}

const uidOf = (user: string) => Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
const gidOf = (user: string) => Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());

/** Starts every service; unknown images are returned as a reason instead. */
export async function startServices(specs: ServiceSpec[], work: string): Promise<{ running: Running[]; unknown: string[] }> {
  const running: Running[] = [];
  const unknown: string[] = [];
  for (const spec of specs) {
    const kind = serviceKind(spec.image);
    const dir = join(work, `svc-${running.length}`);
    mkdirSync(dir, { recursive: true });
    try {
      if (kind === "postgres") running.push(await postgres(spec, dir));
      else if (kind === "mysql") running.push(await mysql(spec, dir));
      else if (kind === "redis") running.push(await redis(spec));
      else if (kind === "mongodb") running.push(await mongodb(spec, dir));
      else unknown.push(spec.image);
    } catch (e) {
      for (const r of running) await r.stop();
      throw e;
    }
  }
  return { running, unknown };
}

export const servicesAvailable = () => existsSync("/usr/lib/postgresql") && existsSync("/usr/sbin/mariadbd") && existsSync("/usr/bin/redis-server");

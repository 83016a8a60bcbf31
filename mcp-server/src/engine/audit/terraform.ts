import { loadHclParser } from "../validate/wasm.ts";
import { type AuditedFile, type Finding, finding } from "./model.ts";

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : v && typeof v === "object" ? [v as Obj] : []);
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(strings) : typeof v === "string" ? [v] : []);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One parsed .tf file with a way to find where a block or an attribute in it starts. */
class TfFile {
  constructor(readonly file: AuditedFile, readonly body: Obj) {}
  private pos(offset: number) {
    const before = this.file.content.slice(0, offset);
    return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
  }
  /** [start, end) of the first block whose header matches the labels, e.g. ["resource", "aws_s3_bucket", "logs"]. */
  block(labels: string[]): [number, number] | undefined {
    const [type, ...rest] = labels;
    const re = new RegExp(`^[ \\t]*${escape(type!)}${rest.map((l) => `\\s+"?${escape(l)}"?`).join("")}\\s*\\{`, "m");
    const m = re.exec(this.file.content);
    if (!m) return undefined;
    const close = this.file.content.slice(m.index).search(/\n\}/);
    return [m.index + (m[0].length - m[0].trimStart().length), close < 0 ? this.file.content.length : m.index + close + 2];
  }
  at(labels: string[], attribute?: string, valueHint?: string) {
    const range = this.block(labels);
    if (!range) return { line: 1, column: 1 };
    if (attribute) {
      const inner = this.file.content.slice(range[0], range[1]);
      const re = new RegExp(`^[ \\t]*${escape(attribute)}\\s*=[^\\n]*${valueHint ? escape(valueHint) : ""}`, "m");
      const m = re.exec(inner);
      if (m) return this.pos(range[0] + m.index + (m[0].length - m[0].trimStart().length));
    }
    return this.pos(range[0]);
  }
}

const PUBLIC_ACL = /^public-read(-write)?$|^authenticated-read$/;
const ANYWHERE = new Set(["0.0.0.0/0", "::/0", "*", "Internet", "Any", "any"]);
const ADMIN_PORTS = [22, 3389, 3306, 5432, 6379, 27017, 9200, 2375, 2379];

function portsSeverity(from: unknown, to: unknown): "error" | "warning" | "note" {
  const f = Number(from ?? 0);
  const t = Number(to ?? from ?? 65535);
  if (Number.isNaN(f) || Number.isNaN(t)) return "warning";
  if ((f === 0 && (t === 0 || t === 65535)) || f === -1) return "error";
  if (ADMIN_PORTS.some((p) => p >= f && p <= t)) return "error";
  if (f === t && (f === 80 || f === 443)) return "note";
  return "warning";
}

/** Terraform: state backend, public buckets, wide-open ingress, unpinned providers and modules (per directory). */
export async function auditTerraform(files: AuditedFile[]): Promise<{ findings: Finding[]; parseErrors: { path: string; message: string }[] }> {
  const parse = await loadHclParser();
  const out: Finding[] = [];
  const parseErrors: { path: string; message: string }[] = [];
  const byDir = new Map<string, TfFile[]>();
  for (const file of files) {
    try {
      const body = obj(await parse(file.path.split("/").pop()!, file.content));
      const dir = file.path.includes("/") ? file.path.slice(0, file.path.lastIndexOf("/")) : ".";
      byDir.set(dir, [...(byDir.get(dir) ?? []), new TfFile(file, body)]);
    } catch (error) {
      parseErrors.push({ path: file.path, message: String((error as Error).message ?? error).split("\n")[0]! });
    }
  }
  for (const tfs of byDir.values()) auditModule(tfs, out);
  return { findings: out, parseErrors };
}

function auditModule(tfs: TfFile[], out: Finding[]): void {
  let backendSeen = false;
  const required = new Map<string, { version?: string }>();
  const providerVersions = new Set<string>();
  const providersUsed = new Map<string, { tf: TfFile; labels: string[] }>();
  let firstProvider: { tf: TfFile; labels: string[] } | undefined;

  for (const tf of tfs) {
    for (const block of list(tf.body.terraform)) {
      if (block.cloud) backendSeen = true;
      for (const [type, configs] of Object.entries(obj(block.backend))) {
        backendSeen = true;
        const config = list(configs)[0] ?? {};
        const at = tf.at(["backend", type]);
        if (type === "local") {
          out.push(finding("TF001", tf.file.path, at, "backend \"local\": state (with every secret in it) lives on one machine, unencrypted and unlocked"));
        } else if (type === "s3") {
          if (config.encrypt !== true && config.encrypt !== "true" && !config.kms_key_id) {
            out.push(finding("TF001", tf.file.path, at, "s3 backend without `encrypt = true`: state is stored unencrypted", { severity: "error" }));
          }
          if (!config.dynamodb_table && config.use_lockfile !== true && config.use_lockfile !== "true") {
            out.push(finding("TF001", tf.file.path, at, "s3 backend without locking (`use_lockfile = true` or dynamodb_table): concurrent applies corrupt state"));
          }
        }
      }
      for (const rp of list(block.required_providers)) {
        for (const [name, spec] of Object.entries(rp)) {
          const version = typeof spec === "string" ? spec : (obj(spec).version as string | undefined);
          required.set(name, { version });
          if (!version) out.push(finding("TF004", tf.file.path, tf.at(["required_providers"], name), `provider ${name} has no version constraint`));
          else if (/^\s*>=?[^,<~]*$/.test(version)) {
            out.push(finding("TF004", tf.file.path, tf.at(["required_providers"], name), `provider ${name} is constrained only from below (${version}): any future major version is accepted`, { severity: "note" }));
          }
        }
      }
    }
    for (const [name, configs] of Object.entries(obj(tf.body.provider))) {
      firstProvider ??= { tf, labels: ["provider", name] };
      if (list(configs).some((c) => c.version)) providerVersions.add(name);
    }
    for (const [type, named] of Object.entries(obj(tf.body.resource))) {
      const provider = type.split("_")[0]!;
      for (const [name, configs] of Object.entries(obj(named))) {
        const labels = ["resource", type, name];
        if (!providersUsed.has(provider)) providersUsed.set(provider, { tf, labels });
        for (const config of list(configs)) resourceRules(tf, type, labels, config, out);
      }
    }
    for (const [name, configs] of Object.entries(obj(tf.body.module))) {
      for (const config of list(configs)) {
        const source = String(config.source ?? "");
        const labels = ["module", name];
        if (/^\.{0,2}\//.test(source)) continue;
        if (/^(git::|github\.com\/|git@|bitbucket\.org\/)/.test(source) || /\.git($|\?|\/\/)/.test(source)) {
          if (!/[?&]ref=/.test(source)) out.push(finding("TF004", tf.file.path, tf.at(labels, "source"), `module ${name} comes from git without ?ref=: it follows the default branch`));
        } else if (/^(https?|s3|gcs):/.test(source)) {
          continue;
        } else if (!config.version) {
          out.push(finding("TF004", tf.file.path, tf.at(labels, "source"), `registry module ${name} (${source}) has no version`));
        }
      }
    }
  }
  for (const [provider, where] of providersUsed) {
    if (provider === "terraform" || provider === "null" && required.has("null")) continue;
    if (!required.has(provider) && !providerVersions.has(provider)) {
      out.push(finding("TF004", where.tf.file.path, where.tf.at(where.labels), `provider ${provider} is used but not declared in required_providers with a version`));
    }
  }
  if (!backendSeen && firstProvider) {
    out.push(finding("TF001", firstProvider.tf.file.path, firstProvider.tf.at(firstProvider.labels),
      "this root module configures providers but no backend: state is local, unencrypted and unlocked"));
  }
}

function resourceRules(tf: TfFile, type: string, labels: string[], config: Obj, out: Finding[]): void {
  const path = tf.file.path;
  const name = `${type}.${labels[2]}`;
  if ((type === "aws_s3_bucket" || type === "aws_s3_bucket_acl") && typeof config.acl === "string" && PUBLIC_ACL.test(config.acl)) {
    out.push(finding("TF002", path, tf.at(labels, "acl"), `${name} has acl = "${config.acl}"`));
  }
  if (type === "aws_s3_bucket_public_access_block") {
    const off = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].filter((k) => config[k] === false || config[k] === "false");
    if (off.length > 0) out.push(finding("TF002", path, tf.at(labels, off[0]), `${name} turns off ${off.join(", ")}`));
  }
  if (/^google_storage_bucket_(iam_member|iam_binding|access_control|acl)$/.test(type)) {
    const members = [...strings(config.member), ...strings(config.members), ...strings(config.entity), ...strings(config.role_entity)];
    const open = members.find((m) => /allUsers|allAuthenticatedUsers/.test(m));
    if (open) out.push(finding("TF002", path, tf.at(labels, "member", "all") , `${name} grants ${open}`));
  }
  if (type === "azurerm_storage_container" && /^(blob|container)$/.test(String(config.container_access_type ?? ""))) {
    out.push(finding("TF002", path, tf.at(labels, "container_access_type"), `${name} allows anonymous ${config.container_access_type} access`));
  }
  if (type === "azurerm_storage_account" && (config.allow_nested_items_to_be_public === true || config.allow_blob_public_access === true)) {
    out.push(finding("TF002", path, tf.at(labels, "allow_nested_items_to_be_public"), `${name} allows public blob access`));
  }
  // security groups and firewalls open to the internet
  const ingress: { from?: unknown; to?: unknown; cidrs: string[]; attr: string }[] = [];
  if (type === "aws_security_group") {
    for (const rule of list(config.ingress)) {
      ingress.push({ from: rule.from_port, to: rule.to_port, cidrs: [...strings(rule.cidr_blocks), ...strings(rule.ipv6_cidr_blocks)], attr: "cidr_blocks" });
    }
  }
  if (type === "aws_security_group_rule" && config.type === "ingress") {
    ingress.push({ from: config.from_port, to: config.to_port, cidrs: [...strings(config.cidr_blocks), ...strings(config.ipv6_cidr_blocks)], attr: "cidr_blocks" });
  }
  if (type === "aws_vpc_security_group_ingress_rule") {
    ingress.push({ from: config.from_port, to: config.to_port, cidrs: [...strings(config.cidr_ipv4), ...strings(config.cidr_ipv6)], attr: "cidr_ipv" });
  }
  if (type === "google_compute_firewall" && String(config.direction ?? "INGRESS") === "INGRESS") {
    const ports = list(config.allow).flatMap((a) => strings(a.ports));
    const [from, to] = ports.length === 1 ? ports[0]!.split("-") : [0, 65535];
    ingress.push({ from, to: to ?? from, cidrs: strings(config.source_ranges), attr: "source_ranges" });
  }
  if (type === "azurerm_network_security_rule" && config.direction === "Inbound" && config.access === "Allow") {
    const range = String(config.destination_port_range ?? "*");
    const [from, to] = range === "*" ? [0, 65535] : range.split("-");
    ingress.push({ from, to: to ?? from, cidrs: [...strings(config.source_address_prefix), ...strings(config.source_address_prefixes)], attr: "source_address_prefix" });
  }
  if (type === "azurerm_network_security_group") {
    for (const rule of list(config.security_rule)) {
      if (rule.direction !== "Inbound" || rule.access !== "Allow") continue;
      const range = String(rule.destination_port_range ?? "*");
      const [from, to] = range === "*" ? [0, 65535] : range.split("-");
      ingress.push({ from, to: to ?? from, cidrs: [...strings(rule.source_address_prefix), ...strings(rule.source_address_prefixes)], attr: "source_address_prefix" });
    }
  }
  for (const rule of ingress) {
    const open = rule.cidrs.find((c) => ANYWHERE.has(c));
    if (!open) continue;
    out.push(finding("TF003", path, tf.at(labels, rule.attr, open), `${name} allows ingress from ${open} on ports ${rule.from ?? "all"}-${rule.to ?? rule.from ?? "all"}`,
      { severity: portsSeverity(rule.from, rule.to) }));
  }
}

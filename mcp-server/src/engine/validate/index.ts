import type { FileKind, GeneratedFile, Validation } from "../core/types.ts";
import { validateWithActionlint } from "./actionlint.ts";
import { validateDockerfile } from "./dockerfile.ts";
import { validateKubernetes } from "./kubernetes.ts";
import { validateHclSyntax, validateTerraformFmt } from "./terraform.ts";
import { validateWorkflowSecurity } from "./workflow-security.ts";
import { validateYaml } from "./yaml.ts";

type FileValidator = (file: GeneratedFile) => Validation | Promise<Validation>;
/**
 * Validators that need every file of a group at once (e.g. Terraform references across a module's files). The
 * second argument is every file of the run, for checks that look across groups (a root module's `module.x.y`
 * must be an output of the module directory it calls).
 */
type GroupValidator = (files: GeneratedFile[], all: GeneratedFile[]) => Promise<Validation[]>;

/** Which checks each kind of file must pass before the writer will write it. */
const PER_FILE: Record<FileKind, FileValidator[]> = {
  "github-workflow": [validateYaml, validateWithActionlint, validateWorkflowSecurity],
  "github-dependabot": [validateYaml],
  "gitlab-ci": [validateYaml],
  circleci: [validateYaml],
  jenkinsfile: [],
  yaml: [validateYaml],
  kubernetes: [validateYaml, validateKubernetes],
  kustomization: [validateYaml],
  dockerfile: [validateDockerfile],
  dockerignore: [],
  terraform: [validateHclSyntax],
  tfvars: [validateHclSyntax],
  markdown: [],
  json: [(file) => {
    try {
      JSON.parse(file.content);
      return { path: file.path, validator: "json", ok: true, messages: [] };
    } catch (error) {
      return { path: file.path, validator: "json", ok: false, messages: [(error as Error).message] };
    }
  }],
  text: [],
  shell: [],
  // Not YAML until Helm renders it: the deployment manager lints and renders the whole chart (deploy/helm.ts).
  "helm-template": [],
};

const PER_GROUP: Partial<Record<FileKind, GroupValidator[]>> = {
  terraform: [validateTerraformFmt],
  tfvars: [validateTerraformFmt],
};

const extraFileValidators: Partial<Record<FileKind, FileValidator[]>> = {};
const extraGroupValidators: Partial<Record<FileKind, GroupValidator[]>> = {};

/** Capabilities add their own checks (e.g. GitLab schema, Terraform reference resolution) for their kinds. */
export function registerValidator(kind: FileKind, validator: FileValidator): void {
  (extraFileValidators[kind] ??= []).push(validator);
}
export function registerGroupValidator(kind: FileKind, validator: GroupValidator): void {
  (extraGroupValidators[kind] ??= []).push(validator);
}

/** Runs every check that applies; the writer refuses to write when any result is not ok. */
export async function validateFiles(files: GeneratedFile[]): Promise<Validation[]> {
  const results: Validation[] = [];
  for (const file of files) {
    for (const validator of [...PER_FILE[file.kind], ...(extraFileValidators[file.kind] ?? [])]) {
      results.push(await validator(file));
    }
  }
  const groups = new Map<string, GeneratedFile[]>();
  for (const file of files) {
    const validators = [...(PER_GROUP[file.kind] ?? []), ...(extraGroupValidators[file.kind] ?? [])];
    if (validators.length === 0) continue;
    const key = `${file.kind === "tfvars" ? "terraform" : file.kind}\u0000${file.group ?? file.path}`;
    const list = groups.get(key) ?? [];
    list.push(file);
    groups.set(key, list);
  }
  for (const groupFiles of groups.values()) {
    const kinds = new Set(groupFiles.map((f) => f.kind));
    const validators = new Set<GroupValidator>();
    for (const kind of kinds) for (const v of [...(PER_GROUP[kind] ?? []), ...(extraGroupValidators[kind] ?? [])]) validators.add(v);
    for (const validator of validators) results.push(...(await validator(groupFiles, files)));
  }
  return results;
}

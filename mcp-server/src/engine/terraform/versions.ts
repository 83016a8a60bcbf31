import { execFile } from "node:child_process";
import { promisify } from "node:util";
import semver from "semver";
import { namedExport } from "../core/interop.ts";

export const PROVIDERS = ["aws", "gcp", "azure"] as const;
export type CloudProvider = (typeof PROVIDERS)[number];

/**
 * The version table every generated `versions.tf` and CI file is pinned from.
 * - `required_version` needs >= 1.10: the S3 backend's native lockfile (`use_lockfile`) arrived in 1.10.
 * - `terraform` is the release CI installs (setup-terraform / the hashicorp/terraform image; the same release as
 *   CONTAINER_IMAGES.terraform in pipeline/pinned-actions.ts) when the latest release is not resolved online.
 * - Provider constraints use `~>` on the current major line. azurerm stays on 4.x: 5.0 (July 2026) changed
 *   the AKS schema (a required node provisioning block) and private DNS arguments that these modules use.
 */
export const VERSION_TABLE = {
  terraform: "1.15.9",
  requiredVersion: "~> 1.10",
  providers: {
    aws: { source: "hashicorp/aws", version: "~> 6.0" },
    google: { source: "hashicorp/google", version: "~> 7.0" },
    azurerm: { source: "hashicorp/azurerm", version: "~> 4.40" },
    random: { source: "hashicorp/random", version: "~> 3.6" },
  },
} as const;

export type ProviderName = keyof typeof VERSION_TABLE.providers;

/**
 * Linters the generated Terraform CI runs (and our tests run on every generated tree, from the same versions:
 * .ci/tools/tflint.sh and .ci/tools/checkov.sh). Each cloud gets tflint's own ruleset for it.
 */
export const LINT_TABLE = {
  tflint: "0.64.0",
  checkov: "3.3.30",
  rulesets: {
    aws: { name: "aws", source: "github.com/terraform-linters/tflint-ruleset-aws", version: "0.48.0" },
    gcp: { name: "google", source: "github.com/terraform-linters/tflint-ruleset-google", version: "0.39.0" },
    azure: { name: "azurerm", source: "github.com/terraform-linters/tflint-ruleset-azurerm", version: "0.32.0" },
  },
} as const;

export interface ResolvedTerraform {
  version: string;
  source: "table" | "releases";
  warning?: string;
}

const RESOLVE_TIMEOUT_MS = 3000;

/**
 * The Terraform release CI should install. With `resolveLatest`, asks releases.hashicorp.com through
 * @hashicorp/js-releases (3 s budget); offline, or on any failure, falls back to the table and says so.
 */
export async function resolveTerraformVersion(resolveLatest: boolean, signal?: AbortSignal): Promise<ResolvedTerraform> {
  if (!resolveLatest) return { version: VERSION_TABLE.terraform, source: "table" };
  const fallback = (why: string): ResolvedTerraform => ({
    version: VERSION_TABLE.terraform,
    source: "table",
    warning: `could not resolve the latest Terraform release (${why}); using Terraform ${VERSION_TABLE.terraform} from the built-in version table`,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const getRelease = namedExport<typeof import("@hashicorp/js-releases").getRelease>(
      await import("@hashicorp/js-releases"),
      "getRelease",
      "@hashicorp/js-releases",
    );
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${RESOLVE_TIMEOUT_MS / 1000} s`)), RESOLVE_TIMEOUT_MS);
      timer.unref();
    });
    const aborted = new Promise<never>((_, reject) => {
      signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
    const release = await Promise.race([getRelease("terraform", "latest", "senior-devops"), timeout, aborted]);
    const version = semver.valid(release.version);
    if (!version || semver.prerelease(version)) return fallback(`unexpected version ${JSON.stringify(release.version)}`);
    if (semver.lt(version, VERSION_TABLE.terraform)) return fallback(`releases reported ${version}, older than the table`);
    return { version, source: "releases" };
  } catch (error) {
    return fallback(String((error as Error).message ?? error));
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Lowest Terraform the generated code runs on (the S3 backend's `use_lockfile`). */
export const MINIMUM_TERRAFORM = "1.10.0";

/** The version of the `terraform` on PATH, if there is one (`terraform version -json`). */
export async function localTerraformVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)("terraform", ["version", "-json"], { timeout: 15_000 });
    return semver.valid((JSON.parse(stdout) as { terraform_version?: string }).terraform_version ?? "") ?? undefined;
  } catch {
    return undefined;
  }
}

/** Warnings about the local terraform: too old for the generated code, or behind the resolved latest release. */
export function localTerraformWarnings(local: string | undefined, target: ResolvedTerraform): string[] {
  if (!local) return [];
  if (semver.lt(local, MINIMUM_TERRAFORM)) {
    return [`terraform ${local} on PATH is older than ${MINIMUM_TERRAFORM}, which the generated code requires (S3 native state locking, required_version ${VERSION_TABLE.requiredVersion}); upgrade it before running init`];
  }
  if (target.source === "releases" && semver.lt(local, target.version)) {
    return [`terraform ${local} on PATH is behind the latest release ${target.version} that CI will use`];
  }
  return [];
}

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import {
  CONTAINER_IMAGES,
  PINNED_ACTIONS,
  containerImage,
  isPinnedUse,
  pinned,
  pinnedComment,
} from "../../mcp-server/src/engine/pipeline/pinned-actions.ts";

const entries = Object.entries(PINNED_ACTIONS);

describe("PINNED_ACTIONS table", () => {
  test("is not empty and covers the core actions", () => {
    for (const id of ["checkout", "setup-node", "cache", "upload-sarif", "docker-build-push", "trufflehog"]) {
      assert.ok(Object.hasOwn(PINNED_ACTIONS, id), `missing ${id}`);
    }
  });

  test("every sha is a full 40-character lowercase hex commit id", () => {
    for (const [id, a] of entries) {
      assert.match(a.sha, /^[0-9a-f]{40}$/, `${id}: ${a.sha}`);
    }
  });

  test("every version is vX.Y.Z", () => {
    for (const [id, a] of entries) {
      assert.match(a.version, /^v\d+\.\d+\.\d+$/, `${id}: ${a.version}`);
    }
  });

  test("a differing git tag name is only the version without its leading v", () => {
    for (const [id, a] of entries) {
      if (a.tag === undefined) continue;
      assert.notEqual(a.tag, a.version, `${id}: tag equals version, drop the tag field`);
      assert.equal(`v${a.tag}`, a.version, `${id}: tag ${a.tag} vs version ${a.version}`);
    }
  });

  test("uses is the repository or a path inside it", () => {
    for (const [id, a] of entries) {
      assert.match(a.repo, /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/, `${id}: repo ${a.repo}`);
      const usesLower = a.uses.toLowerCase();
      const repoLower = a.repo.toLowerCase();
      assert.ok(
        usesLower === repoLower || usesLower.startsWith(`${repoLower}/`),
        `${id}: uses ${a.uses} is not inside ${a.repo}`,
      );
      assert.doesNotMatch(a.uses, /[@\s]|\/$/, `${id}: malformed uses ${a.uses}`);
    }
  });

  test("no duplicates: one entry per uses path, per uses@sha and per id", () => {
    const seenUses = new Map<string, string>();
    const seenRefs = new Map<string, string>();
    for (const [id, a] of entries) {
      const key = a.uses.toLowerCase();
      assert.ok(!seenUses.has(key), `${id} and ${seenUses.get(key)} both pin ${a.uses}`);
      seenUses.set(key, id);
      const ref = `${a.uses}@${a.sha}`;
      assert.ok(!seenRefs.has(ref), `${id} and ${seenRefs.get(ref)} are the same reference`);
      seenRefs.set(ref, id);
    }
    const ids = entries.map(([id]) => id);
    assert.equal(new Set(ids).size, ids.length);
  });

  test("entries from the same repository pin the same release", () => {
    const byRepo = new Map<string, { sha: string; version: string; id: string }>();
    for (const [id, a] of entries) {
      const prev = byRepo.get(a.repo.toLowerCase());
      if (prev) {
        assert.equal(a.sha, prev.sha, `${id} and ${prev.id} pin different commits of ${a.repo}`);
        assert.equal(a.version, prev.version, `${id} and ${prev.id} name different versions of ${a.repo}`);
      } else {
        byRepo.set(a.repo.toLowerCase(), { sha: a.sha, version: a.version, id });
      }
    }
  });

  test("dtolnay/rust-toolchain is not pinned (no release tags to pin)", () => {
    assert.ok(!entries.some(([, a]) => a.repo.toLowerCase() === "dtolnay/rust-toolchain"));
  });

  test("the gitleaks entry records the organisation licence requirement", () => {
    const note = PINNED_ACTIONS["gitleaks"]?.note ?? "";
    assert.match(note, /GITLEAKS_LICENSE/);
  });
});

describe("pinned / pinnedComment", () => {
  test("pinned returns uses@sha and pinnedComment the version", () => {
    for (const [id, a] of entries) {
      assert.equal(pinned(id), `${a.uses}@${a.sha}`);
      assert.equal(pinnedComment(id), a.version);
    }
    assert.equal(pinned("upload-sarif").split("@")[0], "github/codeql-action/upload-sarif");
  });

  test("unknown ids throw, including inherited property names", () => {
    for (const bad of ["no-such-action", "", "toString", "__proto__", "constructor", "Checkout"]) {
      assert.throws(() => pinned(bad), /Unknown pinned action id/, `pinned(${JSON.stringify(bad)})`);
      assert.throws(() => pinnedComment(bad), /Unknown pinned action id/, `pinnedComment(${JSON.stringify(bad)})`);
    }
  });
});

describe("isPinnedUse", () => {
  test("accepts every table reference, bare or as a workflow line", () => {
    for (const [id, a] of entries) {
      const ref = pinned(id);
      assert.ok(isPinnedUse(ref), ref);
      assert.ok(isPinnedUse(`  ${ref}  `), `padded ${ref}`);
      assert.ok(isPinnedUse(`uses: ${ref} # ${a.version}`), `line ${ref}`);
      assert.ok(isPinnedUse(`- uses: "${ref}"`), `quoted ${ref}`);
      assert.ok(isPinnedUse(`'${ref}'`), `single-quoted ${ref}`);
    }
  });

  test("rejects tags, branches, short or upper-case shas and mismatched pairs", () => {
    const checkout = PINNED_ACTIONS["checkout"];
    const cache = PINNED_ACTIONS["cache"];
    assert.ok(checkout && cache);
    assert.equal(isPinnedUse(`${checkout.uses}@${checkout.version}`), false);
    assert.equal(isPinnedUse(`${checkout.uses}@main`), false);
    assert.equal(isPinnedUse(`${checkout.uses}@${checkout.sha.slice(0, 7)}`), false);
    assert.equal(isPinnedUse(`${checkout.uses}@${checkout.sha.toUpperCase()}`), false);
    assert.equal(isPinnedUse(`${checkout.uses}@${cache.sha}`), false);
    assert.equal(isPinnedUse(`${checkout.uses}/sub@${checkout.sha}`), false);
    assert.equal(isPinnedUse(`someone/checkout@${checkout.sha}`), false);
    assert.equal(isPinnedUse(`${checkout.uses}@${checkout.sha}x`), false);
    assert.equal(isPinnedUse(`${checkout.uses}@${checkout.sha} extra`), false);
    assert.equal(isPinnedUse("docker://alpine:3.20"), false);
    assert.equal(isPinnedUse("./.github/actions/local"), false);
    assert.equal(isPinnedUse(""), false);
  });

  test("no random sha is accepted for a known uses path", () => {
    const known = new Set(entries.map(([, a]) => a.sha));
    const usesPaths = entries.map(([, a]) => a.uses);
    fc.assert(
      fc.property(
        fc.constantFrom(...usesPaths),
        fc.stringMatching(/^[0-9a-f]{40}$/),
        (uses, sha) => {
          fc.pre(!known.has(sha));
          return isPinnedUse(`${uses}@${sha}`) === false;
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("CONTAINER_IMAGES table", () => {
  test("every entry has an image reference and an explicit, non-latest tag", () => {
    assert.ok(Object.keys(CONTAINER_IMAGES).length > 0);
    for (const [id, img] of Object.entries(CONTAINER_IMAGES)) {
      assert.match(img.image, /^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, `${id}: image ${img.image}`);
      assert.match(img.tag, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, `${id}: tag ${img.tag}`);
      assert.notEqual(img.tag, "latest", `${id} floats on latest`);
      assert.ok(!/\d-?rc|beta|alpha|tip-/i.test(img.tag), `${id}: pre-release tag ${img.tag}`);
      assert.equal(containerImage(id), `${img.image}:${img.tag}`);
    }
  });

  test("the docker client and dind service are the same engine version", () => {
    const cli = CONTAINER_IMAGES["docker"]?.tag ?? "";
    const dind = CONTAINER_IMAGES["docker-dind"]?.tag ?? "";
    assert.equal(cli.replace(/-cli$/, ""), dind.replace(/-dind$/, ""));
  });

  test("containerImage throws on unknown ids", () => {
    for (const bad of ["nope", "toString", "__proto__"]) {
      assert.throws(() => containerImage(bad), /Unknown container image id/);
    }
  });
});

// ---------------------------------------------------------------------------
// Second part: check the table against local git mirrors of the upstream
// repositories. SENIOR_DEVOPS_MIRROR_DIR points at a directory holding one
// bare git directory per repository, named `<owner>+<name>` (optionally with
// the git directory in a `repo` sub-directory). Skipped when unset.
// ---------------------------------------------------------------------------

const mirrorRoot = process.env["SENIOR_DEVOPS_MIRROR_DIR"];
if (!mirrorRoot) console.log("skipped mirror verification: SENIOR_DEVOPS_MIRROR_DIR is unset");

function mirrorFor(root: string, repo: string): string | undefined {
  const wanted = repo.replace("/", "+").toLowerCase();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return undefined;
  }
  const name = names.find((n) => n.toLowerCase() === wanted);
  if (name === undefined) return undefined;
  for (const candidate of [path.join(root, name, "repo"), path.join(root, name)]) {
    if (existsSync(path.join(candidate, "HEAD")) && existsSync(path.join(candidate, "objects"))) return candidate;
  }
  return undefined;
}

function git(gitDir: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", ["--git-dir", gitDir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

describe("mirror verification", { skip: mirrorRoot ? false : "SENIOR_DEVOPS_MIRROR_DIR is unset" }, () => {
  const root = mirrorRoot ?? "";

  for (const [id, a] of entries) {
    const dir = mirrorFor(root, a.repo);
    const skip = dir ? false : `no mirror of ${a.repo} under SENIOR_DEVOPS_MIRROR_DIR`;
    if (skip) console.log(`skipped ${id}: ${skip}`);
    test(`${id}: ${a.tag ?? a.version} of ${a.repo} is commit ${a.sha}`, { skip }, () => {
      const gitDir = dir ?? "";
      const tag = a.tag ?? a.version;
      const commit = git(gitDir, ["rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`]);
      assert.ok(commit, `tag ${tag} not found in ${a.repo} mirror`);
      assert.equal(commit, a.sha, `${a.repo} ${tag}`);
      const sub = a.uses.split("/").slice(2).join("/");
      const prefix = sub ? `${sub}/` : "";
      const hasAction =
        git(gitDir, ["cat-file", "-e", `${a.sha}:${prefix}action.yml`]) !== undefined ||
        git(gitDir, ["cat-file", "-e", `${a.sha}:${prefix}action.yaml`]) !== undefined;
      assert.ok(hasAction, `${a.uses}: no action.yml at ${a.sha}`);
    });
  }

  // Docker official images: the tag must be listed in library/<name>.
  const officialDir = mirrorFor(root, "docker-library/official-images");
  for (const [id, img] of Object.entries(CONTAINER_IMAGES)) {
    if (img.image.includes("/")) continue;
    const skip = officialDir ? false : "no mirror of docker-library/official-images";
    if (skip) console.log(`skipped image ${id}: ${skip}`);
    test(`image ${id}: ${img.image}:${img.tag} is a published official tag`, { skip }, () => {
      const library = git(officialDir ?? "", ["show", `HEAD:library/${img.image}`]);
      assert.ok(library, `library/${img.image} missing`);
      const tags = new Set(
        library
          .split("\n")
          .filter((l) => l.startsWith("Tags:"))
          .flatMap((l) => l.slice("Tags:".length).split(","))
          .map((t) => t.trim()),
      );
      assert.ok(tags.has(img.tag), `${img.image}:${img.tag} not in library/${img.image}`);
    });
  }

  // Other images: the upstream release the tag is built from must exist.
  const upstream: Record<string, { repo: string; check: (tag: string) => string[] }> = {
    trivy: { repo: "aquasecurity/trivy", check: (t) => ["rev-parse", "--verify", "--quiet", `refs/tags/v${t}^{commit}`] },
    gitleaks: { repo: "gitleaks/gitleaks", check: (t) => ["rev-parse", "--verify", "--quiet", `refs/tags/${t}^{commit}`] },
    trufflehog: { repo: "trufflesecurity/trufflehog", check: (t) => ["rev-parse", "--verify", "--quiet", `refs/tags/v${t}^{commit}`] },
    terraform: { repo: "hashicorp/terraform", check: (t) => ["rev-parse", "--verify", "--quiet", `refs/tags/v${t}^{commit}`] },
    // Release tags 2.x.y are the amazon/aws-cli Docker Hub tags; azure-cli-2.x.y tags are mcr.microsoft.com/azure-cli:2.x.y.
    "aws-cli": { repo: "aws/aws-cli", check: (t) => ["rev-parse", "--verify", "--quiet", `refs/tags/${t}^{commit}`] },
    "azure-cli": { repo: "Azure/azure-cli", check: (t) => ["rev-parse", "--verify", "--quiet", `refs/tags/azure-cli-${t}^{commit}`] },
    kubectl: {
      repo: "kubernetes/kubectl",
      check: (t) => ["rev-parse", "--verify", "--quiet", `refs/tags/kubernetes-${t.replace(/^v/, "")}^{commit}`],
    },
  };
  for (const [id, { repo, check }] of Object.entries(upstream)) {
    const img = CONTAINER_IMAGES[id];
    const dir = mirrorFor(root, repo);
    const skip = !img ? `no ${id} image entry` : dir ? false : `no mirror of ${repo}`;
    if (skip) console.log(`skipped image ${id}: ${skip}`);
    test(`image ${id}: upstream release for tag ${img?.tag ?? "?"} exists in ${repo}`, { skip }, () => {
      assert.ok(img && dir);
      assert.ok(git(dir, check(img.tag)), `${repo} has no release for ${img.tag}`);
    });
  }

  {
    // The cloud-sdk-docker README names the current release; its full (:VERSION) image ships the GKE auth plugin and kubectl.
    const img = CONTAINER_IMAGES["google-cloud-cli"];
    const dir = mirrorFor(root, "GoogleCloudPlatform/cloud-sdk-docker");
    const skip = !img ? "no google-cloud-cli image entry" : dir ? false : "no mirror of GoogleCloudPlatform/cloud-sdk-docker";
    if (skip) console.log(`skipped image google-cloud-cli: ${skip}`);
    test(`image google-cloud-cli: ${img?.tag ?? "?"} is the release cloud-sdk-docker documents, and the full image has gke-gcloud-auth-plugin`, { skip }, () => {
      assert.ok(img && dir);
      const readme = git(dir, ["log", "-p", "--format=", "--", "README.md"]) ?? "";
      assert.ok(readme.includes(`google-cloud-cli:${img.tag}-stable`), `cloud-sdk-docker never documented ${img.tag}`);
      const dockerfile = git(dir, ["show", "HEAD:Dockerfile"]) ?? "";
      assert.match(dockerfile, /google-cloud-cli-gke-gcloud-auth-plugin/);
      assert.match(dockerfile, /^\s*kubectl\b/m);
    });
  }

  for (const id of ["dotnet-sdk", "dotnet-sdk-8"]) {
    const img = CONTAINER_IMAGES[id];
    const dir = mirrorFor(root, "dotnet/dotnet-docker");
    const skip = !img ? `no ${id} image entry` : dir ? false : "no mirror of dotnet/dotnet-docker";
    if (skip) console.log(`skipped image ${id}: ${skip}`);
    test(`image ${id}: sdk tag ${img?.tag ?? "?"} is a minor tag in dotnet-docker`, { skip }, () => {
      assert.ok(img && dir);
      const versions = git(dir, ["show", "HEAD:manifest.versions.json"]);
      assert.ok(versions, "manifest.versions.json missing");
      const parsed = JSON.parse(versions) as { variables?: Record<string, string> };
      const vars = parsed.variables ?? {};
      assert.equal(vars[`dotnet|${img.tag}|minor-tag`], img.tag);
      assert.equal(vars[`sdk|${img.tag}|minor-tag`], `$(dotnet|${img.tag}|minor-tag)`);
    });
  }
});

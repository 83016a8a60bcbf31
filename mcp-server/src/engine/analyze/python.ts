import type { MonorepoTool, PackageManager, Project } from "./types.ts";
import { shellWord } from "../templating/quote.ts";
import { type Repo, byDepth, WorkspaceMatcher, dirname, isWithin, joinRel, normalize, relativeTo } from "./repo.ts";
import {
  type EcosystemResult, addEvidence, asString, asStringArray, isRecord, newProject, toolVersions, versionFile,
} from "./common.ts";

type PyPm = Extract<PackageManager, "pip" | "poetry" | "uv" | "pdm" | "pipenv">;

const FRAMEWORKS: { dep: string; name: string; http: boolean; port?: number }[] = [
  { dep: "fastapi", name: "fastapi", http: true, port: 8000 },
  { dep: "django", name: "django", http: true, port: 8000 },
  { dep: "flask", name: "flask", http: true, port: 5000 },
  { dep: "starlette", name: "starlette", http: true, port: 8000 },
  { dep: "litestar", name: "litestar", http: true, port: 8000 },
  { dep: "aiohttp", name: "aiohttp", http: false },
  { dep: "sanic", name: "sanic", http: true, port: 8000 },
  { dep: "tornado", name: "tornado", http: true },
  { dep: "streamlit", name: "streamlit", http: true, port: 8501 },
  { dep: "gradio", name: "gradio", http: true, port: 7860 },
  { dep: "celery", name: "celery", http: false },
];

/** Names of requirement files that carry development/test dependencies. */
const DEV_REQUIREMENTS = [
  "requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt", "requirements-test.txt", "requirements_test.txt",
  "test-requirements.txt", "requirements/dev.txt", "requirements/test.txt", "requirements/development.txt",
  "requirements/local.txt", "requirements/testing.txt", "requirements/tests.txt", "requirements/ci.txt",
];
const MAIN_REQUIREMENTS = ["requirements.txt", "requirements/base.txt", "requirements/main.txt", "requirements/prod.txt"];

/** Normalised distribution name (PEP 503) from a requirement string such as "Django>=4.2; python_version>'3'". */
export function requirementName(req: string): string | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req);
  return m ? m[1]!.toLowerCase().replace(/[._]+/g, "-") : undefined;
}

/**
 * The lowest Python minor a PEP 440 specifier allows: ">=3.10" → "3.10", "^3.11" (poetry) → "3.11",
 * "~=3.9" → "3.9", ">=3.8,<4" → "3.8", "==3.12.*" → "3.12".
 */
export function lowestPython(spec: string): string | undefined {
  const candidates: [number, number][] = [];
  for (const part of spec.split(/[,|]+/)) {
    const m = /^\s*(>=|\^|~=|~|==|===)?\s*v?(\d+)(?:\.(\d+))?/.exec(part);
    if (!m) continue;
    const op = m[1] ?? "==";
    if (op === "" || [">=", "^", "~=", "~", "==", "==="].includes(op)) {
      candidates.push([Number(m[2]), m[3] !== undefined ? Number(m[3]) : 0]);
    }
  }
  // With "||" alternatives (poetry) the lowest branch is the lowest allowed.
  candidates.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const lowest = spec.includes("|") ? candidates[0] : candidates[candidates.length - 1];
  if (!lowest) {
    // Only ">3.9"-like exclusive bounds: take the next minor.
    const gt = /^\s*>\s*(\d+)\.(\d+)/.exec(spec);
    return gt ? `${gt[1]}.${Number(gt[2]) + 1}` : undefined;
  }
  return `${lowest[0]}.${lowest[1]}`;
}

interface PyInfo {
  dir: string;
  pyproject?: Record<string, unknown>;
  deps: Set<string>;
  depsEvidence: Set<string>;
}

function collectDeps(repo: Repo, info: PyInfo, reqFiles: string[]): void {
  const add = (reqs: unknown, file: string) => {
    for (const r of asStringArray(reqs)) {
      const n = requirementName(r);
      if (n) {
        info.deps.add(n);
        info.depsEvidence.add(file);
      }
    }
  };
  const addKeys = (table: unknown, file: string) => {
    if (!isRecord(table)) return;
    for (const k of Object.keys(table)) {
      info.deps.add(k.toLowerCase().replace(/[._]+/g, "-"));
      info.depsEvidence.add(file);
    }
  };
  const py = info.pyproject;
  const pyFile = joinRel(info.dir, "pyproject.toml");
  if (py) {
    const project = isRecord(py.project) ? py.project : {};
    add(project.dependencies, pyFile);
    if (isRecord(project["optional-dependencies"])) for (const v of Object.values(project["optional-dependencies"])) add(v, pyFile);
    if (isRecord(py["dependency-groups"])) for (const v of Object.values(py["dependency-groups"])) add(v, pyFile);
    const tool = isRecord(py.tool) ? py.tool : {};
    const poetry = isRecord(tool.poetry) ? tool.poetry : undefined;
    if (poetry) {
      addKeys(poetry.dependencies, pyFile);
      addKeys(poetry["dev-dependencies"], pyFile);
      if (isRecord(poetry.group)) for (const g of Object.values(poetry.group)) if (isRecord(g)) addKeys(g.dependencies, pyFile);
    }
    const pdm = isRecord(tool.pdm) ? tool.pdm : undefined;
    if (pdm && isRecord(pdm["dev-dependencies"])) for (const v of Object.values(pdm["dev-dependencies"])) add(v, pyFile);
    const uv = isRecord(tool.uv) ? tool.uv : undefined;
    if (uv) add(uv["dev-dependencies"], pyFile);
  }
  // Requirement files, following `-r other.txt` / `-c constraints.txt` includes (relative to the including file).
  const queue = [...reqFiles];
  const seen = new Set<string>();
  while (queue.length) {
    const f = queue.shift()!;
    if (seen.has(f) || seen.size > 20) continue;
    seen.add(f);
    const text = repo.read(f) ?? "";
    for (const line of text.split(/\r?\n/)) {
      const clean = line.replace(/(^|\s)#.*/, "").trim();
      const inc = /^(?:-r|--requirement|-c|--constraint)\s*=?\s*(\S+)/.exec(clean);
      if (inc) {
        const target = joinRel(dirname(f), normalize(inc[1]!));
        if (!target.startsWith("..") && repo.has(target)) queue.push(target);
        continue;
      }
      if (!clean || clean.startsWith("-")) continue;
      const n = requirementName(clean);
      if (n) {
        info.deps.add(n);
        info.depsEvidence.add(f);
      }
    }
  }
  const pipfile = joinRel(info.dir, "Pipfile");
  if (repo.has(pipfile)) {
    const pf = repo.toml(pipfile);
    if (pf) {
      addKeys(pf.packages, pipfile);
      addKeys(pf["dev-packages"], pipfile);
    }
  }
}

/** Does an INI-style file (setup.cfg, tox.ini) have a section? */
function iniHasSection(repo: Repo, file: string, section: string): boolean {
  if (!repo.has(file)) return false;
  const text = repo.read(file) ?? "";
  return new RegExp(`^\\[${section.replace(/[.:]/g, "\\$&")}\\]`, "m").test(text);
}

function isSetupScript(repo: Repo, file: string): boolean {
  return /^\s*(from\s+(setuptools|distutils)|import\s+(setuptools|distutils))/m.test(repo.read(file) ?? "");
}

const PY_MANIFESTS = new Set(["pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "requirements.txt", "environment.yml"]);

/** Workspace members a root uv workspace declares (read before the walk). */
export function declaredUvWorkspace(repo: Repo): string[] {
  const py = repo.toml("pyproject.toml");
  const ws = py && isRecord(py.tool) && isRecord(py.tool.uv) && isRecord(py.tool.uv.workspace) ? py.tool.uv.workspace : undefined;
  return ws ? asStringArray(ws.members) : [];
}

export function analyzePython(repo: Repo): EcosystemResult {
  const projects: Project[] = [];
  const monorepo: MonorepoTool[] = [];
  // A directory is a Python project when it has a project manifest. setup.cfg alone only counts with setup.py or pyproject.
  const candidateDirs = new Set<string>();
  for (const f of repo.filesUnder(".", (n) => PY_MANIFESTS.has(n) && n !== "setup.cfg")) {
    // A setup.py is a manifest only when it is a setuptools/distutils script (not a module that happens to be called setup.py).
    if (f.endsWith("setup.py") && !isSetupScript(repo, f)) continue;
    candidateDirs.add(dirname(f));
  }
  const dirs = [...candidateDirs].sort(byDepth);
  const uvMembers = new Map<string, { root: string; lock?: string }>();

  for (const dir of dirs) {
    // requirements/ directories hold requirement files of the parent project.
    if (dir.endsWith("/requirements") || dir === "requirements") continue;
    const pyFile = joinRel(dir, "pyproject.toml");
    const pyproject = repo.has(pyFile) ? repo.toml(pyFile) : undefined;
    const tool = pyproject && isRecord(pyproject.tool) ? pyproject.tool : {};
    const project = pyproject && isRecord(pyproject.project) ? pyproject.project : undefined;
    const poetryTool = isRecord(tool.poetry) ? tool.poetry : undefined;
    // uv workspace: like JS workspaces, each member is its own project that installs from the root's uv.lock
    // (workspaceRoot); a virtual root (no [project] table) is not a project by itself.
    const uvWs = isRecord(tool.uv) && isRecord(tool.uv.workspace) ? tool.uv.workspace : undefined;
    if (uvWs) {
      const m = new WorkspaceMatcher(asStringArray(uvWs.members), dir);
      const ex = new WorkspaceMatcher(asStringArray(uvWs.exclude), dir);
      const lock = repo.has(joinRel(dir, "uv.lock")) ? joinRel(dir, "uv.lock") : undefined;
      for (const d of dirs) if (d !== dir && m.matches(d) && !(!ex.empty && ex.matches(d))) uvMembers.set(d, { root: dir, lock });
      if (!project) continue;
    }
    // A pyproject.toml that only configures tools (black, ruff…) for something else is not a project.
    const hasPython =
      !!project || !!poetryTool || isRecord(pyproject?.["build-system"]) ||
      ["Pipfile", "requirements.txt", "environment.yml"].some((n) => repo.has(joinRel(dir, n))) ||
      (repo.has(joinRel(dir, "setup.py")) && isSetupScript(repo, joinRel(dir, "setup.py"))) ||
      ["uv.lock", "poetry.lock", "pdm.lock"].some((n) => repo.has(joinRel(dir, n)));
    if (!hasPython) continue;
    // A requirements file (or Pipfile/environment.yml) with no Python code anywhere below is tooling for
    // another ecosystem (docs builders, codespell, pre-commit helpers), not a Python project.
    if (!pyproject && !repo.has(joinRel(dir, "setup.py")) && repo.filesUnder(dir, (n) => n.endsWith(".py")).length === 0) {
      continue;
    }

    const uvMember = uvMembers.get(dir);

    const locks: { file: string; pm: PyPm }[] = [];
    for (const [n, pm] of [["uv.lock", "uv"], ["poetry.lock", "poetry"], ["pdm.lock", "pdm"], ["Pipfile.lock", "pipenv"]] as [string, PyPm][]) {
      if (repo.has(joinRel(dir, n))) locks.push({ file: joinRel(dir, n), pm });
    }
    const buildBackend = pyproject && isRecord(pyproject["build-system"]) ? asString(pyproject["build-system"]["build-backend"]) : undefined;
    let pm: PyPm;
    const evidence: string[] = [];
    if (uvMember) {
      pm = "uv";
      if (uvMember.lock) locks.push({ file: uvMember.lock, pm: "uv" });
      evidence.push(joinRel(uvMember.root, "pyproject.toml"));
    } else if (locks.length === 1) pm = locks[0]!.pm;
    else if (locks.length > 1) {
      // Prefer the tool the pyproject configures, else the first in uv > poetry > pdm > pipenv.
      const configured = locks.find((l) => l.pm !== "pipenv" && isRecord(tool[l.pm]));
      pm = (configured ?? locks[0]!).pm;
      repo.warn(`${dir === "." ? "the root" : dir}: several Python lockfiles (${locks.map((l) => l.file).join(", ")}); using ${pm}${configured ? ` because pyproject.toml has [tool.${pm}]` : ""}`);
    } else if (poetryTool && (isRecord(poetryTool.dependencies) || buildBackend?.startsWith("poetry"))) pm = "poetry";
    else if (isRecord(tool.pdm) && (buildBackend?.startsWith("pdm") || isRecord(tool.pdm["dev-dependencies"]))) pm = "pdm";
    else if (repo.has(joinRel(dir, "Pipfile"))) pm = "pipenv";
    else pm = "pip";
    const lockfiles = locks.filter((l) => l.pm === pm).map((l) => l.file);
    evidence.push(...lockfiles);
    if (pyproject) evidence.unshift(pyFile);
    if (pm === "pipenv") evidence.unshift(joinRel(dir, "Pipfile"));

    // One main requirements file (requirements.txt usually pulls in requirements/base.txt itself) plus the dev ones.
    const mainReq = MAIN_REQUIREMENTS.map((n) => joinRel(dir, n)).find((f) => repo.has(f));
    const reqFiles = [...(mainReq ? [mainReq] : []), ...DEV_REQUIREMENTS.map((n) => joinRel(dir, n)).filter((f) => repo.has(f))];
    const name = asString(project?.name) ?? asString(poetryTool?.name);
    const p = newProject(repo, dir, "python", pm, name);
    p.lockfiles = lockfiles.length ? lockfiles : pm === "pip" ? reqFiles.slice() : [];
    addEvidence(p, ...evidence);
    if (uvMember && uvMember.root !== dir) p.workspaceRoot = uvMember.root;

    const info: PyInfo = { dir, pyproject, deps: new Set(), depsEvidence: new Set() };
    collectDeps(repo, info, reqFiles);

    // Versions
    const pvFile = repo.findUp(dir, ".python-version");
    const tv = toolVersions(repo, dir);
    const requires = asString(project?.["requires-python"]);
    const poetryPython = isRecord(poetryTool?.dependencies) ? asString(poetryTool.dependencies.python) : undefined;
    const pipfilePython = pm === "pipenv" ? (() => {
      const pf = repo.toml(joinRel(dir, "Pipfile"));
      return pf && isRecord(pf.requires) ? asString(pf.requires.python_version) : undefined;
    })() : undefined;
    let pyVersion: string | undefined;
    if (pvFile) {
      pyVersion = versionFile(repo, pvFile);
      if (pyVersion) addEvidence(p, pvFile);
    }
    if (!pyVersion && tv.tools.get("python")) {
      pyVersion = tv.tools.get("python");
      addEvidence(p, tv.file);
    }
    if (!pyVersion && pipfilePython) {
      pyVersion = pipfilePython;
      addEvidence(p, joinRel(dir, "Pipfile"));
    }
    // runtime.txt (Heroku and its followers): "python-3.12.4".
    const runtimeTxt = joinRel(dir, "runtime.txt");
    if (!pyVersion && repo.has(runtimeTxt)) {
      const m = /^\s*python-(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(repo.read(runtimeTxt) ?? "");
      if (m) {
        pyVersion = m[1];
        addEvidence(p, runtimeTxt);
      }
    }
    if (!pyVersion && requires) {
      pyVersion = lowestPython(requires);
      addEvidence(p, pyFile);
    }
    if (!pyVersion && poetryPython) {
      pyVersion = lowestPython(poetryPython);
      addEvidence(p, pyFile);
    }
    if (pyVersion) p.versions.python = pyVersion;

    // Commands
    const prefix = pm === "pip" ? "" : `${pm} run `;
    switch (pm) {
      case "poetry":
        p.commands.install = "poetry install --no-interaction";
        break;
      case "uv":
        p.commands.install = (lockfiles.length ? "uv sync --locked" : "uv sync") + (uvMember && name ? ` --package ${shellWord(name)}` : "");
        break;
      case "pdm":
        p.commands.install = lockfiles.length ? "pdm install --frozen-lockfile" : "pdm install";
        break;
      case "pipenv":
        p.commands.install = lockfiles.length ? "pipenv install --deploy --dev" : "pipenv install --dev";
        break;
      case "pip": {
        const parts: string[] = [];
        for (const f of reqFiles) parts.push(`-r ${shellWord(relativeTo(f, dir))}`);
        const extras = project && isRecord(project["optional-dependencies"]) ? Object.keys(project["optional-dependencies"]) : [];
        const devExtra = ["dev", "test", "tests", "testing"].find((e) => extras.includes(e));
        const installable = !!project || repo.has(joinRel(dir, "setup.py"));
        if (installable) parts.push(devExtra ? `-e '.[${devExtra}]'` : reqFiles.length ? "-e ." : ".");
        if (parts.length) p.commands.install = `pip install ${parts.join(" ")}`;
        addEvidence(p, ...reqFiles, repo.has(joinRel(dir, "setup.py")) ? joinRel(dir, "setup.py") : undefined);
        break;
      }
    }

    const has = (d: string) => info.deps.has(d);
    const pytestConfigured =
      (isRecord(tool.pytest) && isRecord(tool.pytest.ini_options)) ||
      repo.has(joinRel(dir, "pytest.ini")) ||
      repo.has(joinRel(dir, "conftest.py")) || repo.has(joinRel(dir, "tests/conftest.py")) || repo.has(joinRel(dir, "test/conftest.py")) ||
      iniHasSection(repo, joinRel(dir, "setup.cfg"), "tool:pytest") ||
      iniHasSection(repo, joinRel(dir, "tox.ini"), "pytest");
    const pytestEvidence = [
      isRecord(tool.pytest) ? pyFile : undefined,
      ...["pytest.ini", "conftest.py", "tests/conftest.py", "test/conftest.py", "setup.cfg", "tox.ini"].map((n) => joinRel(dir, n)).filter((f) => repo.has(f)),
    ];
    if (has("pytest")) {
      // pytest must be installable by the install step: declared in the project's dependencies.
      // `python -m pytest` puts the project root on sys.path (a bare `pytest` does not), as flat layouts need.
      p.commands.test = pm === "pip" ? "python -m pytest" : `${prefix}python -m pytest`;
      addEvidence(p, ...info.depsEvidence);
      if (pytestConfigured) addEvidence(p, ...pytestEvidence);
    } else if (pytestConfigured) {
      repo.warn(`${dir === "." ? "the root" : dir}: pytest is configured but not declared in any dependency list; no test command (add pytest to the dev dependencies)`);
    } else if (has("django") && repo.has(joinRel(dir, "manage.py"))) {
      p.commands.test = pm === "pip" ? "python manage.py test" : `${prefix}python manage.py test`;
      addEvidence(p, joinRel(dir, "manage.py"));
    }

    const ruffConfigured = (isRecord(tool.ruff)) || repo.has(joinRel(dir, "ruff.toml")) || repo.has(joinRel(dir, ".ruff.toml"));
    const flake8Configured = repo.has(joinRel(dir, ".flake8")) || iniHasSection(repo, joinRel(dir, "setup.cfg"), "flake8") || iniHasSection(repo, joinRel(dir, "tox.ini"), "flake8");
    if (has("ruff")) {
      p.commands.lint = pm === "pip" ? "ruff check ." : `${prefix}ruff check .`;
    } else if (ruffConfigured) {
      // Configured (often through pre-commit) but not a dependency: run the released tool without installing it into the project.
      p.commands.lint = pm === "uv" ? "uvx ruff check ." : "pipx run ruff check .";
    } else if (has("flake8")) {
      p.commands.lint = pm === "pip" ? "python -m flake8" : `${prefix}flake8`;
    } else if (flake8Configured) {
      p.commands.lint = pm === "uv" ? "uvx flake8" : "pipx run flake8";
    }
    if (ruffConfigured || flake8Configured) {
      addEvidence(p, ...[isRecord(tool.ruff) ? pyFile : undefined, ...["ruff.toml", ".ruff.toml", ".flake8"].map((n) => joinRel(dir, n)).filter((f) => repo.has(f))]);
    }

    // Build: only when a build backend is declared (the project is a distributable package).
    const packageMode = poetryTool ? poetryTool["package-mode"] !== false : true;
    if (buildBackend && packageMode) {
      if (pm === "poetry") p.commands.build = "poetry build";
      else if (pm === "uv") p.commands.build = "uv build";
      else if (pm === "pdm") p.commands.build = "pdm build";
      else if (pm === "pip" && has("build")) p.commands.build = "python -m build";
    }

    // Frameworks
    let port: number | undefined;
    for (const fw of FRAMEWORKS) {
      if (!has(fw.dep)) continue;
      if (!p.frameworks.includes(fw.name)) p.frameworks.push(fw.name);
      if (fw.http) {
        p.servesHttp = true;
        if (port === undefined && fw.port) port = fw.port;
      }
    }
    if (port !== undefined) p.port = port;
    if (p.frameworks.length) addEvidence(p, ...info.depsEvidence);
    const start = pythonStart(repo, dir, project, poetryTool, has, port);
    if (start) {
      p.start = start.command;
      addEvidence(p, start.evidence);
    }
    projects.push(p);
  }
  // Projects nested under another Python project with no pyproject/setup.py of their own (e.g. a docs/ requirements.txt)
  // are tooling for the parent, not projects.
  const kept = projects.filter((p) => {
    if (p.workspaceRoot) return true;
    const parent = projects.find((q) => q !== p && isWithin(p.path, q.path));
    if (!parent) return true;
    const own = repo.has(joinRel(p.path, "pyproject.toml")) || repo.has(joinRel(p.path, "setup.py")) || repo.has(joinRel(p.path, "Pipfile"));
    return own || repo.has(joinRel(p.path, "Dockerfile"));
  });
  return { projects: kept, monorepo };
}

/** Where an app object usually lives, relative to the project: `<package>/main.py`, `app/main.py`, `main.py`… */
function entryCandidates(repo: Repo, dir: string): string[] {
  const packages = (repo.subdirsOf.get(normalize(dir)) ?? [])
    .flatMap((sub) => [sub, ...(sub.endsWith("/src") || sub === "src" ? repo.subdirsOf.get(sub) ?? [] : [])])
    .filter((sub) => repo.has(joinRel(sub, "__init__.py")));
  const inPackages = packages.flatMap((pkg) => ["main.py", "app.py", "api.py", "server.py", "asgi.py", "wsgi.py"].map((f) => joinRel(pkg, f)));
  return [...inPackages, ...["main.py", "app.py", "server.py"].map((f) => joinRel(dir, f))].filter((f) => repo.has(f));
}

/** `billing/main.py` under project `services/billing` → `billing.main`. */
function moduleName(dir: string, file: string): string {
  const rel = relativeTo(file, normalize(dir));
  return rel.replace(/^src\//, "").replace(/\.py$/, "").split("/").join(".");
}

/**
 * The container start command, only from what the project declares: a single console script
 * ([project.scripts] / [tool.poetry.scripts]), or the FastAPI/Starlette (uvicorn) or Flask (gunicorn) app
 * object in its entry module, when that server is a dependency. Django uses gunicorn with <project>.wsgi.
 */
function pythonStart(
  repo: Repo, dir: string, project: Record<string, unknown> | undefined, poetryTool: Record<string, unknown> | undefined,
  has: (dep: string) => boolean, port: number | undefined,
): { command: string[]; evidence: string } | undefined {
  const scripts = { ...(isRecord(project?.scripts) ? project.scripts : {}), ...(isRecord(poetryTool?.scripts) ? poetryTool.scripts : {}) };
  const names = Object.keys(scripts);
  if (names.length === 1) return { command: [names[0]!], evidence: joinRel(dir, "pyproject.toml") };
  const listen = String(port ?? 8000);
  for (const file of entryCandidates(repo, dir)) {
    const source = repo.read(file) ?? "";
    const asgi = /^(\w+)\s*(?::[^=\n]+)?=\s*(?:fastapi\.)?(?:FastAPI|Starlette)\(/m.exec(source);
    if (asgi && has("uvicorn")) {
      return { command: ["uvicorn", `${moduleName(dir, file)}:${asgi[1]}`, "--host", "0.0.0.0", "--port", listen], evidence: file };
    }
    const wsgi = /^(\w+)\s*(?::[^=\n]+)?=\s*(?:flask\.)?Flask\(/m.exec(source);
    if (wsgi && has("gunicorn")) {
      return { command: ["gunicorn", "--bind", `0.0.0.0:${listen}`, `${moduleName(dir, file)}:${wsgi[1]}`], evidence: file };
    }
  }
  if (has("django") && has("gunicorn") && repo.has(joinRel(dir, "manage.py"))) {
    const wsgiModule = (repo.subdirsOf.get(normalize(dir)) ?? []).map((sub) => joinRel(sub, "wsgi.py")).find((f) => repo.has(f));
    if (wsgiModule) return { command: ["gunicorn", "--bind", `0.0.0.0:${listen}`, moduleName(dir, wsgiModule)], evidence: wsgiModule };
  }
  return undefined;
}

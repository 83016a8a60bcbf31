// What counts as "the job did its work": for each kind of command a job runs, the line its tool prints when it
// really did it (packages installed, N tests passed). Exit code 0 without that line is a failure. And the failures
// that only this sandbox causes (registries or advisory databases it cannot reach), named so they are never hidden.

interface Rule {
  what: string;
  command: RegExp;
  /** Output that proves the work was done. */
  proof: RegExp;
}

// JS test runners: node:test, jest, vitest, mocha, bun test.
const JS_TESTS = /(?:^|\s)(?:# |ℹ )pass [1-9]\d*|Tests:?\s+[1-9]\d* passed|\b[1-9]\d* passing\b|^(?:.* > )?\s*[1-9]\d* pass\s*$|\bRan [1-9]\d* tests? across|Test Files\s+[1-9]\d* passed|\btests? [1-9]\d*\b.*\bpass [1-9]\d*/m;

const RULES: Rule[] = [
  { what: "npm ci installed packages", command: /\bnpm ci\b/, proof: /added [1-9]\d* packages?|up to date, audited [1-9]\d* packages/ },
  { what: "pnpm installed packages", command: /\bpnpm install\b/, proof: /Packages: \+[1-9]\d*|Already up to date|Lockfile is up to date/ },
  { what: "yarn installed packages", command: /\byarn install\b/, proof: /YN0000: .*Done|success Saved lockfile|Done in \d|Already up-to-date/ },
  { what: "bun installed packages", command: /\bbun install\b/, proof: /[1-9]\d* packages? installed|Checked [1-9]\d* installs?/ },
  { what: "pip installed requirements", command: /\bpip install -r\b/, proof: /Successfully installed|Requirement already satisfied/ },
  { what: "poetry installed the lock file", command: /\bpoetry install\b/, proof: /Installing dependencies from lock file/ },
  { what: "uv synced packages", command: /\buv sync\b/, proof: /Installed [1-9]\d* packages?|Audited [1-9]\d* packages?/ },
  { what: "pdm installed packages", command: /\bpdm install\b/, proof: /All packages are synced|Synchronizing working set|successfully installed/i },
  { what: "pipenv installed Pipfile.lock", command: /\bpipenv install\b/, proof: /Installing dependencies from Pipfile\.lock|All dependencies are now up-to-date/ },
  { what: "bundler installed gems", command: /\bbundle install\b/, proof: /Bundle complete!/ },
  { what: "composer installed packages", command: /\bcomposer install\b/, proof: /Generating (?:optimized )?autoload files/ },
  { what: "pytest ran tests", command: /\bpytest\b/, proof: /\b[1-9]\d* passed\b/ },
  { what: "JS tests ran", command: /\b(?:npm|pnpm|yarn) (?:run )?test\b|\bbun (?:run )?test\b|turbo run test\b/, proof: JS_TESTS },
  { what: "go test ran packages", command: /\bgo test\b/, proof: /(?:^|> )ok\s+\S+\s/m },
  { what: "cargo test ran tests", command: /\bcargo test\b/, proof: /test result: ok\. [1-9]\d* passed/ },
  { what: "maven ran tests", command: /(?:mvnw|mvn)\b.*\b(?:test|verify)\b(?!.*-DskipTests)/, proof: /Tests run: [1-9]\d*, Failures: 0, Errors: 0/ },
  { what: "gradle ran tests", command: /gradlew? (?:.* )?test\b/, proof: /BUILD SUCCESSFUL/ },
  { what: "rspec ran examples", command: /\brspec\b/, proof: /[1-9]\d* examples?, 0 failures/ },
  { what: "phpunit ran tests", command: /phpunit|artisan test|composer run-script test/, proof: /OK \([1-9]\d* tests?|Tests:\s+[1-9]\d* passed/ },
  { what: "ruff checked", command: /\bruff check\b/, proof: /All checks passed!/ },
  { what: "golangci-lint ran", command: /\bgolangci-lint run\b/, proof: /\b0 issues\b/ },
  { what: "rubocop inspected files", command: /\brubocop\b/, proof: /[1-9]\d* files? inspected, no offenses/ },
];

/** The proofs a job's commands call for that its output lacks. */
export function missingProof(commands: string[], output: string): string[] {
  const missing: string[] = [];
  for (const rule of RULES) {
    if (!commands.some((c) => rule.command.test(c))) continue;
    if (!rule.proof.test(output)) missing.push(rule.what);
  }
  return missing;
}

/** True when a job's commands include a test command with a known proof (so "passed" means tests ran). */
export const runsTests = (commands: string[]) => commands.some((c) => RULES.some((r) => /ran (tests|packages|examples)|tests ran/.test(r.what) && r.command.test(c)));

interface SandboxCause {
  name: string;
  command: RegExp;
  output: RegExp;
}

/** Failures that come from this sandbox's network, not from the generated pipeline or the project. */
const SANDBOX: SandboxCause[] = [
  { name: "npm audit endpoint answers 405/404 here", command: /\b(?:npm|pnpm) audit\b|\byarn (?:npm )?audit\b/, output: /405|Method Not Allowed|audit endpoint|ERR_PNPM_AUDIT|YN0035|404 Not Found|bulk advisory|Response Code: 4\d\d/i },
  { name: "RustSec advisory database (github.com) unreachable", command: /\bcargo audit\b/, output: /github\.com|advisory-db|couldn't fetch|failed to|error sending request/i },
  { name: "Go vulnerability database unreachable", command: /govulncheck/, output: /vuln\.go\.dev|dial tcp|lookup|connection refused|no such host/i },
  { name: "PyPI vulnerability service not answering here", command: /pip[-_]audit/, output: /could not be audited|Connection|Max retries|HTTPSConnection/i },
  { name: "rubygems.org unreachable", command: /\bbundle install\b|\bgem install\b|bundle-audit/, output: /rubygems\.org|Could not fetch specs|Gem::RemoteFetcher|network is unreachable|Failed to open TCP/i },
  { name: "packagist.org unreachable", command: /\bcomposer\b/, output: /packagist\.org|curl error|Could not resolve host|The "https:\/\/repo\.packagist|failed to open stream|Connection (refused|timed out)|could not be downloaded/i },
  { name: "github.com release download unreachable", command: /wget .*github\.com|curl .*github\.com/, output: /github\.com|wget|curl|ERROR|failed/i },
  { name: "Gradle distribution (services.gradle.org) unreachable", command: /gradlew/, output: /services\.gradle\.org|Downloading https|UnknownHost/i },
];

/** The sandbox cause of a job failure, when the failing command is one of those above and its output says so. */
export function sandboxCause(failedCommand: string | undefined, output: string): string | undefined {
  if (!failedCommand) return undefined;
  return SANDBOX.find((s) => s.command.test(failedCommand) && s.output.test(output))?.name;
}

/** A step that did not fail but could not do its work only because of the sandbox (e.g. an audit that audited nothing). */
export function sandboxDegraded(commands: string[], output: string): string[] {
  const out: string[] = [];
  if (commands.some((c) => /pip[-_]audit/.test(c)) && /could not be audited/.test(output)) out.push("pip-audit audited nothing: PyPI vulnerability service not answering here");
  return out;
}

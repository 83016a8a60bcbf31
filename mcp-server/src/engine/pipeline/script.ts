/**
 * Shell commands as lines a `set -e` shell runs so that no failure is swallowed. GitLab CI runs every script line of
 * a job in one shell with errexit, and errexit ignores the left side of `a && b`: a failing `cargo fmt --check`
 * followed by another line ends green. So `a && b` becomes two lines, and a negated test (`! grep …`, which errexit
 * also ignores) becomes an explicit `if …; then exit 1; fi`.
 */

/** Splits a command on top-level `&&` (outside quotes, parentheses, braces and `$(…)`). */
export function splitAndList(command: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: "'" | '"' | null = null;
  let start = 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "(" || c === "{") depth++;
    else if (c === ")" || c === "}") depth = Math.max(0, depth - 1);
    else if (c === "\n") return [command]; // multi-line scripts are kept whole: each of their lines is already a command
    else if (depth === 0 && c === "&" && command[i + 1] === "&") {
      parts.push(command.slice(start, i).trim());
      start = i + 2;
      i++;
    }
  }
  parts.push(command.slice(start).trim());
  return parts.filter((p) => p !== "");
}

/** One command of an and-list as a line errexit cannot ignore. */
function strict(part: string): string {
  const negated = part.match(/^!\s+(.+)$/s);
  return negated ? `if ${negated[1]}; then exit 1; fi` : part;
}

/** Script lines for a command: one line per `&&` member, each failing the job on its own. */
export function strictLines(command: string): string[] {
  const parts = splitAndList(command);
  return parts.length === 1 && !parts[0]!.startsWith("!") ? parts : parts.map(strict);
}

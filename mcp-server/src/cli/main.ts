import { Command, CommanderError, Option } from "commander";
import { z } from "zod";
import type { Capability, CliOption } from "../engine/core/capability.ts";
import { commonCliOptions, runCapability } from "../engine/core/capability.ts";
import { describeFileSystemError, describeZodError } from "../engine/core/errors.ts";
import { exitCodeFor, summarise } from "../engine/core/summary.ts";
import { InputError } from "../engine/core/types.ts";
import { CAPABILITIES } from "../engine/index.ts";
import { VERSION } from "../version.ts";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function toValue(option: CliOption, raw: unknown): unknown {
  if (option.type === "bool") return raw === true;
  if (typeof raw !== "string") return raw;
  if (option.type === "list") return raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (option.type === "int") return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  return raw;
}

/** commander's camel-cased attribute name for a flag spec like "--canary-steps <list>". */
function attributeOf(flags: string): string {
  return new Option(flags).attributeName();
}

/** Builds the `senior-devops` program; every subcommand is generated from a capability definition. */
export function buildProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command("senior-devops")
    .description("A senior DevOps engineer on the command line: analyse a repo and write verified CI/CD, Terraform and Kubernetes deployments into it.")
    .version(VERSION, "-V, --version")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .exitOverride();

  for (const capability of CAPABILITIES) addSubcommand(program, capability, io, setExitCode);
  return program;
}

function addSubcommand(program: Command, capability: Capability, io: Io, setExitCode: (code: number) => void): void {
  const writes = !capability.annotations.readOnlyHint;
  // The adapter owns the common flags; a capability that lists one too gets it once.
  const own = capability.cli.options.filter((o) => !commonCliOptions.some((c) => c.key === o.key));
  const options = [...own, ...(writes ? commonCliOptions : [])];
  const command = program
    .command(`${capability.cli.command} [path]`)
    .summary(capability.cli.summary)
    .description(capability.description)
    .option("--json", "print exactly the MCP tool's structuredContent as JSON on stdout (logs go to stderr)")
    .option("-q, --quiet", "no progress messages on stderr")
    .exitOverride();
  for (const option of options) command.option(option.flags, option.description);

  command.action(async (path: string | undefined, flags: Record<string, unknown>) => {
    const raw: Record<string, unknown> = { path: path ?? "." };
    for (const option of options) {
      const value = flags[attributeOf(option.flags)];
      if (value !== undefined) raw[option.key] = toValue(option, value);
    }
    const parsed = z.object(capability.inputShape).safeParse(raw);
    if (!parsed.success) {
      io.stderr(`senior-devops ${capability.cli.command}: invalid input\n${describeZodError(parsed.error)}\nNothing was written.\n`);
      setExitCode(EXIT_BAD_INPUT);
      return;
    }
    const progress = flags.quiet ? () => undefined : (message: string) => io.stderr(`… ${message}\n`);
    try {
      // People get every diff; --json prints exactly what the MCP tool returns (compact unless --detail full).
      const { full, result } = await runCapability(capability, parsed.data, { progress });
      io.stdout(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${summarise(full)}\n`);
      setExitCode(exitCodeFor(result));
    } catch (error) {
      if (error instanceof InputError) {
        io.stderr(`senior-devops ${capability.cli.command}: ${error.message}\nNothing was written.\n`);
        setExitCode(EXIT_BAD_INPUT);
        return;
      }
      // File-system trouble (read-only, full, ulimit, symlink loops, another run's lock…) is a message, not a stack.
      const failure = describeFileSystemError(error);
      if (failure) {
        io.stderr(`senior-devops ${capability.cli.command}: ${failure.message}\n${failure.nothingWritten ? "Nothing was written.\n" : ""}`);
        setExitCode(failure.exitCode);
        return;
      }
      throw error;
    }
  });
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      const benign = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
      return benign ? EXIT_OK : EXIT_BAD_INPUT;
    }
    io.stderr(`senior-devops: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILED;
  }
  return exitCode;
}

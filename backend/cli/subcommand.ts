// The `dcoc-control` command line: a table of subcommands (serve, and later
// backup, restore, migrate), each with a one-line summary and its own --help.
// Usage errors exit 2 and say what to run; a subcommand's own failures are its
// to report.

export interface Subcommand {
  name: string;
  /** One line for `dcoc-control --help`. */
  summary: string;
  /** The text of `dcoc-control <name> --help`. */
  help: () => string;
  /**
   * Runs with the arguments after the subcommand's name. Resolves to an exit
   * status, or undefined for a command that keeps running (a server) and exits
   * on its own.
   */
  run: (argv: string[]) => Promise<number | undefined>;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Thrown by a subcommand for a bad flag or argument: printed with a pointer to --help, exit 2. */
export class UsageError extends Error {}

const isHelp = (a: string | undefined) => a === '--help' || a === '-h' || a === 'help';

export function topHelp(program: string, version: string, commands: readonly Subcommand[], defaultCommand: string): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `${program} ${version}: the DCOC control service.`,
    '',
    `Usage: ${program} [COMMAND] [ARGS]    (no COMMAND: ${defaultCommand})`,
    `       ${program} COMMAND --help`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}${c.name === defaultCommand ? ' (default)' : ''}`),
    '',
    'Options:',
    '  --help, -h    print this help and exit',
    '  --version     print the version and exit',
    '',
    'Settings are DCOC_* environment variables: see `dcoc-control serve --help` or docs/settings.md.',
    '',
  ].join('\n');
}

export async function runCli(opts: { program: string; version: string; commands: readonly Subcommand[]; defaultCommand: string; argv: string[]; io?: CliIo }): Promise<number | undefined> {
  const { program, version, commands, defaultCommand, argv } = opts;
  const io = opts.io ?? stdio;
  const usage = (msg: string) => {
    io.err(`${program}: ${msg}; run ${program} --help\n`);
    return 2;
  };
  const first = argv[0];
  if (isHelp(first)) {
    if (argv.length > 1 && first === 'help') {
      const c = commands.find((x) => x.name === argv[1]);
      if (!c) return usage(`unknown command ${JSON.stringify(argv[1])}`);
      io.out(c.help());
      return 0;
    }
    io.out(topHelp(program, version, commands, defaultCommand));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(`${program} ${version}\n`);
    return 0;
  }
  let command = commands.find((c) => c.name === first);
  let rest = argv.slice(1);
  if (!command) {
    if (first !== undefined) return usage(first.startsWith('-') ? `unknown option ${first}` : `unknown command ${JSON.stringify(first)}`);
    command = commands.find((c) => c.name === defaultCommand)!;
    rest = [];
  }
  if (rest.some(isHelp)) {
    io.out(command.help());
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) return usage(`${command.name}: ${e.message}`);
    throw e;
  }
}

// The command line both tool installers take: [--help] [--list] [tool...].

export type ToolArgs = { exit: number } | { list: boolean; chosen: string[] };

/** Parses argv against the known tool names; prints help or the error itself and says which exit code to use. */
export function parseToolArgs(argv: string[], known: string[], help: string, log: (msg: string) => void): ToolArgs {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help);
    return { exit: 0 };
  }
  const unknownFlag = argv.find((a) => a.startsWith('-') && a !== '--list');
  if (unknownFlag) {
    log(`unknown option ${unknownFlag}; see --help`);
    return { exit: 2 };
  }
  const names = argv.filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) {
    log(`unknown tool ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return { exit: 2 };
  }
  return { list: argv.includes('--list'), chosen: names.length ? names : known };
}

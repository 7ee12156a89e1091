// `dcoc-control`: the control service's command line (backend/cli/); with no
// command it serves (backend/cli/serve.ts).
import { VERSION } from '../lib/version';
import { COMMANDS, DEFAULT_COMMAND } from './cli/commands';
import { runCli } from './cli/subcommand';

const code = await runCli({ program: 'dcoc-control', version: VERSION, commands: COMMANDS, defaultCommand: DEFAULT_COMMAND, argv: process.argv.slice(2) });
if (code !== undefined) process.exit(code);

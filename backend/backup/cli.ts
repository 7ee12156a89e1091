// A stand-in entry for `dcoc-control backup|restore` until the shared
// dcoc-control dispatcher (backend/cli/) runs these subcommands:
//   node --import tsx backend/backup/cli.ts backup --out DIR
import { backupCommand, restoreCommand } from './commands';

const commands = [backupCommand, restoreCommand];
const [name, ...rest] = process.argv.slice(2);
const command = commands.find((c) => c.name === name);
if (!command) {
  process.stderr.write(`usage: dcoc-control <${commands.map((c) => c.name).join('|')}> [--help]\n${commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}\n`);
  process.exitCode = name === '--help' || name === '-h' ? 0 : 2;
} else {
  process.exitCode = await command.run(rest);
}

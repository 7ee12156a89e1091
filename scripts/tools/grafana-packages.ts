// Installs Grafana's own npm packages at the oldest version the plugin declares
// (src/plugin.json dependencies.grafanaDependency, ">=X.Y.Z") into the ignored
// cache folder .data/tools/npm/grafana-<version>/, so tests can type-check and
// run the pages against that release's @grafana/* as well as the one the build
// uses. @grafana/ui of that age names a git tarball for react-data-grid, which
// the npm registry cannot serve: it is replaced by the registry's
// @grafana/react-data-grid the repository already uses. Peers are not
// installed; afterwards every package of the repository's node_modules that
// the old release does not bring is linked in, and the repository's own direct
// dependencies (react, react-router-dom, ...) always come from the repository,
// so there is one React. Nothing runs at install (--ignore-scripts).
//
//   node --import tsx scripts/tools/grafana-packages.ts [--help] [--list]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** What the app imports from Grafana, installed at the oldest declared version (they pin their other @grafana packages to it). */
export const GRAFANA_PACKAGES = ['@grafana/data', '@grafana/runtime', '@grafana/ui', '@grafana/schema'];
const DONE = '.installed';

/** The minimum Grafana version src/plugin.json declares. */
export function oldestGrafana(): string {
  const plugin = JSON.parse(readFileSync(join(ROOT, 'src', 'plugin.json'), 'utf8')) as { dependencies?: { grafanaDependency?: string } };
  const m = /^>=\s*(\d+\.\d+\.\d+)$/.exec(plugin.dependencies?.grafanaDependency ?? '');
  if (!m) throw new Error(`src/plugin.json dependencies.grafanaDependency is not ">=X.Y.Z": ${plugin.dependencies?.grafanaDependency}`);
  return m[1];
}

const treeOf = (version: string) => join(resolve(process.env.DCOC_NPM_TOOLS_DIR || join(ROOT, '.data', 'tools', 'npm')), `grafana-${version}`);

/** The install is tied to the repository's node_modules (it links into it): its lock file names the state. */
const lockKey = () => createHash('sha256').update(readFileSync(join(ROOT, 'package-lock.json'))).digest('hex').slice(0, 16);

/** node_modules with @grafana/* at the oldest declared version and everything else from the repository, or undefined. Never installs. */
export function findOldestGrafanaModules(version = oldestGrafana()): string | undefined {
  const tree = treeOf(version);
  const done = join(tree, DONE);
  return existsSync(done) && readFileSync(done, 'utf8').trim() === `${version} ${lockKey()}` ? join(tree, 'node_modules') : undefined;
}

/** One package's folder in that node_modules, or undefined. */
export function findGrafanaPackage(name: string, version = oldestGrafana()): string | undefined {
  const modules = findOldestGrafanaModules(version);
  return modules && existsSync(join(modules, name, 'package.json')) ? join(modules, name) : undefined;
}

const log = (msg: string) => process.stderr.write(`grafana-packages: ${msg}\n`);

/** Top-level packages of a node_modules folder, scoped ones as "@scope/name". */
function packagesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (n.startsWith('.') ? [] : n.startsWith('@') ? readdirSync(join(dir, n)).map((m) => `${n}/${m}`) : [n]));
}

function install(version: string): void {
  const tree = treeOf(version);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const repoModules = join(ROOT, 'node_modules');
  const gridVersion = (JSON.parse(readFileSync(join(repoModules, '@grafana', 'react-data-grid', 'package.json'), 'utf8')) as { version: string }).version;
  writeFileSync(
    join(tree, 'package.json'),
    `${JSON.stringify(
      {
        name: `grafana-${version}-packages`,
        private: true,
        description: 'written by scripts/tools/grafana-packages.ts',
        dependencies: Object.fromEntries(GRAFANA_PACKAGES.map((p) => [p, version])),
        overrides: { 'react-data-grid': `npm:@grafana/react-data-grid@${gridVersion}` },
      },
      null,
      2,
    )}\n`,
  );
  log(`installing ${GRAFANA_PACKAGES.map((p) => `${p}@${version}`).join(', ')} from the npm registry (about a minute) ...`);
  const t0 = Date.now();
  const r = spawnSync('npm', ['install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tree, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm install in ${tree} failed: ${(r.stderr || r.error?.message || '').trim().slice(-2000)}`);
  const modules = join(tree, 'node_modules');
  const own = new Set(packagesIn(modules));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const direct = new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) => !n.startsWith('@grafana/')));
  let linked = 0;
  for (const name of packagesIn(repoModules)) {
    // The old release keeps its own dependencies; the repository's direct ones and type packages are the repository's.
    if (own.has(name) && !direct.has(name) && !name.startsWith('@types/')) continue;
    const at = join(modules, name);
    if (own.has(name)) rmSync(at, { recursive: true, force: true });
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(join(repoModules, name), at);
    linked++;
  }
  const bin = join(modules, '.bin');
  if (existsSync(bin) && lstatSync(bin).isDirectory()) rmSync(bin, { recursive: true, force: true });
  else if (existsSync(bin)) unlinkSync(bin);
  symlinkSync(join(repoModules, '.bin'), bin);
  writeFileSync(join(tree, DONE), `${version} ${lockKey()}\n`);
  log(`installed in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${modules} (${own.size} packages of ${version}, ${linked} linked from the repository)`);
}

const HELP = `Usage: node --import tsx scripts/tools/grafana-packages.ts [--help] [--list]

Installs ${GRAFANA_PACKAGES.join(', ')} at the oldest Grafana version
src/plugin.json declares (now ${oldestGrafana()}) from the npm registry into
.data/tools/npm/grafana-<version>/ (or $DCOC_NPM_TOOLS_DIR), with everything
else linked from the repository's node_modules; again after package-lock.json
changes. Run it after npm ci.

  --list   print the folder (or "not installed"), install nothing
`;

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const unknown = argv.find((a) => a !== '--list');
  if (unknown) {
    log(`unknown argument ${unknown}; see --help`);
    return 2;
  }
  const version = oldestGrafana();
  const found = findOldestGrafanaModules(version);
  if (argv.includes('--list')) {
    process.stdout.write(`grafana ${version}\t${found ?? 'not installed'}\n`);
    return 0;
  }
  if (found) {
    log(`@grafana/* ${version}: already installed (${found})`);
    return 0;
  }
  try {
    install(version);
  } catch (e) {
    log(`${(e as Error).message}; check that the npm registry is reachable and npm ci has run, then run this again`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) process.exit(main(process.argv.slice(2)));

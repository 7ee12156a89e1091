// Fetches Grafana's own npm packages at the oldest version the plugin declares
// (src/plugin.json dependencies.grafanaDependency, ">=X.Y.Z") from the npm
// registry, unpacked and untouched, into the ignored cache folder
// .data/tools/npm/grafana-<version>/<package>/, so tests can check the plugin
// against that release's own code (not only the @grafana/* it builds with).
// Only the package itself is unpacked, never installed: nothing runs.
//
//   node --import tsx scripts/tools/grafana-packages.ts [--help] [--list]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** The packages the tests read at the oldest version. */
export const GRAFANA_PACKAGES = ['@grafana/data'];
const DONE = '.unpacked';

/** The minimum Grafana version src/plugin.json declares. */
export function oldestGrafana(): string {
  const plugin = JSON.parse(readFileSync(join(ROOT, 'src', 'plugin.json'), 'utf8')) as { dependencies?: { grafanaDependency?: string } };
  const m = /^>=\s*(\d+\.\d+\.\d+)$/.exec(plugin.dependencies?.grafanaDependency ?? '');
  if (!m) throw new Error(`src/plugin.json dependencies.grafanaDependency is not ">=X.Y.Z": ${plugin.dependencies?.grafanaDependency}`);
  return m[1];
}

const folderOf = (version: string) => join(resolve(process.env.DCOC_NPM_TOOLS_DIR || join(ROOT, '.data', 'tools', 'npm')), `grafana-${version}`);

/** The unpacked package folder (its package.json inside) at the oldest declared version, or undefined. Never fetches. */
export function findGrafanaPackage(name: string, version = oldestGrafana()): string | undefined {
  const dir = join(folderOf(version), name);
  return existsSync(join(dir, DONE)) ? dir : undefined;
}

const log = (msg: string) => process.stderr.write(`grafana-packages: ${msg}\n`);

function fetchPackage(name: string, version: string): void {
  const base = folderOf(version);
  const tmp = join(base, `.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const pack = spawnSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', tmp], { encoding: 'utf8' });
    if (pack.status !== 0) throw new Error(`npm pack ${name}@${version} failed: ${pack.stderr.trim() || pack.error?.message}`);
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${name}@${version} left no tarball`);
    const untar = spawnSync('tar', ['xzf', join(tmp, tgz), '-C', tmp], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`tar could not unpack ${tgz}: ${untar.stderr.trim()}`);
    const dest = join(base, name);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(join(dest, '..'), { recursive: true });
    renameSync(join(tmp, 'package'), dest);
    writeFileSync(join(dest, DONE), `${name}@${version}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const HELP = `Usage: node --import tsx scripts/tools/grafana-packages.ts [--help] [--list]

Unpacks ${GRAFANA_PACKAGES.join(', ')} at the oldest Grafana version src/plugin.json
declares (now ${oldestGrafana()}) from the npm registry into
.data/tools/npm/grafana-<version>/ (or $DCOC_NPM_TOOLS_DIR), once.

  --list   print each package's folder (or "not fetched"), fetch nothing
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
  for (const name of GRAFANA_PACKAGES) {
    const found = findGrafanaPackage(name, version);
    if (argv.includes('--list')) {
      process.stdout.write(`${name}\t${version}\t${found ?? 'not fetched'}\n`);
      continue;
    }
    if (found) {
      log(`${name}@${version}: already unpacked (${found})`);
      continue;
    }
    try {
      fetchPackage(name, version);
      log(`${name}@${version}: unpacked -> ${findGrafanaPackage(name, version)}`);
    } catch (e) {
      log(`${(e as Error).message}; check that the npm registry is reachable, then run this again`);
      return 1;
    }
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) process.exit(main(process.argv.slice(2)));

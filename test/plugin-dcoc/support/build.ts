// The shipped DCOC executables for tests: built once with the real build
// script into a cache directory keyed on a hash of everything that goes into
// them, so the test files share one build and a fresh clone builds on demand.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { buildPluginBackends, pluginBackendPaths } from '../../../scripts/build-plugin-backend';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CACHE = join(tmpdir(), 'dcoc-plugin-builds');
/** Builds of other source states older than this are removed (never a build another run may be using right now). */
const PRUNE_AFTER_MS = 60 * 60_000;

export interface DcocExecutables {
  app: string;
  datasource: string;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'generated' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** Everything the executables are made of: plugin sources, the contracts they import, the build script, the locked dependencies, and the node that is embedded. */
export function sourceHash(): string {
  const h = createHash('sha256');
  h.update(`${process.version} ${process.platform} ${process.arch}\n`);
  const inputs = [
    ...files(join(ROOT, 'plugin')),
    ...files(join(ROOT, 'contracts')),
    join(ROOT, 'scripts', 'build-plugin-backend.ts'),
    join(ROOT, 'package-lock.json'),
  ];
  for (const f of inputs) {
    h.update(relative(ROOT, f) + '\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

let pending: Promise<DcocExecutables> | undefined;

export function dcocExecutables(): Promise<DcocExecutables> {
  pending ??= build();
  return pending;
}

async function build(): Promise<DcocExecutables> {
  const dir = join(CACHE, sourceHash());
  if (!existsSync(dir)) {
    mkdirSync(CACHE, { recursive: true });
    const work = `${dir}.building-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    await buildPluginBackends(work);
    try {
      renameSync(work, dir); // atomic: a concurrent run sees a whole build or none
    } catch {
      rmSync(work, { recursive: true, force: true }); // another run finished first
    }
    prune(dir);
  }
  const paths = pluginBackendPaths(dir);
  for (const p of Object.values(paths)) if (!existsSync(p)) throw new Error(`missing executable ${p}`);
  return paths;
}

function prune(keep: string): void {
  for (const name of readdirSync(CACHE)) {
    const p = join(CACHE, name);
    if (p === keep) continue;
    try {
      if (Date.now() - statSync(p).mtimeMs > PRUNE_AFTER_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // raced with another run's prune
    }
  }
}

// The built plugin for tests, made once per source state and shared by every
// test file and every concurrent test process: the backend executables
// (scripts/build-plugin-backend.ts) and the whole dist/ as `npm run build`
// lays it out (webpack, then those executables beside it). Each build lives
// in .data/test-builds/<kind>-<hash of its inputs>/, made under a lock and
// published by an atomic rename, so a reader sees a whole build or none.
//
//   const exes = await dcocExecutables();   // { app, datasource }
//   const { dist } = await builtPlugin();   // dist/ with both executables
//
// Run directly (`node --import tsx test/support/plugin-build.ts`) it builds
// both; scripts/run-tests.mjs does so once before the tests that need them.
// Tests must not write into these folders.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, copyFileSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, lstatSync, chmodSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPluginBackends, pluginBackendPaths } from '../../scripts/build-plugin-backend';
import { pidAlive } from './pid-alive';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const CACHE = resolve(process.env.DCOC_TEST_BUILDS_DIR || join(ROOT, '.data', 'test-builds'));
/** Builds of other source states older than this are removed (never a build another run may be using right now). */
const PRUNE_AFTER_MS = 6 * 60 * 60_000;
/** A lock whose holder is alive but silent this long is taken over (a build takes about a minute). */
const STALE_LOCK_MS = 15 * 60_000;

export interface DcocExecutables {
  app: string;
  datasource: string;
}

export interface BuiltPlugin {
  /** dist/ as Grafana loads it: plugin.json, module.js, …, and the executables. */
  dist: string;
  executables: DcocExecutables;
}

const SKIP = new Set(['node_modules', 'generated', '.data', 'dist', '.git']);

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) if (!SKIP.has(name)) out.push(...files(join(path, name)));
  return out;
}

function hashOf(inputs: string[]): string {
  const h = createHash('sha256');
  h.update(`${process.version} ${process.platform} ${process.arch}\n`);
  for (const f of inputs.flatMap((p) => files(join(ROOT, p)))) {
    h.update(relative(ROOT, f) + '\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** What the executables are made of: the plugin, what it may import, the build script, the locked dependencies, and the node that is embedded. */
const BACKEND_INPUTS = ['plugin', 'contracts', 'lib', 'scripts/build-plugin-backend.ts', 'package-lock.json'];
/** What dist/ is made of besides the executables: the frontend, webpack's configuration, and the files it copies (README, CHANGELOG, …). */
const FRONTEND_INPUTS = ['src', 'contracts', '.config', 'package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'CHANGELOG.md', 'SECURITY.md', 'LICENSE'];

export const backendSourceHash = () => hashOf(BACKEND_INPUTS);
export const pluginSourceHash = () => hashOf([...BACKEND_INPUTS, ...FRONTEND_INPUTS]);


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The folder CACHE/<name>, made by `make(workDir)` unless it exists; one maker at a time across processes. */
async function cached(name: string, make: (work: string) => Promise<void>): Promise<string> {
  const dir = join(CACHE, name);
  const lock = `${dir}.lock`;
  mkdirSync(CACHE, { recursive: true });
  while (!existsSync(dir)) {
    try {
      mkdirSync(lock); // atomic: the one process that creates it builds
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // the holder has not written its pid yet, or just finished
      }
      const age = (() => {
        try {
          return Date.now() - statSync(lock).mtimeMs;
        } catch {
          return 0;
        }
      })();
      if ((Number.isInteger(holder) && !pidAlive(holder)) || age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else await sleep(250);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      if (existsSync(dir)) break; // finished by another process between our check and the lock
      const work = `${dir}.building-${process.pid}`;
      rmSync(work, { recursive: true, force: true });
      await make(work);
      renameSync(work, dir);
      prune(name);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return dir;
}

function prune(keep: string): void {
  for (const name of readdirSync(CACHE)) {
    if (name === keep) continue;
    const p = join(CACHE, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > PRUNE_AFTER_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // raced with another run's prune
    }
  }
}

/** Hard links `from` into `to` (same file system: no 200 MB copies), copying where linking is refused. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    const st = lstatSync(src);
    if (st.isDirectory()) linkTree(src, dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
        chmodSync(dst, st.mode);
      }
    }
  }
}

function buildFrontend(outDir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', ['run', '--silent', 'build:frontend', '--', '--output-path', outDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`frontend build failed (exit ${code}):\n${out}`))));
  });
}

function checked(paths: DcocExecutables): DcocExecutables {
  for (const p of Object.values(paths)) if (!existsSync(p)) throw new Error(`missing executable ${p}`);
  return paths;
}

let backends: Promise<DcocExecutables> | undefined;
let plugin: Promise<BuiltPlugin> | undefined;

/** The two backend executables, built by scripts/build-plugin-backend.ts. */
export function dcocExecutables(): Promise<DcocExecutables> {
  backends ??= cached(`backends-${backendSourceHash()}`, async (work) => void (await buildPluginBackends(work))).then((dir) => checked(pluginBackendPaths(dir)));
  return backends;
}

/** dist/ as `npm run build` makes it (scripts/build.ts: webpack, then the executables into the same folder). */
export function builtPlugin(): Promise<BuiltPlugin> {
  plugin ??= (async () => {
    const exesDir = join(CACHE, `backends-${backendSourceHash()}`);
    await dcocExecutables();
    const dist = await cached(`dist-${pluginSourceHash()}`, async (work) => {
      await buildFrontend(work);
      linkTree(exesDir, work);
    });
    return { dist, executables: checked(pluginBackendPaths(dist)) };
  })();
  return plugin;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  builtPlugin().then(
    (b) => process.stderr.write(`plugin-build: ${b.dist} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`),
    (err: unknown) => {
      process.stderr.write(`plugin-build: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

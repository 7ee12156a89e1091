// `npm run build:server`: the control service and the agent as production
// artifacts, each a directory that runs with `npm ci --omit=dev` and nothing
// else of the repository:
//
//   dist-server/dcoc-control/   bin/dcoc-control (one ESM bundle, node20), assets/, package.json, package-lock.json
//   dist-server/dcoc-agent/     bin/dcoc-agent, package.json, package-lock.json
//
// Everything is bundled but the packages that cannot be (native better-sqlite3)
// or are kept whole (pg): those are the artifact's dependencies, pinned to the
// root lockfile's versions. Files the code reads at run time next to its
// source (import.meta.dirname) are copied under assets/ and the bundle finds
// them there; a source file reading beside itself that is not listed in
// ASSETS fails the build, so a new one cannot be forgotten.
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';
import { type Lockfile, lockedVersion, subsetLockfile } from './lockfile';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const DIST_SERVER = join(ROOT, 'dist-server');

export interface ArtifactSpec {
  name: 'dcoc-control' | 'dcoc-agent';
  entry: string;
  description: string;
  /** Packages left out of the bundle and installed beside it. */
  external: string[];
}

export const ARTIFACTS: readonly ArtifactSpec[] = [
  { name: 'dcoc-control', entry: 'backend/main.ts', description: 'The DCOC control service', external: ['better-sqlite3', 'pg'] },
  { name: 'dcoc-agent', entry: 'agent/main.ts', description: 'The DCOC agent for one Gen3 commons', external: [] },
];

/**
 * Source directories whose code reads files beside itself (import.meta.dirname),
 * with what it reads, relative to the repository root. Empty: the read is
 * source-only (lib/version.ts: the bundle has the version built in).
 */
export const ASSETS: Record<string, string[]> = {
  'backend/deployments': ['backend/deployments/templates', 'backend/deployments/profiles', 'backend/deployments/releases'],
  'backend/dashboards': ['dashboards/commons.json'],
  lib: [],
};

/** Packages that are imported optionally (inside try/catch) by bundled code and must stay unresolved rather than fail the build. */
const NEVER_BUNDLED = ['pg-native'];

// The bundle is ESM; bundled CommonJS packages still call require() and read __dirname.
const BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __dcocCreateRequire } from 'node:module';",
  "import { fileURLToPath as __dcocFileURLToPath } from 'node:url';",
  'const require = __dcocCreateRequire(import.meta.url);',
  'const __filename = __dcocFileURLToPath(import.meta.url);',
  "const __dirname = __dcocFileURLToPath(new URL('.', import.meta.url));",
  "const __dcocAssets = __dcocFileURLToPath(new URL('../assets', import.meta.url));",
].join('\n');

/** Rewrites `import.meta.dirname` in the repository's own sources to where that directory's assets are in the artifact. */
function assetsPlugin(used: Set<string>): Plugin {
  return {
    name: 'dcoc-assets',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.dirname')) return undefined;
        const dir = relative(ROOT, dirname(args.path));
        if (!(dir in ASSETS)) {
          return { errors: [{ text: `${relative(ROOT, args.path)} reads files beside itself (import.meta.dirname): list what it reads in ASSETS of scripts/package/server/build.ts` }] };
        }
        used.add(dir);
        return { contents: source.replaceAll('import.meta.dirname', `(__dcocAssets + ${JSON.stringify(`/${dir}`)})`), loader: 'ts' };
      });
    },
  };
}

export interface BuiltArtifact {
  name: string;
  dir: string;
  bin: string;
  version: string;
  dependencies: Record<string, string>;
}

export async function buildArtifact(spec: ArtifactSpec, outRoot = DIST_SERVER): Promise<BuiltArtifact> {
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines: Record<string, string>; dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const dir = join(outRoot, spec.name);
  rmSync(dir, { recursive: true, force: true });
  const bin = join(dir, 'bin', spec.name);
  const used = new Set<string>();
  const external = spec.external.filter((d) => d in rootPkg.dependencies);
  const result = await build({
    entryPoints: [join(ROOT, spec.entry)],
    outfile: bin,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...external, ...NEVER_BUNDLED],
    define: { __DCOC_VERSION__: JSON.stringify(rootPkg.version) },
    banner: { js: BANNER },
    plugins: [assetsPlugin(used)],
    legalComments: 'external',
    logLevel: 'warning',
    metafile: true,
  });
  chmodSync(bin, 0o755);
  for (const d of used) {
    for (const asset of ASSETS[d]) cpSync(join(ROOT, asset), join(dir, 'assets', asset), { recursive: true });
  }
  // Every bundled package, for the licence notice and the tests.
  const bundled = [...new Set(Object.keys(result.metafile.inputs).flatMap((f) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? []))].sort();
  const dependencies = Object.fromEntries(external.map((d) => [d, lockedVersion(lock, d)]));
  const pkg = {
    name: spec.name,
    version: rootPkg.version,
    description: spec.description,
    private: true,
    type: 'module',
    engines: rootPkg.engines,
    bin: { [spec.name]: `bin/${spec.name}` },
    dependencies,
    dcoc: { entry: spec.entry, bundled },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(subsetLockfile(lock, { name: spec.name, version: rootPkg.version, dependencies }), null, 2)}\n`);
  return { name: spec.name, dir, bin, version: rootPkg.version, dependencies };
}

export async function buildServerArtifacts(outRoot = DIST_SERVER): Promise<BuiltArtifact[]> {
  mkdirSync(outRoot, { recursive: true });
  const out: BuiltArtifact[] = [];
  for (const spec of ARTIFACTS) out.push(await buildArtifact(spec, outRoot));
  return out;
}

const HELP = `npm run build:server [-- --out DIR]
Builds dist-server/dcoc-control and dist-server/dcoc-agent (or under DIR). Then, in each:
  npm ci --omit=dev      # installs its runtime dependencies only (better-sqlite3 compiles or uses a prebuilt binary)
  bin/dcoc-control --help
`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const outAt = args.indexOf('--out');
  const unknown = args.filter((a, i) => a !== '--out' && i !== outAt + 1);
  if (unknown.length || (outAt >= 0 && !args[outAt + 1])) {
    process.stderr.write(`build:server: unexpected ${unknown[0] ?? '--out without a directory'}; run npm run build:server -- --help\n`);
    process.exit(2);
  }
  const outRoot = outAt >= 0 ? join(process.cwd(), args[outAt + 1]) : DIST_SERVER;
  buildServerArtifacts(outRoot).then(
    (built) => {
      for (const a of built) console.log(`${relative(process.cwd(), a.dir) || '.'}: ${a.name} ${a.version}; runtime dependencies: ${Object.entries(a.dependencies).map(([n, v]) => `${n}@${v}`).join(', ') || 'none'}`);
      console.log('Next, in each: npm ci --omit=dev');
    },
    (e: Error) => {
      console.error(`build:server failed: ${e.message}`);
      process.exit(1);
    },
  );
}

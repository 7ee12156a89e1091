// Builds the Go programs the tests run (a real Kubernetes control plane,
// Grafana's plugin client)
// from the Go module proxy, once per version, into the ignored cache folder
// .data/tools/go/<name>-<key>/. Tests never build: they call findGoTool and
// skip (or, under CI, fail) when a build is missing; .ci/run runs this script
// before `npm test`.
//
//   node --import tsx scripts/tools/go-tools.ts [--help] [--list] [tool...]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseToolArgs } from './tool-args';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface GoTool {
  /** Names the tool on the command line and its cache folder. */
  name: string;
  /** One line for --help. */
  what: string;
  /** The Go module to build in, relative to the repository root. */
  moduleDir: string;
  /** Packages to build, all in one `go build` so shared packages compile once. */
  packages: string[];
  /** The binaries the build leaves (go build names each after its package's last path element). */
  binaries: string[];
  /** The dependency whose required version (in moduleDir/go.mod) names the build; without it, 'local'. */
  versionOf?: string;
  /** Extra -ldflags for that version (e.g. -X version stamps). */
  ldflags?: (version: string) => string[];
}

/** Kubernetes' version stamps, as hack/lib/version.sh sets them (module paths instead of vendor/ ones). */
function kubeVersionLdflags(version: string): string[] {
  const m = /^v(\d+)\.(\d+)\./.exec(version);
  if (!m) throw new Error(`not a Kubernetes version: ${version}`);
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${m[1]}`,
    `-X ${pkg}.gitMinor=${m[2]}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
}

/** Every tool this script can build. Adding one is adding an entry. */
export const GO_TOOLS: GoTool[] = [
  {
    name: 'kubernetes',
    what: 'kube-apiserver, kube-controller-manager, kube-scheduler (k8s.io/kubernetes)',
    moduleDir: 'test/tools/kube/kubernetes',
    packages: ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kube-scheduler'],
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
    versionOf: 'k8s.io/kubernetes',
    ldflags: kubeVersionLdflags,
  },
  {
    name: 'etcd',
    what: 'etcd (go.etcd.io/etcd/server/v3), the control plane\'s store',
    moduleDir: 'test/tools/kube/etcd',
    packages: ['.'],
    binaries: ['etcd'],
    versionOf: 'go.etcd.io/etcd/server/v3',
  },
  {
    name: 'kwok',
    what: 'kwok (sigs.k8s.io/kwok), fake Nodes whose pods turn Ready without a kubelet',
    moduleDir: 'test/tools/kube/kwok',
    packages: ['sigs.k8s.io/kwok/cmd/kwok'],
    binaries: ['kwok'],
    versionOf: 'sigs.k8s.io/kwok',
  },
  {
    name: 'metrics-server',
    what: 'metrics-server (sigs.k8s.io/metrics-server), the metrics.k8s.io API over the resource metrics kwok simulates',
    moduleDir: 'test/tools/kube/metrics-server',
    packages: ['sigs.k8s.io/metrics-server/cmd/metrics-server'],
    binaries: ['metrics-server'],
    versionOf: 'sigs.k8s.io/metrics-server',
  },
  {
    name: 'grafana-host',
    what: "Grafana's plugin client (hashicorp/go-plugin + grafana-plugin-sdk-go) driving the shipped plugin executables",
    moduleDir: 'test/tools/grafana-host',
    packages: ['.'],
    binaries: ['grafana-host'],
  },
];

/** Where builds live; DCOC_GO_TOOLS_DIR moves it (a missing folder hides every build). */
export function goToolsDir(): string {
  return resolve(process.env.DCOC_GO_TOOLS_DIR || join(ROOT, '.data', 'tools', 'go'));
}

function tool(name: string): GoTool {
  const t = GO_TOOLS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown Go tool "${name}"; known: ${GO_TOOLS.map((x) => x.name).join(', ')}`);
  return t;
}

/** The version go.mod requires of `module` (require lines, in a block or not). */
export function requiredVersion(goMod: string, module: string): string | undefined {
  const esc = module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*(?:require\\s+)?${esc}\\s+(v\\S+)`, 'm').exec(goMod)?.[1];
}

// -trimpath: no local paths in the binaries, and the build cache is shared
// whatever GOMODCACHE is. -buildvcs=false: the modules sit inside this
// repository's git work tree, whose state is no part of the tools.
const BUILD_FLAGS = ['-trimpath', '-buildvcs=false'];
// No symbol table or DWARF: smaller binaries and a shorter link.
const STRIP_LDFLAGS = ['-s', '-w'];

/** Modules under a licence this project must not take in, even in a test tool. */
const FORBIDDEN_MODULES = /^github\.com\/grafana\/(grafana|loki|mimir|tempo)(\/|\s)/m;

/** version + hash of what decides the binaries: go.mod, go.sum, every *.go under the module and the build recipe. */
export function goToolKey(t: GoTool): { version: string; key: string } {
  const dir = join(ROOT, t.moduleDir);
  const goModPath = join(dir, 'go.mod');
  if (!existsSync(goModPath)) throw new Error(`${t.name}: no ${t.moduleDir}/go.mod`);
  const goMod = readFileSync(goModPath, 'utf8');
  let version = 'local';
  if (t.versionOf) {
    const v = requiredVersion(goMod, t.versionOf);
    if (!v) throw new Error(`${t.name}: ${t.moduleDir}/go.mod does not require ${t.versionOf}`);
    version = v;
  }
  const h = createHash('sha256');
  h.update(JSON.stringify({ packages: t.packages, binaries: t.binaries, flags: BUILD_FLAGS, ldflags: [...STRIP_LDFLAGS, ...(t.ldflags?.(version) ?? [])] }));
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort();
  for (const f of files) h.update(`\0${f}\0`).update(readFileSync(join(dir, f)));
  return { version, key: `${version}-${h.digest('hex').slice(0, 12)}` };
}

/** The folder of an existing build of `name` (its binaries inside), or undefined. Never builds. */
export function findGoTool(name: string): string | undefined {
  const t = tool(name);
  const out = join(goToolsDir(), `${t.name}-${goToolKey(t).key}`);
  return t.binaries.every((b) => existsSync(join(out, b))) ? out : undefined;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((res, rej) => {
    // stdout is dropped (go list prints package names); go's errors come on stderr.
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', (e) => rej(new Error(`${cmd}: ${e.message} (is Go installed and on PATH?)`)));
    child.once('exit', (code, signal) => (code === 0 ? res() : rej(new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed (${code ?? signal}) in ${cwd}`))));
  });
}

function log(msg: string): void {
  process.stderr.write(`go-tools: ${msg}\n`);
}

const seconds = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

/** Runs `step`, saying every minute that it is still running (CI logs would look hung otherwise). */
async function timed(what: string, step: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  log(`${what} ...`);
  const beat = setInterval(() => log(`  still ${what} (${seconds(t0)})`), 60_000);
  try {
    await step();
  } finally {
    clearInterval(beat);
  }
  log(`${what}: ${seconds(t0)}`);
}

/** The tool a build folder belongs to: the longest tool name it starts with (so "kube" never claims "kube-x-..."). */
function ownerOf(folder: string): GoTool | undefined {
  return GO_TOOLS.filter((t) => folder.startsWith(`${t.name}-`)).sort((a, b) => b.name.length - a.name.length)[0];
}

async function build(t: GoTool): Promise<string> {
  const { version, key } = goToolKey(t);
  const base = goToolsDir();
  const out = join(base, `${t.name}-${key}`);
  const dir = join(ROOT, t.moduleDir);
  const sum = existsSync(join(dir, 'go.sum')) ? readFileSync(join(dir, 'go.sum'), 'utf8') : '';
  const bad = FORBIDDEN_MODULES.exec(sum);
  if (bad) throw new Error(`${t.name}: ${t.moduleDir}/go.sum brings in ${bad[0].trim()}, an AGPL Grafana module; drop the dependency that pulls it in`);

  mkdirSync(base, { recursive: true });
  const tmp = join(base, `.tmp-${t.name}-${key}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const env = { ...process.env };
  const t0 = Date.now();
  try {
    // Downloads first, on their own, so a slow proxy and a slow compiler show apart.
    await timed(`${t.name} ${version}: downloading modules`, () => run('go', ['list', '-deps', ...t.packages], dir, env));
    const ldflags = [...STRIP_LDFLAGS, ...(t.ldflags?.(version) ?? [])].join(' ');
    await timed(`${t.name} ${version}: compiling ${t.binaries.join(', ')}`, () =>
      run('go', ['build', ...BUILD_FLAGS, `-ldflags=${ldflags}`, '-o', `${tmp}/`, ...t.packages], dir, env),
    );
    for (const b of t.binaries) {
      if (!existsSync(join(tmp, b))) throw new Error(`${t.name}: go build left no ${b}; fix the binaries list in scripts/tools/go-tools.ts`);
    }
    // Atomic: a reader sees the whole folder or none of it.
    if (existsSync(out)) rmSync(tmp, { recursive: true, force: true });
    else renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const sizes = t.binaries.map((b) => `${b} ${(statSync(join(out, b)).size / 2 ** 20).toFixed(0)} MiB`).join(', ');
  log(`${t.name} ${version}: built in ${seconds(t0)} -> ${out} (${sizes})`);
  // Older builds of the same tool are dead weight (hundreds of MiB for Kubernetes).
  for (const f of readdirSync(base)) {
    if (ownerOf(f) === t && join(base, f) !== out) {
      rmSync(join(base, f), { recursive: true, force: true });
      log(`${t.name}: removed the old build ${f}`);
    }
  }
  return out;
}

/** Builds the named tools (default: all) that have no build yet; returns each one's folder. */
export async function ensureGoTools(names: string[] = GO_TOOLS.map((t) => t.name)): Promise<Record<string, string>> {
  const dirs: Record<string, string> = {};
  for (const name of names) {
    const t = tool(name);
    const found = findGoTool(name);
    if (found) {
      log(`${name} ${goToolKey(t).version}: already built (${found})`);
      dirs[name] = found;
    } else {
      dirs[name] = await build(t);
    }
  }
  return dirs;
}

const HELP = `Usage: node --import tsx scripts/tools/go-tools.ts [--help] [--list] [tool...]

Builds the Go tools the tests use, each once per version, into
${join(ROOT, '.data', 'tools', 'go')}/<name>-<version>-<hash>/ (or $DCOC_GO_TOOLS_DIR).
With no tool named, builds every one that is missing. Needs Go on PATH and
the Go module proxy; progress and timings go to stderr.

  --list   print each tool's version and build folder (or "not built"), build nothing

Tools:
${GO_TOOLS.map((t) => `  ${t.name.padEnd(12)} ${t.what}\n  ${''.padEnd(12)} module ${t.moduleDir}`).join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const args = parseToolArgs(argv, GO_TOOLS.map((t) => t.name), HELP, log);
  if ('exit' in args) return args.exit;
  const { chosen } = args;
  if (args.list) {
    for (const n of chosen) process.stdout.write(`${n}\t${goToolKey(tool(n)).version}\t${findGoTool(n) ?? 'not built'}\n`);
    return 0;
  }
  const t0 = Date.now();
  try {
    await ensureGoTools(chosen);
  } catch (e) {
    log(`${(e as Error).message}`);
    log('fix the cause above and run this script again; finished builds are kept');
    return 1;
  }
  log(`done in ${seconds(t0)}`);
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

// Builds a plugin entry point into one self-contained executable (a Node
// single executable application), because Grafana's images contain no Node.js:
// bundle to one CommonJS file → SEA blob → copy of this node binary with the
// blob injected. Works offline; the result runs with no `node` on PATH.
//
// The executable carries the Node version that runs this build, for the
// platform this build runs on: build on linux/amd64 for *_linux_amd64.
//
// Run directly: `npx tsx plugin/sdk/build/sea.ts <entry.ts> <outFile>`.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { inject } from 'postject';

/** The fuse Node looks for to know a SEA blob was injected (documented in Node's SEA guide). */
export const seaSentinelFuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface BuildExecutableOptions {
  /** The plugin's main module (TypeScript or JavaScript). It must not use top-level await (the bundle is CommonJS). */
  entry: string;
  /** Where to write the executable, e.g. dist/gpx_dcoc_linux_amd64. */
  outFile: string;
  /** Minify the bundle; default false (stack traces stay readable). */
  minify?: boolean;
}

export interface BuiltExecutable {
  outFile: string;
  bundleBytes: number;
  executableBytes: number;
}

export async function buildExecutable(options: BuildExecutableOptions): Promise<BuiltExecutable> {
  const outFile = resolve(options.outFile);
  const work = mkdtempSync(join(tmpdir(), 'plugin-sea-'));
  try {
    const bundle = join(work, 'plugin.cjs');
    await bundleEntry(resolve(options.entry), bundle, options.minify ?? false);

    const blob = join(work, 'sea-prep.blob');
    const config = join(work, 'sea-config.json');
    writeFileSync(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }));
    const made = spawnSync(process.execPath, ['--experimental-sea-config', config], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`node --experimental-sea-config failed (${made.status}): ${made.stderr}`);

    mkdirSync(dirname(outFile), { recursive: true });
    rmSync(outFile, { force: true });
    copyFileSync(process.execPath, outFile);
    chmodSync(outFile, 0o755); // also makes a read-only source binary's copy writable for injection
    if (process.platform === 'darwin') run('codesign', ['--remove-signature', outFile]);
    await quietly(() =>
      inject(outFile, 'NODE_SEA_BLOB', readFileSync(blob), {
        sentinelFuse: seaSentinelFuse,
        ...(process.platform === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
      }),
    );
    if (process.platform === 'darwin') run('codesign', ['--sign', '-', outFile]);
    chmodSync(outFile, 0o755);

    return { outFile, bundleBytes: readFileSync(bundle).length, executableBytes: readFileSync(outFile).length };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function bundleEntry(entry: string, outfile: string, minify: boolean): Promise<void> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs', // a SEA main script is run as CommonJS
    minify,
    legalComments: 'inline',
    logLevel: 'silent',
  });
  // Warnings such as "import.meta is not available in CommonJS" mean code that will misbehave at run time.
  const serious = result.warnings.filter((w) => !/"require\.resolve"|indirect-require/.test(w.text + w.id));
  if (serious.length) {
    const text = serious.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`).join('\n');
    throw new Error(`esbuild warnings while bundling ${entry}:\n${text}`);
  }
}

/**
 * postject's bundled LIEF prints harmless ELF warnings ("Can't find string
 * offset for section name '.note.100'") through console.log/console.warn. Keep
 * them out of build and test output, but attach them to a failure.
 */
async function quietly(task: () => Promise<void>): Promise<void> {
  const target = console as unknown as Record<'log' | 'warn', (...args: unknown[]) => void>;
  const saved = { log: target.log, warn: target.warn };
  const captured: string[] = [];
  target.log = target.warn = (...args) => captured.push(args.map(String).join(' '));
  try {
    await task();
  } catch (err) {
    throw new Error(`postject failed: ${err instanceof Error ? err.message : String(err)}\n${captured.join('\n')}`, { cause: err });
  } finally {
    target.log = saved.log;
    target.warn = saved.warn;
  }
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, outFile] = process.argv.slice(2);
  if (!entry || !outFile) {
    process.stderr.write('usage: tsx plugin/sdk/build/sea.ts <entry> <outFile>\n');
    process.exit(2);
  }
  buildExecutable({ entry, outFile }).then(
    (r) => process.stderr.write(`built ${r.outFile} (${(r.executableBytes / 1e6).toFixed(1)} MB)\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

// Builds the two Grafana backend executables:
//   <dist>/gpx_dcoc_app_linux_<arch>                    (gen3-dcoc-app)
//   <dist>/datasource/gpx_dcoc_datasource_linux_<arch>  (gen3-dcoc-datasource)
// Each is a static launcher (plugin/sdk/build/launcher.c) beside a folder
// <executable>.runtime/ holding the Node single executable application (the
// plugin with its Node runtime: Grafana's images have no Node.js) and the
// dynamic loader and libraries it links against (Grafana's default image has
// no libstdc++ or libgcc_s). Only the architecture of the machine running the
// build is produced: the executable embeds the running node binary.
//
// Run: `npx tsx scripts/build-plugin-backend.ts [distDir]`.
import { rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLauncher } from '../plugin/sdk/build/launcher';
import { shipRuntimeLibraries } from '../plugin/sdk/build/runtime';
import { buildExecutable, type BuiltExecutable } from '../plugin/sdk/build/sea';

const ROOT = resolve(import.meta.dirname, '..');

/** Grafana's executable suffix uses Go's GOARCH names. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

export function goArch(arch: string = process.arch): string {
  const a = GO_ARCH[arch];
  if (!a) throw new Error(`no Grafana backend build for CPU architecture ${arch} (only amd64 and arm64)`);
  return a;
}

export interface PluginBackends {
  app: BuiltExecutable;
  datasource: BuiltExecutable;
}

/** Executable paths for a dist directory; the nested data source lives in its own sub-folder, beside its plugin.json. */
export function pluginBackendPaths(distDir = 'dist'): { app: string; datasource: string } {
  if (process.platform !== 'linux') throw new Error(`the plugin backends are built on Linux only (this is ${process.platform})`);
  const arch = goArch();
  const dist = resolve(ROOT, distDir);
  return {
    app: resolve(dist, `gpx_dcoc_app_linux_${arch}`),
    datasource: resolve(dist, 'datasource', `gpx_dcoc_datasource_linux_${arch}`),
  };
}

/** The folder beside an executable with its Node runtime and libraries. */
export const runtimeDirOf = (executable: string) => `${executable}.runtime`;

/** One backend: the SEA in the runtime folder with the libraries it needs, and the launcher Grafana starts. */
async function buildBackend(entry: string, outFile: string): Promise<BuiltExecutable> {
  const runtime = runtimeDirOf(outFile);
  rmSync(runtime, { recursive: true, force: true });
  const sea = await buildExecutable({ entry: resolve(ROOT, entry), outFile: join(runtime, basename(outFile)) });
  const { loader } = shipRuntimeLibraries(process.execPath, runtime);
  buildLauncher(outFile, loader);
  return { ...sea, outFile };
}

export async function buildPluginBackends(distDir = 'dist'): Promise<PluginBackends> {
  const out = pluginBackendPaths(distDir);
  // One after the other: each build copies and rewrites a ~100 MB binary.
  const app = await buildBackend('plugin/app/main.ts', out.app);
  const datasource = await buildBackend('plugin/datasource/main.ts', out.datasource);
  return { app, datasource };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildPluginBackends(process.argv[2]).then(
    (r) => {
      for (const b of [r.app, r.datasource]) process.stderr.write(`built ${b.outFile} (${(b.executableBytes / 1e6).toFixed(1)} MB)\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

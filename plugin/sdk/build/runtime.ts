// What a Node executable needs from the system, shipped beside it: the
// dynamic loader and every shared library `ldd` lists for the node binary
// (libstdc++, libgcc_s, libc, libm, …), copied from the build machine, with a
// notice of their licences. The launcher (./launcher.ts) starts the runtime
// through that loader with only these libraries, so the image Grafana runs in
// needs none of them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface RuntimeLibraries {
  /** The dynamic loader's file name, e.g. ld-linux-x86-64.so.2. */
  loader: string;
  /** Every file copied, by name. */
  files: string[];
}

/** The loader and the libraries `binary` is linked against, as `ldd` resolves them on this machine. */
export function linkedLibraries(binary: string): { loader: string; libraries: string[] } {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ldd ${binary} failed: ${r.stderr || r.error?.message}; the plugin executables are built on glibc Linux`);
  let loader: string | undefined;
  const libraries: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const resolved = /=>\s+(\/\S+)/.exec(line);
    if (resolved) libraries.push(resolved[1]);
    else if (/^\s*(\/\S*ld-linux\S*)/.test(line)) loader = /^\s*(\/\S+)/.exec(line)![1];
  }
  if (!loader) throw new Error(`ldd ${binary} names no dynamic loader:\n${r.stdout}`);
  return { loader, libraries };
}

const NOTICE = `The files in this folder other than the plugin's own executable come from
the build machine's Debian packages and are shipped unmodified so the plugin
runs in images that lack them:
- ld-linux*, libc, libm, libdl, libpthread, librt: the GNU C Library,
  LGPL-2.1-or-later (https://www.gnu.org/software/libc/); source from Debian's glibc package.
- libstdc++, libgcc_s: GCC runtime libraries, GPL-3.0-or-later with the GCC
  Runtime Library Exception 3.1 (https://gcc.gnu.org/onlinedocs/libstdc++/manual/license.html).
`;

/** Copies the loader and libraries of `binary` into `dir` (followed through symlinks, under their soname). */
export function shipRuntimeLibraries(binary: string, dir: string): RuntimeLibraries {
  const { loader, libraries } = linkedLibraries(binary);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const lib of [loader, ...libraries]) {
    copyFileSync(lib, join(dir, basename(lib)));
    files.push(basename(lib));
  }
  writeFileSync(join(dir, 'NOTICE-runtime.txt'), NOTICE);
  return { loader: basename(loader), files: files.sort() };
}

// Compiles ./launcher.c into the static executable Grafana starts (needs a C
// compiler with glibc's static libraries: Debian's gcc + libc6-dev).
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';

export function buildLauncher(outFile: string, loader: string): void {
  if (!/^[\w.+-]+$/.test(loader)) throw new Error(`unexpected loader name ${loader}`);
  const source = join(import.meta.dirname, 'launcher.c');
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, ['-static', '-Os', '-s', '-Wall', '-Werror', `-DLOADER="${loader}"`, '-o', outFile, source], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cc} could not build the plugin launcher (install gcc and libc6-dev): ${r.stderr || r.error?.message}`);
  chmodSync(outFile, 0o755);
}

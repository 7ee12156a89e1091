// The npm registry these machines reach serves only some of the per-platform
// optional packages (@swc/core-darwin-arm64, @rollup/rollup-win32-x64-msvc, ...).
// `npm install` then leaves them out of package-lock.json, and `npm ci` refuses
// the lock as out of sync. This records each missing one with the os/cpu/libc
// its name declares, so `npm ci` sees a complete lock and skips the packages
// that are not for this platform, as it would with a full registry.
// Run after changing dependencies: node scripts/lockfile/record-platform-optionals.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony'];
const CPU = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os || !cpu) return null;
  const libc = parts.some((p) => p.startsWith('musl')) ? 'musl' : parts.some((p) => p === 'gnu' || p === 'gnueabihf') && os === 'linux' ? 'glibc' : null;
  return { os, cpu, libc };
}

let added = 0;
for (const pkg of Object.values(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const at = `node_modules/${dep}`;
    if (lock.packages[at]) continue;
    const p = platformOf(dep);
    if (!p) continue;
    lock.packages[at] = { version, cpu: [p.cpu], ...(pkg.dev ? { dev: true } : {}), ...(p.libc ? { libc: [p.libc] } : {}), optional: true, os: [p.os] };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`recorded ${added} platform optional package(s) in package-lock.json`);

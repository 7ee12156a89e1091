// A package-lock.json for an artifact: the root lockfile's entries for the
// artifact's runtime dependencies and everything they need, so `npm ci
// --omit=dev` in the artifact installs exactly the versions the tests ran with.
import { posix } from 'node:path';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [k: string]: unknown;
}
export interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** Where npm finds `name` from the package at `from`: its own node_modules, then each parent's, up to the root. */
function resolveIn(lock: Lockfile, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const at = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[at]) return at;
    if (!dir) return undefined;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

/** The exact version the root lockfile holds for a top-level package. */
export function lockedVersion(lock: Lockfile, name: string): string {
  const v = lock.packages[`node_modules/${name}`]?.version;
  if (!v) throw new Error(`package-lock.json has no node_modules/${name}: add it to package.json dependencies and run npm install`);
  return v;
}

export function subsetLockfile(lock: Lockfile, root: { name: string; version: string; dependencies: Record<string, string> }): Lockfile {
  const out: Record<string, LockEntry> = {};
  // Reached through a required edge somewhere: not optional in the artifact.
  const required = new Set<string>();
  const visit = (from: string, name: string, optional: boolean) => {
    const at = resolveIn(lock, from, name);
    if (!at) {
      if (optional) return;
      throw new Error(`package-lock.json: ${name} (needed by ${from || 'the artifact'}) is not locked`);
    }
    const first = !(at in out);
    const newlyRequired = !optional && !required.has(at);
    if (newlyRequired) required.add(at);
    if (first) {
      const { dev: _dev, devOptional: _devOptional, peer: _peer, optional: _optional, ...entry } = lock.packages[at];
      out[at] = entry;
    }
    // A package first reached as optional and then as required is walked again, so its dependencies become required too.
    if (!first && !newlyRequired) return;
    const entry = out[at];
    for (const d of Object.keys(entry.dependencies ?? {})) visit(at, d, optional);
    for (const d of Object.keys(entry.optionalDependencies ?? {})) visit(at, d, true);
    for (const d of Object.keys(entry.peerDependencies ?? {})) if (!entry.peerDependenciesMeta?.[d]?.optional) visit(at, d, optional);
  };
  for (const name of Object.keys(root.dependencies)) visit('', name, false);
  const packages: Record<string, LockEntry> = { '': { name: root.name, version: root.version, dependencies: root.dependencies } };
  for (const at of Object.keys(out).sort((a, b) => posix.normalize(a).localeCompare(posix.normalize(b)))) {
    packages[at] = required.has(at) ? out[at] : { ...out[at], optional: true };
  }
  return { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages };
}

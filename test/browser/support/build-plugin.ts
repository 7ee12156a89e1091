// Builds the plugin as `npm run build` lays it out (frontend with webpack,
// backend executables with scripts/build-plugin-backend.ts) into a
// directory of the test's own, so tests never race other builds of dist/.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPluginBackends, type PluginBackends } from '../../../scripts/build-plugin-backend';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export function buildFrontend(outDir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', ['run', '--silent', 'build:frontend', '--', '--output-path', outDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`frontend build failed (exit ${code}):\n${out}`))));
  });
}

export interface BuiltPlugin {
  dist: string;
  backends: PluginBackends;
}

export async function buildPlugin(): Promise<BuiltPlugin> {
  const dist = mkdtempSync(join(tmpdir(), 'dcoc-dist-'));
  await buildFrontend(dist);
  const backends = await buildPluginBackends(dist);
  return { dist, backends };
}

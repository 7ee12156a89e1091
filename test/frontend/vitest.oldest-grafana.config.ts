// The component tests against @grafana/* at the oldest release src/plugin.json
// declares (`npm run test:frontend:oldest`), as `npm run test:frontend` runs
// them against package.json's. The old release's packages come from
// scripts/tools/grafana-packages.ts; a project folder links src/, backend/, plugin/
// and test/ beside them, with symlinks kept as paths so every import from
// src/ resolves to that release. test/frontend/oldest-grafana.test.ts checks
// the same folder layout resolves to that release and type-checks.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { findOldestGrafanaModules, oldestGrafana } from '../../scripts/tools/grafana-packages';
import base from './vitest.config';

const ROOT = resolve(import.meta.dirname, '..', '..');
const oldest = oldestGrafana();
const modules = findOldestGrafanaModules();

function project(): string {
  // Inside the repository's ignored .data/, made afresh each run.
  const dir = join(ROOT, '.data', `vitest-grafana-${oldest}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const sub of ['src', 'backend', 'plugin', 'test', 'contracts', 'lib']) symlinkSync(join(ROOT, sub), join(dir, sub));
  symlinkSync(modules!, join(dir, 'node_modules'));
  return dir;
}

function missing(): never | void {
  const reason = `@grafana/* ${oldest} is not installed: run \`node --import tsx scripts/tools/grafana-packages.ts\` (after npm ci)`;
  if (process.env.CI) throw new Error(`${reason}; CI must install it (.ci/run does)`);
  console.warn(`*** SKIPPED: ${reason} ***`);
}

export default modules
  ? defineConfig({ ...base, resolve: { ...base.resolve, preserveSymlinks: true }, test: { ...base.test, name: `grafana-${oldest}`, root: project() } })
  : (missing(), defineConfig({ ...base, test: { ...base.test, name: `grafana-${oldest}`, include: [], passWithNoTests: true } }));

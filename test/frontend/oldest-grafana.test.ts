// The pages at the oldest Grafana the plugin declares:
// src/ type-checks against @grafana/* at src/plugin.json's grafanaDependency
// minimum, as it does against the version in package.json (npm run
// typecheck); every component test passes against it in `npm run
// test:frontend:oldest` (test/frontend/vitest.oldest-grafana.config.ts). The
// old release's packages come from scripts/tools/grafana-packages.ts; here a
// project folder links src/, contracts/, lib/, backend/ and test/ beside
// them, with symlinks kept as paths so every import from src/ resolves to
// that release. Before the fix the type
// check failed: Grafana 12.3's LiveChannelAddress has no `stream`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findOldestGrafanaModules, oldestGrafana } from '../../scripts/tools/grafana-packages';

const ROOT = resolve(import.meta.dirname, '..', '..');
const oldest = oldestGrafana();
const modules = findOldestGrafanaModules();

function missing(): string | undefined {
  if (modules) return undefined;
  const reason = `@grafana/* ${oldest} is not installed: run \`node --import tsx scripts/tools/grafana-packages.ts\` (after npm ci)`;
  if (process.env.CI) throw new Error(`${reason}; CI must install it (.ci/run does)`);
  console.warn(`*** SKIPPED: ${reason} ***`);
  return reason;
}
const skip = missing();

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const { FORCE_COLOR: _color, ...env } = process.env;
    const child = spawn(cmd, args, { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => res({ code, out }));
  });
}

describe(`the pages against @grafana/* ${oldest}, the oldest release declared`, { skip: skip ?? false }, () => {
  let project: string;
  before(() => {
    project = mkdtempSync(join(tmpdir(), `dcoc-grafana-${oldest}-`));
    for (const dir of ['src', 'backend', 'test', 'contracts', 'lib']) symlinkSync(join(ROOT, dir), join(project, dir));
    symlinkSync(modules!, join(project, 'node_modules'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.browser.json'), compilerOptions: { preserveSymlinks: true, noEmit: true }, include: ['src'] }));
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it(`resolves @grafana/* to ${oldest}`, () => {
    for (const name of ['@grafana/data', '@grafana/runtime', '@grafana/ui', '@grafana/schema']) {
      assert.equal((JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version, oldest, name);
    }
  });

  it('src/ type-checks', { timeout: 300_000 }, async () => {
    const r = await run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], project);
    assert.equal(r.code, 0, `tsc against @grafana/* ${oldest}:\n${r.out.slice(0, 6000)}`);
  });
});

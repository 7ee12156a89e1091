// The pages at the oldest Grafana the plugin declares (issue 13, must-show 2):
// src/ type-checks, and every component test passes, against @grafana/* at
// src/plugin.json's grafanaDependency minimum, as they do against the version
// in package.json (npm run typecheck, frontend.test.ts). The old release's
// packages come from scripts/tools/grafana-packages.ts; here a project folder
// links src/, backend/ and test/ beside them, with symlinks kept as paths so
// every import from src/ resolves to that release. Before the fix the type
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
    for (const dir of ['src', 'backend', 'test']) symlinkSync(join(ROOT, dir), join(project, dir));
    symlinkSync(modules!, join(project, 'node_modules'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.browser.json'), compilerOptions: { preserveSymlinks: true, noEmit: true }, include: ['src'] }));
    // The component tests' own configuration, rooted here, with symlinks kept as paths.
    writeFileSync(
      join(project, 'vitest.config.mjs'),
      `import base from ${JSON.stringify(join(ROOT, 'test/frontend/vitest.config.ts'))};\n` +
        `export default { ...base, resolve: { ...base.resolve, preserveSymlinks: true }, test: { ...base.test, root: ${JSON.stringify(project)} } };\n`,
    );
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

  it('every component test passes', { timeout: 900_000 }, async () => {
    const r = await run(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', '--config', 'vitest.config.mjs'], project);
    const plain = r.out.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    const start = plain.indexOf('Failed Tests');
    assert.equal(r.code, 0, `vitest against @grafana/* ${oldest}:\n${(start >= 0 ? plain.slice(start) : plain.slice(-4000)).slice(0, 6000)}`);
    assert.match(plain, /Tests\s+\d+ passed/);
    assert.doesNotMatch(plain, /Tests\s+.*\d+ (failed|skipped)/);
  });
});

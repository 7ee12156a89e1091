// No Go module of this repository depends, directly or not, on Grafana's
// AGPL code: github.com/grafana/grafana (and its submodules), loki, mimir or
// tempo. The Apache-2.0 grafana-plugin-sdk-go is fine. Checked on the whole
// module graph (`go mod graph`) of every go.mod, tracked or not yet.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describeUnless, goMissing } from '../support/go-grafana-host';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** A module path, or module@version, of Grafana's AGPL projects. */
export const AGPL_GRAFANA = /^github\.com\/grafana\/(grafana|loki|mimir|tempo)(\/|@|$)/;

function git(...args: string[]): string[] {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** Every directory with a go.mod: tracked, and new files not ignored. */
function moduleDirs(): string[] {
  const files = [...git('ls-files', '*go.mod'), ...git('ls-files', '--others', '--exclude-standard', '*go.mod')];
  return [...new Set(files.filter((f) => f === 'go.mod' || f.endsWith('/go.mod')).map((f) => dirname(f)))].sort();
}

/** The AGPL Grafana modules in the module graph of the module at `dir`. */
function agplModules(dir: string, env: NodeJS.ProcessEnv = process.env): { modules: number; agpl: string[] } {
  const r = spawnSync('go', ['mod', 'graph'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `go mod graph in ${dir}: ${r.stderr}`);
  const modules = new Set(r.stdout.split(/\s+/).filter(Boolean));
  return { modules: modules.size, agpl: [...modules].filter((m) => AGPL_GRAFANA.test(m)).sort() };
}

const missing = goMissing('the check of the Go modules’ dependencies');

describeUnless(missing, 'the Go modules’ licences', () => {
  it('the pattern names Grafana’s AGPL modules and not the Apache-2.0 SDK', () => {
    for (const m of ['github.com/grafana/grafana', 'github.com/grafana/grafana@v0.0.0-20260101000000-abcdef', 'github.com/grafana/grafana/pkg/apimachinery@v1.0.0', 'github.com/grafana/loki/v3@v3.5.0', 'github.com/grafana/mimir', 'github.com/grafana/tempo@v2.0.0']) {
      assert.match(m, AGPL_GRAFANA);
    }
    for (const m of ['github.com/grafana/grafana-plugin-sdk-go@v0.300.0', 'github.com/grafana/otel-profiling-go@v0.7.0', 'github.com/grafana/loki-client@v1.0.0']) {
      assert.doesNotMatch(m, AGPL_GRAFANA);
    }
  });

  it('no module graph names github.com/grafana/grafana, loki, mimir or tempo', (t) => {
    const dirs = moduleDirs();
    assert.ok(dirs.includes('test/tools/grafana-host'), `the Grafana host module is among ${dirs.join(', ')}`);
    for (const dir of dirs) {
      const { modules, agpl } = agplModules(join(ROOT, dir));
      assert.deepEqual(agpl, [], `${dir} depends on AGPL Grafana code`);
      t.diagnostic(`${dir}: ${modules} modules in the graph, none of Grafana's AGPL ones`);
    }
  });

  it('the check finds such a dependency (a stand-in github.com/grafana/grafana, replaced locally, offline)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-agpl-probe-'));
    try {
      mkdirSync(join(dir, 'stand-in'));
      writeFileSync(join(dir, 'stand-in', 'go.mod'), 'module github.com/grafana/grafana\n\ngo 1.26\n');
      writeFileSync(join(dir, 'go.mod'), 'module example.com/probe\n\ngo 1.26\n\nrequire github.com/grafana/grafana v0.0.0\n\nreplace github.com/grafana/grafana => ./stand-in\n');
      assert.deepEqual(agplModules(dir, { ...process.env, GOPROXY: 'off', GOFLAGS: '' }).agpl, ['github.com/grafana/grafana@v0.0.0']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

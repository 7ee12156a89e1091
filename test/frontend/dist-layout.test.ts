// dist/ as Grafana loads it: both plugin.json files
// (ids, backend, executables, includes with actions, roles, the nested data
// source, grafanaDependency), the executables present and executable, and
// module.js files that are AMD modules bundling neither React nor Grafana's
// shared @grafana/* packages. Built here with the real build steps.
import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { DCOC_RBAC_ACTIONS, actionsForRole } from '../../contracts/rbac';
import { builtPlugin, type BuiltPlugin } from '../support/plugin-build';

interface PluginJson {
  id: string;
  type: string;
  name: string;
  backend?: boolean;
  executable?: string;
  alerting?: boolean;
  info: { version: string; updated: string; logos: { small: string; large: string }; keywords: string[] };
  includes?: { type: string; name: string; path?: string; action?: string; role?: string; addToNav?: boolean; defaultNav?: boolean }[];
  roles?: { role: { name: string; permissions: { action: string }[] }; grants: string[] }[];
  iam?: { permissions: { action: string; scope: string }[] };
  dependencies: { grafanaDependency: string };
}

describe('dist/ layout', { timeout: 600_000 }, () => {
  let built: BuiltPlugin;
  let app: PluginJson;
  let ds: PluginJson;
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

  before(async () => {
    built = await builtPlugin();
    app = JSON.parse(readFileSync(join(built.dist, 'plugin.json'), 'utf8')) as PluginJson;
    ds = JSON.parse(readFileSync(join(built.dist, 'datasource', 'plugin.json'), 'utf8')) as PluginJson;
  });

  test('holds what Grafana needs beside each plugin.json', () => {
    for (const f of ['plugin.json', 'module.js', 'README.md', 'CHANGELOG.md', 'img/logo.svg', 'datasource/plugin.json', 'datasource/module.js', 'datasource/img/logo.svg']) {
      assert.ok(existsSync(join(built.dist, f)), `dist/${f} exists`);
    }
    for (const [dir, json] of [['', app], ['datasource', ds]] as const) {
      for (const logo of [json.info.logos.small, json.info.logos.large]) assert.ok(existsSync(join(built.dist, dir, logo)), `${json.id} logo ${logo}`);
    }
  });

  test('the app plugin.json: id, backend executable, version filled in, grafanaDependency', () => {
    assert.equal(app.id, 'gen3-dcoc-app');
    assert.equal(app.type, 'app');
    assert.equal(app.backend, true);
    assert.equal(app.executable, 'gpx_dcoc_app');
    assert.equal(app.info.version, version);
    assert.match(app.info.updated, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(app.info.keywords.length > 0);
    assert.match(app.dependencies.grafanaDependency, /^>=1[2-9]\.\d+\.\d+$/);
    assert.doesNotMatch(readFileSync(join(built.dist, 'plugin.json'), 'utf8'), /%[A-Z_]+%/, 'no placeholder left');
  });

  test('the app pages are includes with the RBAC action that shows them, and a config page', () => {
    const pages = app.includes!.filter((i) => i.type === 'page');
    const byName = Object.fromEntries(pages.map((p) => [p.name, p]));
    assert.deepEqual(
      Object.fromEntries(['Fleet', 'Commons', 'Deploy', 'Agents', 'Audit log', 'Approvals'].map((n) => [n, [byName[n]?.path, byName[n]?.action]])),
      {
        Fleet: ['/a/gen3-dcoc-app/fleet', 'gen3-dcoc-app.commons:read'],
        Commons: ['/a/gen3-dcoc-app/commons', 'gen3-dcoc-app.commons:read'],
        Deploy: ['/a/gen3-dcoc-app/deploy', 'gen3-dcoc-app.deployments:write'],
        Agents: ['/a/gen3-dcoc-app/agents', 'gen3-dcoc-app.commons:read'],
        'Audit log': ['/a/gen3-dcoc-app/audit', 'gen3-dcoc-app.audit:read'],
        Approvals: ['/a/gen3-dcoc-app/approvals', 'gen3-dcoc-app.details:read'],
      },
    );
    assert.equal(pages.filter((p) => p.defaultNav).length, 1);
    assert.deepEqual(pages.find((p) => p.path === '/plugins/gen3-dcoc-app')?.role, 'Admin');
    assert.ok(app.includes!.some((i) => i.type === 'datasource'), 'the nested data source is listed');
    for (const p of pages) if (p.action) assert.ok(p.action in DCOC_RBAC_ACTIONS, `${p.name}: ${p.action} is a declared DCOC action`);
  });

  test('roles declare exactly the actions the backend maps to DCOC roles, granted Viewer/Editor/Admin by default', () => {
    const actionsOf = (name: string) => app.roles!.find((r) => r.role.name === name)?.role.permissions.map((p) => p.action).sort();
    assert.deepEqual(actionsOf('DCOC viewer'), actionsForRole('viewer').sort());
    assert.deepEqual(actionsOf('DCOC developer'), actionsForRole('developer').sort());
    assert.deepEqual(actionsOf('DCOC operator'), actionsForRole('operator').sort());
    assert.deepEqual(actionsOf('DCOC admin'), actionsForRole('admin').sort());
    const grants = Object.fromEntries(app.roles!.flatMap((r) => r.grants.map((g) => [g, r.role.name])));
    assert.deepEqual(grants, { Viewer: 'DCOC viewer', Editor: 'DCOC operator', Admin: 'DCOC admin' });
    const declared = new Set(app.roles!.flatMap((r) => r.role.permissions.map((p) => p.action)));
    assert.deepEqual([...declared].sort(), Object.keys(DCOC_RBAC_ACTIONS).sort());
    for (const a of declared) assert.match(a, /^gen3-dcoc-app\./, 'Grafana only accepts actions prefixed with the plugin id');
    assert.deepEqual(app.iam?.permissions, [{ action: 'users.permissions:read', scope: 'users:*' }]);
  });

  test('the nested data source plugin.json: id, backend, alerting, its own executable', () => {
    assert.equal(ds.id, 'gen3-dcoc-datasource');
    assert.equal(ds.type, 'datasource');
    assert.equal(ds.backend, true);
    assert.equal(ds.alerting, true);
    assert.equal(ds.executable, 'gpx_dcoc_datasource');
    assert.equal(ds.info.version, version);
    assert.ok(ds.dependencies.grafanaDependency);
  });

  test('each executable is <executable>_linux_<arch> beside its plugin.json, and executable, with its runtime beside it', () => {
    const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64' | 'arm64'];
    for (const [dir, json] of [['', app], ['datasource', ds]] as const) {
      const exe = join(built.dist, dir, `${json.executable}_linux_${arch}`);
      assert.ok(existsSync(exe), `${exe} exists`);
      accessSync(exe, constants.X_OK);
      // The launcher Grafana starts, and <exe>.runtime/: the Node runtime, the loader and the libraries it needs.
      const runtime = `${exe}.runtime`;
      assert.ok(statSync(join(runtime, `${json.executable}_linux_${arch}`)).size > 1_000_000, `${runtime} carries the Node runtime`);
      const files = readdirSync(runtime);
      for (const lib of ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so.6', 'NOTICE-runtime.txt']) assert.ok(files.includes(lib), `${runtime} has ${lib}`);
      const loader = files.find((f) => f.startsWith('ld-linux'));
      assert.ok(loader, `${runtime} has the dynamic loader`);
      accessSync(join(runtime, loader), constants.X_OK);
    }
  });

  test('module.js files are AMD modules that leave React and @grafana/* to Grafana', () => {
    for (const f of ['module.js', 'datasource/module.js']) {
      const code = readFileSync(join(built.dist, f), 'utf8');
      const m = /\bdefine\((\[[^\]]*\])\s*,/.exec(code);
      assert.ok(m, `${f} calls define([...deps], factory)`);
      const deps = JSON.parse(m[1]) as string[];
      for (const d of ['react', '@grafana/data', '@grafana/ui', '@grafana/runtime']) assert.ok(deps.includes(d), `${f} takes ${d} from Grafana`);
      assert.equal(code.indexOf('define('), code.search(/\bdefine\(/), 'define is the module wrapper');
      // Strings and property names (which minifiers keep) found in each package's own code.
      for (const [what, re] of [
        ['React', /__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED/],
        ['react-dom', /dangerouslySetInnerHTML/],
        ['@grafana/ui', /__grafana_public_path__|grafana-portal-container/],
        ['@grafana/data', /__series\.name|__value\.raw|__data\.fields/],
      ] as const) {
        assert.doesNotMatch(code, re, `${f} bundles no ${what}`);
      }
    }
  });
});

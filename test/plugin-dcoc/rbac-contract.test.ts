// The RBAC actions the app declares to Grafana (src/plugin.json `roles` and
// page `action`s) are the ones the backend resolves roles from
// (plugin/identity/rbac.ts), and each declared DCOC role grants exactly the
// actions the backend requires for it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ROLES } from '../../contracts/roles';
import { DCOC_APP_ID, DCOC_DATASOURCE_ID, DCOC_RBAC_ACTIONS, actionsForRole, roleFromActions } from '../../contracts/rbac';

// The service account reads permissions (RBAC roles) and, for team grants, the user's teams: GET /api/users/:id/teams
// needs users.teams:read (users:read in newer Grafana) on users:* and lists only teams it may read (teams:read).
const TEAM_AWARE_IAM = [
  { action: 'users.permissions:read', scope: 'users:*' },
  { action: 'users.teams:read', scope: 'users:*' },
  { action: 'users:read', scope: 'users:*' },
  { action: 'teams:read', scope: 'teams:*' },
];

interface PluginJson {
  id: string;
  iam?: { permissions: { action: string; scope: string }[] };
  executable?: string;
  includes?: { action?: string }[];
  roles?: { role: { name: string; permissions: { action: string }[] }; grants: string[] }[];
}

const read = (p: string) => JSON.parse(readFileSync(new URL(p, import.meta.url), 'utf8')) as PluginJson;

describe('RBAC contract between the app plugin.json and the backend', () => {
  const app = read('../../src/plugin.json');

  it('the ids and executables are the ones the backend is built and named for', () => {
    assert.equal(app.id, DCOC_APP_ID);
    assert.equal(app.executable, 'gpx_dcoc_app');
    const ds = read('../../src/datasource/plugin.json');
    assert.equal(ds.id, DCOC_DATASOURCE_ID);
    assert.equal(ds.executable, 'gpx_dcoc_datasource');
  });

  it('every action plugin.json uses is one the backend knows', () => {
    const used = [...(app.roles ?? []).flatMap((r) => r.role.permissions.map((p) => p.action)), ...(app.includes ?? []).flatMap((i) => (i.action ? [i.action] : []))];
    const known = Object.keys(DCOC_RBAC_ACTIONS);
    assert.ok(used.length > 0);
    for (const a of used) assert.ok(known.includes(a), `${a} is in DCOC_RBAC_ACTIONS`);
    assert.deepEqual(new Set(used.filter((a) => a.startsWith(`${DCOC_APP_ID}.`))), new Set(known), 'and every backend action is declared');
  });

  // Grafana gives a plugin a service account (GF_PLUGIN_APP_CLIENT_SECRET) only when its own
  // plugin.json has `iam` (pkg/services/pluginsintegration/serviceregistration: datasources too, always enabled).
  // Without it the nested data source never resolved roles from Grafana RBAC, and could disagree with the app.
  it('the data source asks Grafana for the same service account permissions as the app', () => {
    const ds = read('../../src/datasource/plugin.json');
    assert.deepEqual(app.iam?.permissions, TEAM_AWARE_IAM);
    assert.deepEqual(ds.iam?.permissions, app.iam?.permissions);
  });

  it('each declared role resolves to the DCOC role of the same name', () => {
    for (const role of ROLES) {
      const declared = (app.roles ?? []).find((r) => r.role.name.toLowerCase() === `dcoc ${role}`);
      assert.ok(declared, `plugin.json declares a "DCOC ${role}" role`);
      const actions = declared.role.permissions.map((p) => p.action);
      assert.deepEqual([...actions].sort(), [...actionsForRole(role)].sort());
      assert.equal(roleFromActions(actions), role);
    }
  });
});

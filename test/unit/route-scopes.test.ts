// Scoped roles, the parts that need no server: the rule (the higher of the
// global role and every grant covering the commons), a list cut to what the
// caller may see, and the route table — every route, those added later
// included, must say how its commons is found, consistently with its own
// path, body and answer; fleet-wide admin routes stay global-role only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { API_ROUTES, type ApiRoute } from '../../contracts/routes';
import { PERMISSIONS, type Permission } from '../../contracts/roles';
import { effectiveRole, highestRole, teamMatches, type EffectiveGrant } from '../../contracts/scopes';
import { Access } from '../../backend/auth/access';
import type { Principal } from '../../backend/auth/principal';
import { filterItems } from '../../backend/http/scope-check';

/** Permissions only a global role may use: they act on the fleet itself, not on one commons. */
const GLOBAL_ONLY: Permission[] = ['agents:manage', 'groups:manage', 'tokens:manage', 'access:manage'];

const shapeOf = (s: unknown): Record<string, unknown> | undefined => (s instanceof z.ZodObject ? (s.shape as Record<string, unknown>) : undefined);

/** What is wrong with the routes' scope declarations; [] when nothing is. */
function scopeProblems(routes: readonly ApiRoute[]): string[] {
  const out: string[] = [];
  for (const r of routes) {
    const name = `${r.operationId} (${r.method.toUpperCase()} ${r.path})`;
    const s = r.scope;
    if (!s) {
      out.push(`${name} declares no scope: say how its commons is found (contracts/scopes.ts SCOPE)`);
      continue;
    }
    if (r.permission && GLOBAL_ONLY.includes(r.permission) && s.kind !== 'global') out.push(`${name} needs ${r.permission}, a fleet-wide admin permission: its scope must be global`);
    if (r.method !== 'get' && r.permission && (s.kind === 'list' || s.kind === 'anywhere' || s.kind === 'none')) out.push(`${name} changes something: it must be checked on its commons (or be global), not ${s.kind}`);
    if ((s.kind === 'none') !== (r.permission === null)) out.push(`${name}: scope none is for routes with no permission, and only for them`);
    if (s.kind === 'commons' && s.from === 'path' && !r.path.includes(`:${s.field}`)) out.push(`${name} finds its commons in path.${s.field}, which its path lacks`);
    if (s.kind === 'commons' && s.from === 'body' && !shapeOf(r.body)?.[s.field]) out.push(`${name} finds its commons in body.${s.field}, which its body schema lacks`);
    if (s.kind === 'record' && !r.path.includes(':id')) out.push(`${name} finds its commons through the ${s.record} at path.id, which its path lacks`);
    if (s.kind === 'list') {
      if (r.method !== 'get') out.push(`${name}: only a read can be a list`);
      const items = shapeOf(r.responses[200])?.items;
      const element = items instanceof z.ZodArray ? shapeOf(items.element) : undefined;
      if (r.mediaType !== 'text/event-stream' && !element?.[s.field]) out.push(`${name} is filtered by items[].${s.field}, which its answer's items lack`);
    }
  }
  return out;
}

describe('route scopes', () => {
  it('every route declares how its commons is found, consistently with its path, body and answer', () => {
    assert.deepEqual(scopeProblems(API_ROUTES), []);
  });

  it('the check catches a route without a scope, an admin route with a commons scope, and a list without the field', () => {
    const base = { method: 'get', path: '/things', operationId: 'listThings', summary: '', permission: 'fleet:read', responses: { 200: z.object({ items: z.array(z.object({ id: z.string() })) }) }, app: 'forward' } as const satisfies ApiRoute;
    assert.match(scopeProblems([base]).join('\n'), /listThings .* declares no scope/);
    assert.match(scopeProblems([{ ...base, scope: { kind: 'list', field: 'commons' } }]).join('\n'), /items\[\]\.commons/);
    assert.deepEqual(scopeProblems([{ ...base, scope: { kind: 'list', field: 'id' } }]), []);
    assert.match(scopeProblems([{ ...base, method: 'delete', path: '/things/:id', permission: 'tokens:manage', scope: { kind: 'commons', from: 'path', field: 'id' } }]).join('\n'), /scope must be global/);
    assert.match(scopeProblems([{ ...base, method: 'post', scope: { kind: 'anywhere' } }]).join('\n'), /changes something/);
  });

  it('the global-only permissions are admin permissions', () => {
    for (const p of GLOBAL_ONLY) assert.equal(PERMISSIONS[p], 'admin');
  });
});

describe('the effective role', () => {
  const grants: EffectiveGrant[] = [
    { team: 'ops-a', group: 'team-a', role: 'operator', commons: ['a1', 'a2'] },
    { team: '7', group: 'prod', role: 'viewer', commons: ['a1', 'b1'] },
  ];

  it('is the higher of the global role and every grant covering the commons', () => {
    assert.equal(effectiveRole(null, grants, 'a1'), 'operator');
    assert.equal(effectiveRole(null, grants, 'b1'), 'viewer');
    assert.equal(effectiveRole(null, grants, 'c1'), null, 'no global role, no grant: no role');
    assert.equal(effectiveRole('developer', grants, 'b1'), 'developer', 'a grant never lowers the global role');
    assert.equal(effectiveRole('admin', grants, 'a1'), 'admin');
    assert.equal(effectiveRole('viewer', [], 'a1'), 'viewer');
    assert.equal(highestRole(null, grants), 'operator');
    assert.equal(highestRole(null, []), null);
  });

  it('a grant names a team by name or by id', () => {
    assert.ok(teamMatches('ops-a', { id: 3, name: 'ops-a' }));
    assert.ok(teamMatches('3', { id: 3, name: 'renamed' }));
    assert.ok(!teamMatches('ops-a', { id: 4, name: 'ops-b' }));
  });

  it('lists keep only what the caller may see; items about no commons need the global role', () => {
    const alice: Principal = { actor: 'alice', kind: 'grafana', role: null, teams: [{ id: 3, name: 'ops-a' }] };
    const access = new Access(alice, grants);
    const body = { items: [{ commons: 'a1' }, { commons: 'b1' }, { commons: 'c1' }, { commons: null }] };
    assert.deepEqual(filterItems(body, { kind: 'list', field: 'commons' }, access, 'services:operate'), { items: [{ commons: 'a1' }] });
    assert.deepEqual(filterItems(body, { kind: 'list', field: 'commons' }, access, 'fleet:read'), { items: [{ commons: 'a1' }, { commons: 'b1' }] });
    const viewer = new Access({ ...alice, role: 'viewer' }, grants);
    assert.deepEqual(filterItems(body, { kind: 'list', field: 'commons' }, viewer, 'fleet:read'), body, 'a global role with the permission sees all');
    assert.deepEqual(filterItems(body, { kind: 'global' }, access, 'fleet:read'), body, 'only list routes are cut');
    assert.ok(access.canAnywhere('services:operate'));
    assert.ok(access.canAnywhere('deployments:write'), 'operator through a grant includes deployments:write');
    assert.ok(!access.canAnywhere('access:manage'));
    assert.ok(!access.canGlobally('fleet:read'));
    assert.deepEqual(access.visibleCommons('services:operate'), ['a1', 'a2'], 'what a list asks the store for');
    assert.deepEqual(access.visibleCommons('fleet:read'), ['a1', 'a2', 'b1']);
    assert.deepEqual(access.visibleCommons('access:manage'), []);
    assert.equal(viewer.visibleCommons('fleet:read'), null, 'every commons');
  });
});

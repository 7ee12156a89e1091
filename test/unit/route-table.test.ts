// The one route table (contracts/routes.ts) against what really runs: the
// routes the control service's express app registers and the allow-list the
// app plugin forwards. Every control route is in the table, so each is either
// forwarded by the app or explicitly not; the check itself is shown to catch
// a route added on either side only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import { API_PREFIX, API_ROUTES, APP_ROUTES, type ApiRoute, templatePath } from '../../contracts/routes';
import { RESOURCE_ROUTES, type RouteSpec } from '../../plugin/app/routes';
import { controlApp, registeredRoutes } from '../support/express-routes';

const key = (method: string, expressPath: string) => `${method.toUpperCase()} ${templatePath(expressPath)}`;

/** Where the express routes, the plugin's allow-list and the table disagree; [] when they agree. */
function routeDrift(input: { registered: readonly string[]; allowList: readonly RouteSpec[]; table: readonly ApiRoute[]; appOwn: readonly { method: string; path: string }[] }): string[] {
  const problems: string[] = [];
  const table = new Map(input.table.map((r) => [key(r.method, r.path), r]));
  const registered = new Set(input.registered.map((r) => key(r.split(' ')[0], r.split(' ')[1])));
  for (const r of registered) if (!table.has(r)) problems.push(`the control service routes ${r}, which the route table does not list (so the app neither forwards it nor says it does not)`);
  for (const r of table.keys()) if (!registered.has(r)) problems.push(`the route table lists ${r}, which the control service does not route`);
  if (table.size !== input.table.length) problems.push('the route table lists a route twice');

  const own = new Set(input.appOwn.map((r) => key(r.method, r.path)));
  const allowed = new Map<string, string | undefined>();
  for (const spec of input.allowList) for (const m of spec.methods) allowed.set(`${m} /${spec.path}`, spec.control);
  for (const [r, control] of allowed) {
    if (own.has(r)) {
      if (control !== undefined) problems.push(`the app forwards ${r}, which it should answer itself`);
      continue;
    }
    const route = table.get(r);
    if (!route || !registered.has(r)) problems.push(`the app's allow-list forwards ${r}, which the control service does not route`);
    else if (route.app !== 'forward') problems.push(`the app's allow-list forwards ${r}, which the route table marks not-forwarded`);
    else if (control !== templatePath(route.path)) problems.push(`the app forwards ${r} to ${control}, not to ${templatePath(route.path)}`);
  }
  for (const [r, route] of table) if (route.app === 'forward' && !allowed.has(r)) problems.push(`the route table forwards ${r}, which the app's allow-list lacks`);
  return problems;
}

const real = () => ({ registered: registeredRoutes(controlApp()), allowList: RESOURCE_ROUTES, table: API_ROUTES, appOwn: Object.values(APP_ROUTES) });

describe('the route table', () => {
  it('agrees with the routes the control service registers and the allow-list the app plugin forwards', () => {
    const input = real();
    assert.ok(input.registered.length >= 30, `only ${input.registered.length} routes found; is the router walk still right?`);
    assert.deepEqual(routeDrift(input), []);
  });

  it('classifies every control route: forwarded by the app, or explicitly not', () => {
    for (const r of API_ROUTES) assert.ok(r.app === 'forward' || r.app === 'not-forwarded', `${r.method} ${r.path}`);
    // Automation-only routes stay out of the browser's reach.
    const notForwarded = API_ROUTES.filter((r) => r.app === 'not-forwarded').map((r) => key(r.method, r.path));
    for (const r of ['POST /tokens', 'GET /tokens', 'DELETE /tokens/{id}', 'POST /releases']) assert.ok(notForwarded.includes(r), `${r} is forwarded`);
  });

  it('reports a route the control service gains without the table, and so without a decision for the app', () => {
    const app = controlApp();
    const extra = express.Router();
    extra.post('/commons/:id/secrets', (_req, res) => void res.end());
    app.use(API_PREFIX, extra);
    const drift = routeDrift({ ...real(), registered: registeredRoutes(app) });
    assert.deepEqual(drift, ['the control service routes POST /commons/{id}/secrets, which the route table does not list (so the app neither forwards it nor says it does not)']);
  });

  it('reports an allow-list entry the control service does not route, and one the table keeps from the app', () => {
    const allowList: RouteSpec[] = [...RESOURCE_ROUTES, { path: 'commons/{id}/secrets', methods: ['GET'], control: '/commons/{id}/secrets' }, { path: 'tokens', methods: ['POST'], control: '/tokens' }];
    assert.deepEqual(routeDrift({ ...real(), allowList }), [
      "the app's allow-list forwards GET /commons/{id}/secrets, which the control service does not route",
      "the app's allow-list forwards POST /tokens, which the route table marks not-forwarded",
    ]);
  });

  it('reports a forwarded route the allow-list lacks', () => {
    const allowList = RESOURCE_ROUTES.filter((s) => s.path !== 'audit');
    assert.deepEqual(routeDrift({ ...real(), allowList }), ["the route table forwards GET /audit, which the app's allow-list lacks"]);
  });
});

// The app's resources through CallResource, as Grafana's own client calls
// them and reads the reply stream (status and headers from the first message,
// every message's body appended), for each DCOC role: allowed and refused
// routes, and a body large enough to come in several messages.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { CommonsDetail, Problem } from '../../contracts/api';
import { resourceChunkBytes } from '../../plugin/sdk/services/resource-service';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { eventually } from '../support/fleet';
import { describeUnless, grafanaHostMissing, type ResourceReply } from '../support/go-grafana-host';
import { appContext, type DcocContextOptions } from '../plugin-dcoc/support/contexts';
import { GO_CLIENT, pluginFleet } from '../plugin-dcoc/support/plugin-fleet';

const ID = 'data-midrc-org';
const MISSING = '00000000-0000-4000-8000-000000000000';

/** How each DCOC role comes about from what Grafana sends (plugin/identity/org-role.ts: Viewer → viewer, Editor → operator, Admin → admin; roleMapping overrides). */
const ROLES: Record<'viewer' | 'developer' | 'operator' | 'admin', Partial<DcocContextOptions>> = {
  viewer: { role: 'Viewer' },
  developer: { role: 'Editor', jsonData: { roleMapping: { Editor: 'developer' } } },
  operator: { role: 'Editor' },
  admin: { role: 'Admin' },
};
type RoleName = keyof typeof ROLES;

const missing = grafanaHostMissing('CallResource through Grafana’s plugin client');

describeUnless(missing, 'CallResource on the app, read as Grafana reads it', () => {
  // A larger body limit, so a config big enough to need several CallResource messages can be written.
  const rig = pluginFleet(GO_CLIENT, ['app'], { commons: [DEMO_COMMONS[1]], controlEnv: { DCOC_MAX_BODY_BYTES: String(8 << 20) } });

  const call = (role: RoleName | null, path: string, opts: { method?: string; body?: unknown } = {}): Promise<ResourceReply> =>
    rig.app.callResource({
      pluginContext: appContext({ controlUrl: rig.fleet.control.url, ...(role ? ROLES[role] : { user: null }) }),
      path,
      ...opts,
    });

  const json = <T>(r: ResourceReply): T => JSON.parse(r.body ?? '') as T;
  const contentType = (r: ResourceReply) => r.headers['Content-Type']?.[0] ?? '';

  it('whoami: each role as the app resolves it from the org role and the roleMapping', async () => {
    for (const role of Object.keys(ROLES) as RoleName[]) {
      const r = await call(role, 'whoami');
      assert.equal(r.status, 200, role);
      assert.match(contentType(r), /^application\/json/);
      assert.deepEqual([json<{ role: string }>(r).role, json<{ roleSource: string }>(r).roleSource], [role, 'org-role']);
    }
  });

  // Expected status per role: viewer, developer, operator, admin.
  const table: [string, string, unknown, [number, number, number, number]][] = [
    ['GET', 'commons', undefined, [200, 200, 200, 200]],
    ['GET', `commons/${ID}`, undefined, [200, 200, 200, 200]],
    ['GET', 'releases', undefined, [403, 200, 200, 200]],
    ['GET', 'commands?limit=5', undefined, [403, 200, 200, 200]],
    ['GET', 'audit?limit=5', undefined, [403, 403, 200, 200]],
    ['POST', `commons/${ID}/services/fence/restart`, undefined, [403, 403, 202, 202]],
    ['POST', 'enrollment-tokens', { description: 'from the Go host test' }, [403, 403, 403, 201]],
    ['DELETE', `agents/${MISSING}`, undefined, [403, 403, 403, 404]],
  ];
  for (const [method, path, body, expected] of table) {
    it(`${method} ${path}: ${expected.join('/')} for viewer/developer/operator/admin`, async () => {
      const got: number[] = [];
      for (const role of Object.keys(ROLES) as RoleName[]) {
        const r = await call(role, path, { method, body });
        got.push(r.status);
        if (r.status === 403) {
          assert.match(contentType(r), /^application\/problem\+json/, `${role} ${method} ${path}`);
          assert.match(json<Problem>(r).detail, new RegExp(`has role ${role}; `), `${role} ${method} ${path}`);
        }
      }
      assert.deepEqual(got, expected);
    });
  }

  it('refused before anything is forwarded: 401 without a user, 404 for unknown paths, 405 for another method', async () => {
    const anonymous = await call(null, 'commons');
    assert.equal(anonymous.status, 401);
    assert.match(json<Problem>(anonymous).detail, /no Grafana user/);
    for (const path of ['tokens', 'commons/../tokens', 'events', '../healthz']) {
      const r = await call('admin', path);
      assert.equal(r.status, 404, path);
      assert.match(contentType(r), /^application\/problem\+json/);
    }
    const wrong = await call('admin', 'commons', { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assert.deepEqual(wrong.headers.Allow, ['GET']);
  });

  it('a body over 1 MiB comes in several messages: status and headers in the first, the body whole once appended', async () => {
    const before = await call('operator', `commons/${ID}`);
    const detail = json<CommonsDetail>(before);
    // Five ConfigMap values of 250 KiB each: about 1.25 MB of config in the commons' details.
    const big = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`dcoc-big-${i}`, String(i).repeat(250 * 1024)]));
    const put = await call('operator', `commons/${ID}/config`, { method: 'PUT', body: { data: { ...detail.config.data, ...big }, baseRevision: detail.config.revision, reason: 'a body in several messages' } });
    assert.equal(put.status, 202, put.body);
    await eventually(async () => (await rig.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.config.data['dcoc-big-4']?.length === 250 * 1024, {
      what: 'the config to be applied',
      timeoutMs: 60_000,
    });

    // config.data is in the details from the developer role up (details:read).
    const r = await call('developer', `commons/${ID}`);
    assert.equal(r.status, 200);
    assert.match(contentType(r), /^application\/json/);
    const bytes = Buffer.from(r.bodyBase64, 'base64');
    assert.ok(bytes.length > resourceChunkBytes, `${bytes.length} bytes`);
    assert.equal(r.messages.length, Math.ceil(bytes.length / resourceChunkBytes), 'one message per MiB');
    assert.deepEqual(r.messages[0], { status: 200, headers: r.messages[0].headers, bytes: resourceChunkBytes });
    assert.ok(r.messages[0].headers >= 1);
    assert.ok(r.messages.slice(1).every((m) => m.status === 0 && m.headers === 0), 'later messages carry only body');
    const api = (await rig.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
    assert.deepEqual(json<CommonsDetail>(r).config, api.config, 'the appended body is the whole JSON document');
  });
});

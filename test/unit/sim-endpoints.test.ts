// The simulator's version and failure answers, per service, against what the
// real services' sources say they answer (facts and sources in the comments;
// the same facts are documented in agent/simulate/health-server.ts).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { GEN3_SERVICES, gen3Service } from '../../contracts/gen3/catalog';
import { SimHealthServer } from '../../agent/simulate/health-server';
import { SimCommons } from '../../agent/simulate/model';

interface Answer {
  status: number;
  type: string;
  body: string;
}

function get(port: number, host: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const json = (s: string): unknown => JSON.parse(s) as unknown;
const keys = (s: string): string[] => Object.keys(json(s) as object).sort();

/** Version answers: a check of the body where the service has a version route, null where it has none. */
const VERSION: Record<string, { path: string; check: ((a: Answer) => void) | null }> = {
  // uc-cdis/fence d03fe036 fence/blueprints/misc.py: /_version → {"version", "commit"}.
  fence: { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['commit', 'version']) },
  'presigned-url-fence': { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['commit', 'version']) },
  // uc-cdis/arborist 708d9101 arborist/server.go MakeRouter: no version route.
  arborist: { path: '/_version', check: null },
  // uc-cdis/indexd a8403f09 indexd/index/blueprint.py: /_version → {"version", "commit"}.
  indexd: { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['commit', 'version']) },
  // uc-cdis/sheepdog 24efc2dd sheepdog/api.py, uc-cdis/peregrine f504cc26 peregrine/api.py: {"version", "commit", "dictionary"}.
  sheepdog: { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['commit', 'dictionary', 'version']) },
  peregrine: { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['commit', 'dictionary', 'version']) },
  // uc-cdis/metadata-service c65cb59b src/mds/main.py: GET /version → version("mds"), a bare string.
  metadata: { path: '/version', check: (a) => assert.equal(typeof json(a.body), 'string') },
  // uc-cdis/audit-service 0489141e src/audit/routes/system.py, uc-cdis/requestor 2a6f5b52 src/requestor/routes/system.py: {"version"}.
  audit: { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['version']) },
  requestor: { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['version']) },
  // uc-cdis/manifestservice 2d9eb2c4 manifestservice/api.py: /_status only.
  manifestservice: { path: '/_version', check: null },
  // uc-cdis/workspace-token-service df0a6fd4 wts/api.py: /_version → {"version", "commit"}.
  wts: { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['commit', 'version']) },
  // uc-cdis/hatchery 24f55bc3 hatchery/system.go, uc-cdis/sower 13fd6e58 handlers/system.go: {"commit", "version"}, no Content-Type set (sniffed text/plain).
  hatchery: { path: '/_version', check: (a) => (assert.deepEqual(keys(a.body), ['commit', 'version']), assert.match(a.type, /^text\/plain/)) },
  sower: { path: '/_version', check: (a) => (assert.deepEqual(keys(a.body), ['commit', 'version']), assert.match(a.type, /^text\/plain/)) },
  // uc-cdis/ssjdispatcher 37d64554 handlers/system.go: /_status only.
  ssjdispatcher: { path: '/_version', check: null },
  // uc-cdis/guppy 7ffc5878 src/server/endpoints.js versionRouter: {"version", "commit"}.
  guppy: { path: '/_version', check: (a) => assert.deepEqual(keys(a.body), ['commit', 'version']) },
  // Not Gen3 sources / not verified (ambassador, frontend-framework, the ES proxies): no version route served.
  ambassador: { path: '/_version', check: null },
  'frontend-framework': { path: '/_version', check: null },
  'aws-es-proxy': { path: '/_version', check: null },
  'aws-sigv4-proxy': { path: '/_version', check: null },
};

/** Failure answers on the health path with an 'error' fault. */
const FAILURE: Record<string, { status: number; type: RegExp; body: (b: string) => void }> = {
  // uc-cdis/fence d03fe036 fence/blueprints/misc.py (UnhealthyCheck, 500) → fence/error_handler.py renders templates/error.html.
  fence: { status: 500, type: /^text\/html/, body: (b) => (assert.match(b, /<title>500<\/title>/), assert.match(b, /<h2>Internal Server Error<\/h2>/), assert.match(b, /Error Identifier/)) },
  'presigned-url-fence': { status: 500, type: /^text\/html/, body: (b) => assert.match(b, /<title>500<\/title>/) },
  // uc-cdis/arborist 708d9101 arborist/server.go handleHealth + arborist/response.go ErrorResponse.
  arborist: { status: 500, type: /^application\/json/, body: (b) => assert.deepEqual(json(b), { error: { message: 'database unavailable', code: 500 } }) },
  // uc-cdis/indexd a8403f09 indexd/index/blueprint.py handle_unhealthy_check → ("Unhealthy", 500).
  indexd: { status: 500, type: /^text\/html/, body: (b) => assert.equal(b, 'Unhealthy') },
  // uc-cdis/sheepdog 24efc2dd sheepdog/api.py, uc-cdis/peregrine f504cc26 peregrine/api.py: UnhealthyCheck → jsonify(message=...), 500.
  sheepdog: { status: 500, type: /^application\/json/, body: (b) => assert.deepEqual(json(b), { message: 'Unhealthy' }) },
  peregrine: { status: 500, type: /^application\/json/, body: (b) => assert.deepEqual(json(b), { message: 'Unhealthy' }) },
  // metadata-service c65cb59b src/mds/main.py, audit-service 0489141e src/audit/routes/system.py, requestor 2a6f5b52
  // src/requestor/routes/system.py: the DB error is unhandled → Starlette ServerErrorMiddleware (encode/starlette d1829f91).
  metadata: { status: 500, type: /^text\/plain/, body: (b) => assert.equal(b, 'Internal Server Error') },
  audit: { status: 500, type: /^text\/plain/, body: (b) => assert.equal(b, 'Internal Server Error') },
  requestor: { status: 500, type: /^text\/plain/, body: (b) => assert.equal(b, 'Internal Server Error') },
  // uc-cdis/workspace-token-service df0a6fd4 wts/api.py: ("Unhealthy", 500).
  wts: { status: 500, type: /^text\/html/, body: (b) => assert.equal(b, 'Unhealthy') },
  // uc-cdis/guppy 7ffc5878 src/server/server.js: the misordered error handler throws → pillarjs/finalhandler d925d442 index.js (production).
  guppy: { status: 500, type: /^text\/html/, body: (b) => (assert.match(b, /<title>Error<\/title>/), assert.match(b, /<pre>Internal Server Error<\/pre>/)) },
  // uc-cdis/gen3-helm 42cc46bc helm/revproxy/nginx/nginx.conf: error_page 5xx → @5xx `return 500 "{ \"error\": ... }"`.
  revproxy: { status: 500, type: /^application\/octet-stream/, body: (b) => assert.deepEqual(json(b), { error: 'service failure - try again later' }) },
  // uc-cdis/data-portal 0d28c208 nginx.conf: no error_page → nginx's built-in 500 page, server_tokens off.
  portal: { status: 500, type: /^text\/html/, body: (b) => assert.match(b, /<title>500 Internal Server Error<\/title>[\s\S]*<center>nginx<\/center>/) },
  // manifestservice 2d9eb2c4, hatchery 24f55bc3, sower 13fd6e58, ssjdispatcher 37d64554: /_status has no failure branch;
  // the sim answers the framework's generic 500 (Flask's default page; Go's http.Error text).
  manifestservice: { status: 500, type: /^text\/html/, body: (b) => assert.match(b, /<h1>Internal Server Error<\/h1>/) },
  hatchery: { status: 500, type: /^text\/plain/, body: (b) => assert.equal(b, 'Internal Server Error\n') },
  sower: { status: 500, type: /^text\/plain/, body: (b) => assert.equal(b, 'Internal Server Error\n') },
  ssjdispatcher: { status: 500, type: /^text\/plain/, body: (b) => assert.equal(b, 'Internal Server Error\n') },
};

describe('simulated Gen3 endpoints answer as the real services do', () => {
  // aws-es-proxy and aws-sigv4-proxy share Service `elasticsearch`: one per commons.
  const withEs = GEN3_SERVICES.map((s) => s.name).filter((n) => n !== 'aws-sigv4-proxy');
  const sims = [
    new SimCommons({ hostname: 'sim.example.org', environment: 'simprod', name: 'sim', namespace: 'sim', release: '2026.06', services: withEs, tickMs: 20, podStartMs: 50 }),
    new SimCommons({ hostname: 'sim2.example.org', environment: 'simprod', name: 'sim2', namespace: 'sim2', release: '2026.06', services: ['aws-sigv4-proxy'], tickMs: 20, podStartMs: 50 }),
  ];
  const servers = sims.map((sim) => new SimHealthServer(sim));
  const at = (name: string) => {
    const i = sims.findIndex((s) => s.has(name));
    return { sim: sims[i], port: servers[i].port };
  };

  before(async () => {
    for (const s of servers) await s.start();
  });
  after(async () => {
    for (const s of servers) await s.stop();
  });

  it('covers every catalog service, and the catalog says which have a version path', () => {
    assert.deepEqual(Object.keys(VERSION).sort(), GEN3_SERVICES.filter((s) => s.name !== 'revproxy' && s.name !== 'portal').map((s) => s.name).sort());
    for (const [name, v] of Object.entries(VERSION)) assert.equal(gen3Service(name)!.versionPath, v.check ? v.path : null, name);
  });

  for (const [name, v] of Object.entries(VERSION)) {
    it(`${name}: ${v.path} answers ${v.check ? '200 with its version' : '404 (no version route)'}`, async () => {
      const { sim, port } = at(name);
      const a = await get(port, gen3Service(name)!.k8sService, v.path);
      if (v.check) {
        assert.equal(a.status, 200, a.body);
        v.check(a);
        const version = sim.workload(name).image.split(':').pop();
        assert.ok(a.body.includes(String(version)), `${name} version answer names the image tag: ${a.body}`);
      } else {
        assert.equal(a.status, 404, a.body);
      }
    });
  }

  it('portal and revproxy have no version route: /_version is the SPA shell (data-portal 0d28c208 nginx.conf try_files $uri /index.html; gen3-helm 42cc46bc revproxy `location /` → portal)', async () => {
    for (const name of ['portal', 'revproxy']) {
      const a = await get(at(name).port, gen3Service(name)!.k8sService, '/_version');
      assert.equal(a.status, 200, name);
      assert.match(a.type, /^text\/html/, name);
      assert.throws(() => json(a.body), `${name} /_version is not a version document`);
    }
  });

  for (const [name, f] of Object.entries(FAILURE)) {
    it(`${name} with an 'error' fault answers its health path ${f.status} as the real service does`, async () => {
      const { sim, port } = at(name);
      const spec = gen3Service(name)!;
      sim.inject(name, 'error');
      try {
        const a = await get(port, spec.k8sService, spec.healthPath);
        assert.equal(a.status, f.status, a.body);
        assert.match(a.type, f.type);
        f.body(a.body);
      } finally {
        sim.inject(name, 'none');
      }
    });
  }
});

// Property-based fuzzing of the HTTP API: fast-check generates
// requests for every route in the OpenAPI table (path parameters valid and
// hostile, query strings, bodies valid, mutated, arbitrary, deep or not JSON,
// content types, credentials of every role and none) against a control service
// with one simulated commons. For every request: no 5xx, no hang, a refusal is
// problem+json with its status, and neither a refusal nor a read changes what
// the store has accepted. Afterwards the service is alive and ready.
//
// npm test runs a fixed seed; `npm run fuzz` runs longer with a fresh seed
// (FUZZ_RUNS, FUZZ_SEED override both).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { CommonsDetail } from '../../contracts/api';
import { API_ROUTES as API_OPERATIONS, API_PREFIX, type ApiRoute as ApiOperation } from '../../contracts/routes';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, TestFleet, eventually } from '../support/fleet';
import { StoreReader, acceptedDifference } from '../support/store-snapshot';
import { FUZZ_RUNS, FUZZ_SEED } from './settings';

const HEAL = DEMO_COMMONS[2];
const ID = 'healdata-org';

// Values that reach the routes' logic, beside the hostile ones fast-check makes up.
const KNOWN: Record<string, string[]> = {
  id: [ID, 'no-such-commons', '00000000-0000-4000-8000-000000000000'],
  service: ['fence', 'indexd', 'guppy'],
  cronjob: ['usersync', 'no-such-job'],
  version: ['2026.07', '2026.13'],
  n: ['1', '2', '0', '-1'],
  action: ['pause', 'resume', 'abort', 'rollback', 'launch'],
};
const HOSTILE = ['%ZZ', '%', '%2e%2e', '..', '%00', 'a'.repeat(300), 'ｆｅｎｃｅ', '-x-', 'UPPER', '1e9', 'seed-admin%0d%0a'];

function sampleBody(op: ApiOperation, config: { revision: number; data: Record<string, string> }): unknown {
  switch (op.operationId) {
    case 'scaleService':
      return { replicas: 2 };
    case 'updateConfig':
      return { data: { ...config.data, maintenance_mode: 'on' }, baseRevision: config.revision, reason: 'fuzz' };
    case 'createEnrollmentToken':
      return { ttlSeconds: 600, description: 'fuzz' };
    case 'createApiToken':
      return { name: 'fuzz', role: 'viewer', ttlSeconds: 600 };
    case 'createDeployment':
      return { commons: ID, release: '2026.07', mode: 'plan' };
    case 'rollback':
      return { toRevision: 1, reason: 'fuzz', baseRevision: null };
    case 'createRollout':
      return { target: { commons: [ID] }, change: { release: '2026.07' }, waves: { soakSeconds: 0 }, mode: 'plan' };
    case 'importRelease':
      return { version: '2026.11', format: 'manifest', content: '{"versions":{"fence":"quay.io/cdis/fence:2026.11"}}' };
    default:
      return {};
  }
}

type Credential = 'admin' | 'operator' | 'viewer' | 'none' | 'junk' | 'forged-assertion';

interface FuzzRequest {
  /** Method and express path, e.g. "post /tokens" (short, so a counterexample reads well). */
  route: string;
  path: string;
  query: string;
  credential: Credential;
  contentType: string | undefined;
  body: string | undefined;
}

function requestArbitrary(config: { revision: number; data: Record<string, string> }): fc.Arbitrary<FuzzRequest> {
  const segment = (name: string) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(KNOWN[name] ?? ['x'])).map(encodeURIComponent) },
      { weight: 2, arbitrary: fc.string({ maxLength: 40, unit: 'grapheme' }).map(encodeURIComponent) },
      { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) },
      { weight: 1, arbitrary: fc.uuid() },
    );
  const json = (v: unknown) => JSON.stringify(v);
  return fc.constantFrom(...API_OPERATIONS).chain((op) => {
    const names = [...op.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]);
    const sample = sampleBody(op, config);
    const mutated = fc
      .tuple(fc.constantFrom(...Object.keys(sample as object), 'unknownField'), fc.option(fc.jsonValue({ maxDepth: 3 })))
      .map(([k, v]) => json(v === null ? Object.fromEntries(Object.entries(sample as object).filter(([x]) => x !== k)) : { ...(sample as object), [k]: v }));
    const body = fc.oneof(
      { weight: 3, arbitrary: fc.constant(json(sample)) },
      { weight: 4, arbitrary: mutated },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
      { weight: 1, arbitrary: fc.integer({ min: 30, max: 3000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
    const query = fc
      .dictionary(fc.constantFrom('commons', 'status', 'since', 'limit', 'action', 'actor', 'state', 'colour'), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('1', '0', '-1', '500', 'failed,exploded', ID, '2026-13-01')), { maxKeys: 3 })
      .map((d) => new URLSearchParams(d).toString());
    return fc.record({
      route: fc.constant(`${op.method} ${op.path}`),
      path: fc.tuple(...names.map(segment)).map((values) => names.reduce((p, n, i) => p.replace(`:${n}`, values[i]), op.path)),
      query: op.method === 'get' ? query : fc.constant(''),
      credential: fc.oneof(
        { weight: 6, arbitrary: fc.constant<Credential>('admin') },
        { weight: 2, arbitrary: fc.constantFrom<Credential>('operator', 'viewer') },
        { weight: 1, arbitrary: fc.constantFrom<Credential>('none', 'junk', 'forged-assertion') },
      ),
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', undefined) }),
      body: op.method === 'get' || op.method === 'delete' ? fc.constant(undefined) : body,
    });
  });
}

describe('fuzzing the HTTP API', () => {
  let fleet: TestFleet;
  let store: StoreReader;
  const tokens: Partial<Record<Credential, string>> = {};

  before(async () => {
    fleet = await TestFleet.start({ commons: [HEAL] });
    await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
    tokens.admin = ADMIN_TOKEN;
    tokens.operator = await fleet.tokenFor('operator');
    tokens.viewer = await fleet.tokenFor('viewer');
    tokens.junk = 'dcoc_not-a-token-000000000000000';
    tokens['forged-assertion'] = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.c2lnbmF0dXJl';
    store = await StoreReader.open(fleet.control.opts);
  });
  after(async () => {
    await store?.close();
    await fleet.stop();
  });

  it(`every route, ${FUZZ_RUNS} requests (seed ${FUZZ_SEED}): no 5xx, refusals are problems and change nothing`, async (t) => {
    const config = (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.config;
    const statuses = new Map<number, number>();
    const t0 = Date.now();
    const before = (await store.snapshot());
    await fc.assert(
      fc.asyncProperty(requestArbitrary(config), async (r) => {
        const op = API_OPERATIONS.find((o) => `${o.method} ${o.path}` === r.route)!;
        const snap = (await store.snapshot());
        const headers: Record<string, string> = {};
        const token = tokens[r.credential];
        if (token) headers.Authorization = `Bearer ${token}`;
        if (r.contentType && r.body !== undefined) headers['Content-Type'] = r.contentType;
        const url = `${fleet.control.url}${API_PREFIX}${r.path}${r.query ? `?${r.query}` : ''}`;
        const res = await fetch(url, { method: op.method.toUpperCase(), headers, body: r.body, signal: AbortSignal.timeout(20_000) });
        // An accepted event stream never ends: its headers are the answer.
        const streaming = /^text\/event-stream/.test(res.headers.get('content-type') ?? '');
        if (streaming) await res.body?.cancel();
        const text = streaming ? '' : await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const what = `${op.method.toUpperCase()} ${r.path}${r.query ? `?${r.query}` : ''} as ${r.credential} → ${res.status} ${text.slice(0, 300)}`;
        // A route that asks the commons' agent says 503 (documented) while the agent cannot answer: not connected, too old, silent.
        const agentAway = res.status === 503 && op.problems?.includes(503) === true;
        assert.ok(res.status < 500 || agentAway, what);
        if (res.status >= 400) {
          assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
          assert.equal((JSON.parse(text) as { status: number }).status, res.status, what);
        }
        if (res.status >= 400 || op.method === 'get') {
          assert.deepEqual(acceptedDifference(snap, (await store.snapshot())), {}, `a ${res.status >= 400 ? 'refusal' : 'read'} changed the store: ${what}`);
        }
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    const seconds = (Date.now() - t0) / 1000;
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    t.diagnostic(`fuzz http: ${FUZZ_RUNS} requests in ${seconds.toFixed(1)} s, 5xx ${fivexx}, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    const changed = acceptedDifference(before, (await store.snapshot()));
    t.diagnostic(`fuzz http: accepted changes ${JSON.stringify(Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.added.length])))}`);
    assert.deepEqual(Object.values(changed).flatMap((v) => v.gone), [], 'nothing accepted before was lost');

    assert.equal(fleet.control.child.exitCode, null, 'the control service is still running');
    assert.equal((await fetch(`${fleet.control.url}/readyz`)).status, 200);
    for (const path of ['/api/v1/commands', '/api/v1/deployments', '/api/v1/audit', '/api/v1/commons']) {
      assert.equal((await fleet.admin('GET', path)).status, 200, path);
    }
  });
});

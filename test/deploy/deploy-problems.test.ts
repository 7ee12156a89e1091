// The problem+json bodies of the deployments' refusals, whole: the domain
// layer throws domain errors (backend/domain/errors.ts) and the HTTP edge
// maps them (http/problem.ts problemOf) to exactly the bodies it answered
// with when the domain threw HTTP errors itself, and still audits them as
// refused changes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, DeploymentView, Problem } from '../../contracts/api';
import { type CommonsSpec, DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { waitDeployment } from './support';

const MIDRC = DEMO_COMMONS[1];
const ID = 'data-midrc-org';
const NEW: CommonsSpec = { hostname: 'data.problems.org', environment: 'problems', name: 'Problems', release: '2026.06', size: 'small' };
const NEW_ID = 'data-problems-org';
const NO_SUCH = '00000000-0000-4000-8000-000000000000';

const problem = (status: number, type: string, title: string, detail: string, errors?: Problem['errors']): Problem => ({
  type: `urn:gen3-dcoc:problem:${type}`,
  title,
  status,
  detail,
  ...(errors ? { errors } : {}),
});

describe('deployment refusals as problem+json', () => {
  let fleet: TestFleet;
  let operator: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fleet.api<Problem>(operator, method, path, body);
    return { status: r.status, body: r.body };
  };

  before(async () => {
    fleet = await TestFleet.start({ commons: [MIDRC] });
    operator = await fleet.tokenFor('operator');
    await eventually(async () => (await fleet.admin<{ status: string }>('GET', `/api/v1/commons/${ID}`)).body?.status === 'healthy', { what: 'a healthy commons' });
  });
  after(() => fleet.stop());

  it('answers what does not exist with 404', async () => {
    assert.deepEqual(await call('GET', `/api/v1/deployments/${NO_SUCH}`), { status: 404, body: problem(404, 'not-found', 'Not found', `deployment ${NO_SUCH} does not exist`) });
    assert.deepEqual(await call('GET', `/api/v1/commons/${ID}/revisions/7`), { status: 404, body: problem(404, 'not-found', 'Not found', `revision 7 of commons ${ID} does not exist`) });
    assert.deepEqual(await call('POST', '/api/v1/deployments', { commons: 'no-such-commons', release: '2026.07', mode: 'plan' }), {
      status: 404,
      body: problem(404, 'not-found', 'Not found', 'commons no-such-commons (to deploy a new commons, send newCommons instead of commons) does not exist'),
    });
  });

  it('answers invalid values with 422 naming each field', async () => {
    const r = await call('POST', '/api/v1/deployments', { commons: ID, template: 'gen3-explorer', profile: 'xl', release: '2031.01', mode: 'plan' });
    assert.equal(r.status, 422);
    assert.deepEqual(Object.keys(r.body), ['type', 'title', 'status', 'detail', 'errors']);
    assert.deepEqual(
      { ...r.body, errors: r.body.errors?.map((e) => e.field) },
      { ...problem(422, 'validation-failed', 'Invalid deployment', '2 field(s) are invalid: body.profile, body.release'), errors: ['body.profile', 'body.release'] },
    );
    assert.match(r.body.errors![0].message, /^unknown profile xl; known: /);
    assert.match(r.body.errors![1].message, /^unknown release 2031\.01; known: .*\(import others with POST \/api\/v1\/releases\)$/);
  });

  it('answers conflicts with 409, and audits them as refused changes', async () => {
    assert.deepEqual(await call('POST', '/api/v1/deployments', { newCommons: { hostname: MIDRC.hostname, environment: 'x' }, template: 'gen3-default', profile: 'dev', release: '2026.07', mode: 'plan' }), {
      status: 409,
      body: problem(409, 'conflict', 'Commons exists', `commons ${ID} (${MIDRC.hostname}) already exists; deploy to it with "commons": "${ID}"`, [{ field: 'body.newCommons.hostname', message: `commons ${ID} already exists` }]),
    });
    const stale = { commons: ID, template: 'gen3-explorer', profile: 'production', release: '2026.07', mode: 'apply', reason: 'stale', baseRevision: 3 };
    assert.deepEqual(await call('POST', '/api/v1/deployments', stale), {
      status: 409,
      body: problem(409, 'conflict', 'Stale plan', `${ID} is at revision none, not 3; plan again and review the new diff`, [{ field: 'body.baseRevision', message: 'current revision is none' }]),
    });
    const audit = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=50')).body.items;
    const refused = audit.find((e) => e.outcome === 'rejected' && e.action === 'POST /api/v1/deployments' && (e.detail as { status?: number }).status === 409 && /Stale plan|not 3/.test(String(e.detail.reason)));
    assert.deepEqual(refused?.detail, { status: 409, reason: `${ID} is at revision none, not 3; plan again and review the new diff`, fields: ['body.baseRevision'] });
  });

  it('answers a second deployment while one is open, and a cancel of a finished one, with 409', async () => {
    const body = { newCommons: { hostname: NEW.hostname, environment: NEW.environment, name: NEW.name }, template: 'gen3-default', profile: 'dev', release: '2026.07', mode: 'apply', reason: 'stand it up' };
    const first = await fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', body);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const dep = first.body.deployment;
    await waitDeployment(fleet, operator, dep.id, ['waiting-for-agent']);
    assert.deepEqual(await call('POST', '/api/v1/deployments', { commons: NEW_ID, release: '2026.07', mode: 'apply', reason: 'again' }), {
      status: 409,
      body: problem(409, 'conflict', 'Deployment conflict', `deployment ${dep.id} (revision 1) of ${NEW_ID} has not finished; wait for it (or cancel it), plan again and retry`),
    });
    assert.equal((await call('POST', `/api/v1/deployments/${dep.id}/cancel`)).status, 200);
    assert.deepEqual(await call('POST', `/api/v1/deployments/${dep.id}/cancel`), {
      status: 409,
      body: problem(409, 'conflict', 'Deployment finished', `deployment ${dep.id} is cancelled; nothing to cancel`),
    });
    assert.deepEqual(await call('POST', `/api/v1/deployments/${NO_SUCH}/cancel`), { status: 404, body: problem(404, 'not-found', 'Not found', `deployment ${NO_SUCH} does not exist`) });
  });
});

// src/api/client.ts: a call names a route of the table; its path is built
// from the route's parameters, and its answer is parsed with the schema of the
// status it came with.
import { beforeEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../../contracts/routes';
import { request, resourcePath } from '../../src/api/client';
import { deployment } from './support/fixtures';
import { FakeGrafana } from './support/grafana';

let g: FakeGrafana;
beforeEach(() => {
  g = new FakeGrafana().install();
});

describe('the typed client', () => {
  it('fills and encodes path parameters, and sends the query and body', async () => {
    expect(resourcePath(ROUTES.getRevision, { id: 'data-midrc-org', n: 3 })).toBe('commons/data-midrc-org/revisions/3');
    expect(resourcePath(ROUTES.getCommons, { id: 'a/b' })).toBe('commons/a%2Fb');
    expect(() => resourcePath(ROUTES.getCommons, {})).toThrow(/no value for path parameter id/);
    g.on('POST', 'commons/midrc/services/fence/scale', { status: 202, data: { command: { id: 'c1', state: 'queued', kind: 'scale' } } });
    await expect(request(ROUTES.scaleService, { params: { id: 'midrc', service: 'fence' }, body: { replicas: 3 } })).resolves.toEqual({ command: { id: 'c1', state: 'queued', kind: 'scale' } });
    expect(g.callsTo('POST', 'commons/midrc/services/fence/scale')[0].body).toEqual({ replicas: 3 });
  });

  it('parses each answer with the schema of its status', async () => {
    g.on('POST', 'deployments', { status: 202, data: { deployment: deployment('d1') } });
    const applied = await request(ROUTES.createDeployment, { body: { commons: 'midrc', release: '2026.07', mode: 'apply', reason: 'x' } });
    expect(applied).toMatchObject({ deployment: { id: 'd1' } });
    // A plan's shape under apply's status does not fit.
    g.on('POST', 'deployments', { status: 202, data: { mode: 'plan' } });
    await expect(request(ROUTES.createDeployment, { body: { commons: 'midrc', release: '2026.07', mode: 'apply', reason: 'x' } })).rejects.toThrow(/Unexpected answer/);
    g.on('DELETE', 'agents/a1', { status: 204, data: '' });
    await expect(request(ROUTES.revokeAgent, { params: { id: 'a1' } })).resolves.toBeUndefined();
    g.on('GET', 'audit', { status: 201, data: { items: [] } });
    await expect(request(ROUTES.listAudit)).rejects.toThrow(/status 201/);
  });
});

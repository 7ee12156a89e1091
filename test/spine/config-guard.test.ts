// Config changes: a change keeps the commons' identity
// (hostname, environment: gen3-helm helm/gen3/templates/global-manifest.yaml
// always writes both into manifest-global), carries no credential, says why,
// and is audited with what it changed; the history starts at revision 1, the
// config the agent found. Before the fix `{"data":{}}` wiped hostname and
// environment, no reason was asked, revision 1 was missing and the audit
// entry named only the keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandView, CommonsDetail, Problem } from '../../contracts/api';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';

const HEAL = DEMO_COMMONS[2];
const ID = 'healdata-org';

interface Revision {
  revision: number;
  author: string;
  state: string;
  data: Record<string, string>;
}

describe('config changes', () => {
  let fleet: TestFleet;
  let operator: string;
  const detail = async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.config;
  const history = async () => (await fleet.admin<{ items: Revision[] }>('GET', `/api/v1/commons/${ID}/config/revisions`)).body.items;
  const put = (body: unknown) => fleet.api<Problem & { revision: number; command: { id: string } }>(operator, 'PUT', `/api/v1/commons/${ID}/config`, body);
  const fields = (p: Problem) => (p.errors ?? []).map((e) => e.field).sort();

  before(async () => {
    fleet = await TestFleet.start({ commons: [HEAL] });
    operator = await fleet.tokenFor('operator');
    await eventually(async () => (await detail()).revision === 1 && (await history()).length === 1, { what: 'the config the agent found' });
  });
  after(() => fleet.stop());

  it('the history starts with revision 1, the config the agent found', async () => {
    const [first] = await history();
    assert.equal(first.revision, 1);
    assert.equal(first.state, 'observed');
    assert.match(first.author, /^agent:/);
    assert.equal(first.data.hostname, HEAL.hostname);
    assert.equal(first.data.environment, HEAL.environment);
  });

  it('refuses a change that removes or changes the identity, carries a credential or says no reason; nothing changes', async () => {
    const { revision, data } = await detail();
    const commandsBefore = (await fleet.admin<{ items: unknown[] }>('GET', '/api/v1/commands')).body.items.length;

    const wipe = await put({ data: {}, baseRevision: revision, reason: 'tidy up' });
    assert.equal(wipe.status, 422, JSON.stringify(wipe.body));
    assert.deepEqual(fields(wipe.body), ['body.data.environment', 'body.data.hostname']);
    assert.match(wipe.body.errors![0].message, /identity .* cannot be removed/);

    const moved = await put({ data: { ...data, hostname: 'evil.example.org' }, baseRevision: revision, reason: 'move' });
    assert.deepEqual([moved.status, fields(moved.body)], [422, ['body.data.hostname']]);

    const secret = await put({ data: { ...data, 'Fence.DB.Password': 'hunter2', 'aws-secret-access-key': 'x' }, baseRevision: revision, reason: 'creds' });
    assert.deepEqual([secret.status, fields(secret.body)], [422, ['body.data.Fence.DB.Password', 'body.data.aws-secret-access-key']]);
    assert.ok(!JSON.stringify(secret.body).includes('hunter2'), 'the refusal does not echo the credential');

    const noReason = await put({ data: { ...data, maintenance_mode: 'on' }, baseRevision: revision });
    assert.deepEqual([noReason.status, fields(noReason.body)], [422, ['body.reason']]);
    const blank = await put({ data: { ...data, maintenance_mode: 'on' }, baseRevision: revision, reason: '   ' });
    assert.deepEqual([blank.status, fields(blank.body)], [422, ['body.reason']]);

    assert.deepEqual(await detail(), { revision, data });
    assert.equal((await history()).length, 1);
    assert.equal((await fleet.admin<{ items: unknown[] }>('GET', '/api/v1/commands')).body.items.length, commandsBefore);
  });

  it('a change that keeps the identity is applied, and its audit entry says why and what changed', async () => {
    const { revision, data } = await detail();
    const r = await put({ data: { ...data, maintenance_mode: 'on', portal_app: 'gitops' }, baseRevision: revision, reason: 'storage maintenance tonight' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await eventually(async () => {
      const c = (await fleet.admin<CommandView>('GET', `/api/v1/commands/${r.body.command.id}`)).body;
      return c.state === 'succeeded';
    }, { what: 'the config change to apply' });
    assert.deepEqual(
      (await history()).map((h) => [h.revision, h.state]),
      [
        [2, 'applied'],
        [1, 'observed'],
      ],
    );
    const audit = await fleet.admin<{ items: { action: string; detail: { reason?: string; changes?: unknown } }[] }>('GET', '/api/v1/audit?action=config.update');
    const entry = audit.body.items.find((e) => e.detail.reason === 'storage maintenance tonight');
    assert.ok(entry, JSON.stringify(audit.body.items));
    assert.deepEqual(entry.detail.changes, [
      { key: 'maintenance_mode', from: 'off', to: 'on' },
      { key: 'portal_app', to: 'gitops' },
    ]);
  });
});

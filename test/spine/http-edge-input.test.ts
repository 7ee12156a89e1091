// Requests the HTTP API must refuse with a 4xx naming what is wrong, changing
// nothing: a body in a content type the route
// does not read, a malformed percent-escape in a path, a body whose
// Content-Encoding does not decode, and JSON nested thousands deep. Before the
// fix the first was accepted (202, the body unread) and the others were 500.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet } from '../support/fleet';
import { type StoreSnapshot, assertOnlyAccepted, snapshotOf } from '../support/store-snapshot';

const ID = 'data-midrc-org';

describe('edge input on the HTTP API', () => {
  let fleet: TestFleet;
  let stored: StoreSnapshot;
  let operator: string;
  let admin: string;
  const send = async (method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string>; token?: string } = {}) => {
    const r = await fetch(`${fleet.control.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${init.token ?? operator}`, ...init.headers },
      body: typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body),
    });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as { detail?: string; errors?: { field: string; message: string }[] }) : {} };
  };
  const commandCount = async () => (await fleet.admin<{ items: unknown[] }>('GET', '/api/v1/commands?limit=500')).body.items.length;

  before(async () => {
    fleet = await TestFleet.start({ commons: [DEMO_COMMONS[1]] });
    await fleet.healthyCommons(1);
    operator = await fleet.tokenFor('operator');
    admin = await fleet.tokenFor('admin');
    stored = await snapshotOf(fleet.control.opts);
  });
  after(() => fleet.stop());

  it('a body that is not JSON is refused with 415 on every route that changes something, and nothing is queued', async () => {
    const before = await commandCount();
    for (const [method, path] of [
      ['POST', `/api/v1/commons/${ID}/services/fence/restart`],
      ['POST', `/api/v1/commons/${ID}/services/fence/scale`],
      ['POST', `/api/v1/commons/${ID}/jobs/usersync/run`],
    ] as const) {
      const r = await send(method, path, { body: '{"unknown":"field"}', headers: { 'Content-Type': 'text/plain' } });
      assert.equal(r.status, 415, `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.match(r.type, /^application\/problem\+json/);
      assert.match(r.body.detail ?? '', /Content-Type: application\/json/);
    }
    assert.equal(await commandCount(), before);
  });

  it('a malformed percent-escape in a path is 400 naming the path', async () => {
    const r = await send('GET', '/api/v1/commons/%ZZ', { token: admin });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.detail ?? '', /percent-encoding|%ZZ/);
  });

  it('a body whose Content-Encoding does not decode is 400; an unknown encoding is 415', async () => {
    const garbage = await send('POST', `/api/v1/commons/${ID}/services/fence/scale`, { body: 'not gzip at all', headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } });
    assert.equal(garbage.status, 400, JSON.stringify(garbage.body));
    const brotli = await send('POST', `/api/v1/commons/${ID}/services/fence/scale`, { body: 'garbage', headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'br' } });
    assert.ok([400, 415].includes(brotli.status), JSON.stringify(brotli.body));
    // A body that does decode is read as usual.
    const good = await send('POST', `/api/v1/commons/${ID}/services/fence/scale`, { body: gzipSync(JSON.stringify({ replicas: 3 })), headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } });
    assert.equal(good.status, 202, JSON.stringify(good.body));
  });

  it('JSON nested thousands deep is 422 naming the body, not 500', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const r = await send('POST', '/api/v1/deployments', {
      token: admin,
      body: `{"commons":"${ID}","mode":"plan","release":"2026.07","template":"gen3-default","profile":"small","overrides":{"fence":${deep}}}`,
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(r.status, 422, JSON.stringify(r.body).slice(0, 500));
    assert.ok(r.body.errors?.some((e) => e.field === 'body' && /nested deeper than/.test(e.message)), JSON.stringify(r.body).slice(0, 500));
  });

  it('after the attacks the store holds only what was accepted (the gzip scale and its audit entry), and /readyz is 200', async () => {
    await assertOnlyAccepted(fleet.control.opts, stored, { commands: 1, audit: 1 }, fleet.control.url);
  });
});

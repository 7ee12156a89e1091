// The plugin reads the control service's answers through the route table's
// response schemas (contracts/routes.ts): an answer that fits is typed data,
// one that does not is an error naming the route and the field, not a value
// cast into shape.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ROUTES } from '../../contracts/routes';
import { ControlClient, ControlSchemaError } from '../../plugin/control/client';

describe('the plugin reads answers through the route table', () => {
  let body: unknown;
  let seenPath = '';
  const server = createServer((req, res) => {
    seenPath = req.url ?? '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  let client: ControlClient;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new ControlClient({ url: `http://127.0.0.1:${port}`, secret: 'schema-test-secret-0123456789abcdef', owner: 'datasource' }, { login: 'jdoe', role: 'operator' });
  });
  after(() => server.close());

  it('returns an answer that fits, at the route\'s path', async () => {
    body = { actor: 'grafana:jdoe', kind: 'grafana', role: 'operator' };
    const who = await client.getRoute(ROUTES.whoami);
    assert.equal(who.role, 'operator');
    assert.equal(seenPath, '/api/v1/whoami');
  });

  it('refuses an audit list whose entry lacks a field, naming it', async () => {
    body = { items: [{ id: 1, at: 'not a time' }] };
    await assert.rejects(client.getRoute(ROUTES.listAudit), (e: unknown) => e instanceof ControlSchemaError && /listAudit/.test(e.message) && /items\.0\./.test(e.message));
  });

  it('refuses a commons list that is not one', async () => {
    body = [{ id: 'a' }];
    await assert.rejects(client.getRoute(ROUTES.listCommons), (e: unknown) => e instanceof ControlSchemaError && /listCommons/.test(e.message));
  });
});

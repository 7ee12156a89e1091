// A renewed agent certificate retires the one before it:
// the certificate an agent renewed from still connects until the new one is
// first used (an agent that stopped between renewing and saving is not locked
// out), then never again; older ones never do. Before the fix the stored serial
// was never checked and every certificate the CA ever issued an agent connected
// until it expired.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { gatewayClient, unary } from '../../agent/protocol/client';
import { type AgentIdentity, enroll, renew } from '../../agent/protocol/identity';
import type { ControlMessage } from '../../contracts/agent-messages';
import { mintEnrollmentToken } from '../../scripts/demo/processes';
import { TestFleet } from '../support/fleet';
import { type StoreSnapshot, assertOnlyAccepted, snapshotOf } from '../support/store-snapshot';

const HOST = 'renewing.example.org';

describe('certificate renewal', () => {
  let fleet: TestFleet;
  let stored: StoreSnapshot;
  let dataDir: string;
  const ids: AgentIdentity[] = [];

  /** Opens the agent stream with `id` and says hello: 'welcome' or the refusal's code and details. */
  function connect(id: AgentIdentity): Promise<string> {
    const client = gatewayClient(fleet.control.gatewayAddr, id);
    const call = client.connect();
    return new Promise<string>((resolve) => {
      const done = (v: string) => {
        call.cancel();
        client.close();
        resolve(v);
      };
      call.on('data', (m: ControlMessage) => 'welcome' in m && done('welcome'));
      call.on('error', (e: grpc.ServiceError) => done(`${grpc.status[e.code]}: ${e.details}`));
      const commons = { hostname: HOST, environment: 'renewing', name: HOST, namespace: 'renewing' };
      call.write({ seq: 0, hello: { agent_id: id.agentId, agent_version: 'test', capabilities: [], commons, finished: [] } });
    });
  }

  before(async () => {
    fleet = await TestFleet.start({ commons: [] });
    dataDir = mkdtempSync(join(tmpdir(), 'dcoc-renewing-'));
    ids.push(
      await enroll({ dataDir, enrollAddr: fleet.control.enrollAddr, caPem: readFileSync(fleet.control.caFile, 'utf8'), token: await mintEnrollmentToken(fleet.control), version: 'test', hostname: HOST }),
    );
    stored = await snapshotOf(fleet.control.opts);
  });
  after(() => fleet.stop());

  it('the new certificate connects, and once it has, the one it replaced is refused', async () => {
    assert.equal(await connect(ids[0]), 'welcome');
    ids.push(await renew(dataDir, fleet.control.gatewayAddr, ids[0]));
    assert.equal(await connect(ids[1]), 'welcome');
    assert.match(await connect(ids[0]), /^UNAUTHENTICATED: .*superseded by a renewal/);
    const client = gatewayClient(fleet.control.gatewayAddr, ids[0]);
    await assert.rejects(unary(client, 'renew', { csr_pem: '' }), (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED && /superseded/.test(e.details), 'a retired certificate cannot renew either');
    client.close();
  });

  it('the certificate renewed from connects until the new one is first used; older ones never', async () => {
    ids.push(await renew(dataDir, fleet.control.gatewayAddr, ids[1]));
    assert.equal(await connect(ids[1]), 'welcome', 'the agent may not have saved the new certificate yet');
    assert.match(await connect(ids[0]), /superseded/);
    assert.equal(await connect(ids[2]), 'welcome');
    assert.match(await connect(ids[1]), /superseded/, 'retired once the new one was used');
  });

  it('after the superseded certificates were refused the store holds only the commons the agent registered; /readyz is 200', async () => {
    await assertOnlyAccepted(fleet.control.opts, stored, { commons: 1 }, fleet.control.url);
  });
});

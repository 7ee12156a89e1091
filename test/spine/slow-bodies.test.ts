// Slow bodies: credentials are checked before a body is
// read, so a stranger trickling a body gets 401 at once and the connection is
// closed; an authenticated request whose body does not arrive within
// DCOC_HTTP_REQUEST_TIMEOUT_S gets 408; a client that gives up mid-body leaves
// no stack trace in the log. Before the fix the body was read first (a
// stranger held the connection for as long as he liked, 300 s by Node's
// default) and aborts were logged with their stack.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, TestFleet } from '../support/fleet';
import { type StoreSnapshot, assertOnlyAccepted, snapshotOf } from '../support/store-snapshot';

/** Sends the headers and the first bytes of a body that claims 100,000; resolves with what the server answers, and whether it closed. */
function trickle(url: string, headers: Record<string, string>, waitMs: number): { socket: Socket; answer: Promise<{ status: number | null; closed: boolean }> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const head = [`POST /api/v1/commons/x/services/fence/scale HTTP/1.1`, `Host: ${hostname}`, 'Content-Type: application/json', 'Content-Length: 100000', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(`${head.join('\r\n')}\r\n\r\n{"replicas"`);
  const answer = new Promise<{ status: number | null; closed: boolean }>((resolve) => {
    let data = '';
    const done = (closed: boolean) => {
      clearTimeout(t);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      resolve({ status: m ? Number(m[1]) : null, closed });
    };
    const t = setTimeout(() => done(false), waitMs);
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
  });
  return { socket, answer };
}

describe('slow request bodies', () => {
  let fleet: TestFleet;
  let stored: StoreSnapshot;
  before(async () => {
    fleet = await TestFleet.start({ commons: [], controlEnv: { DCOC_HTTP_REQUEST_TIMEOUT_S: '2' } });
    stored = await snapshotOf(fleet.control.opts);
  });
  after(() => fleet.stop());

  it('strangers trickling bodies get 401 at once and their connections are closed', async () => {
    const conns = Array.from({ length: 50 }, (_, i) => trickle(fleet.control.url, i % 2 ? { Authorization: 'Bearer dcoc_not-a-token-000000000000' } : {}, 1500));
    const answers = await Promise.all(conns.map((c) => c.answer));
    for (const c of conns) c.socket.destroy();
    assert.deepEqual(
      answers.filter((a) => a.status !== 401 || !a.closed),
      [],
      'every stranger got 401 and a closed connection before the 2 s request timeout',
    );
    assert.equal((await fleet.admin('GET', '/api/v1/whoami')).status, 200, 'the service still answers');
  });

  it('an authenticated body that does not arrive in time gets 408', async () => {
    const c = trickle(fleet.control.url, { Authorization: `Bearer ${ADMIN_TOKEN}` }, 20_000);
    const a = await c.answer;
    c.socket.destroy();
    assert.deepEqual(a, { status: 408, closed: true });
  });

  it('clients that give up mid-body leave no stack trace in the log', async () => {
    const mark = fleet.control.logs.length;
    const conns = Array.from({ length: 20 }, () => trickle(fleet.control.url, { Authorization: `Bearer ${ADMIN_TOKEN}` }, 300));
    await Promise.all(conns.map((c) => c.answer));
    for (const c of conns) c.socket.destroy();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await fleet.admin('GET', '/api/v1/whoami')).status, 200);
    const noisy = fleet.control.logs.slice(mark).filter((l) => /"stack"|"level":(50|60)/.test(l));
    assert.deepEqual(noisy, []);
  });

  it('after the slow bodies the store holds nothing new, and /readyz is 200', async () => {
    await assertOnlyAccepted(fleet.control.opts, stored, {}, fleet.control.url);
  });
});

// The plugin's reading of the control service's event stream: SSE split into
// chunks anywhere (inside field names, values and line endings) and with CRLF,
// CR or LF line endings gives the same events; the relay reconnects with
// Last-Event-ID after a drop and loses nothing.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ControlClient } from '../../plugin/control/client';
import { relayEvents } from '../../plugin/control/event-stream';
import { SseParser, type SseItem } from '../../plugin/control/sse';
import type { Logger } from '../../plugin/sdk';

const STREAM = [
  ': connected',
  'id: 17',
  'event: command',
  'data: {"id":17,"type":"command","state":"running"}',
  '',
  ': keepalive',
  'data: first line',
  'data:second line',
  'data',
  '',
  'id: 18',
  'event: status',
  'retry: 1000',
  'data: {"id":18}',
  '',
  'event: ignored-without-data',
  '',
];

const EXPECTED: SseItem[] = [
  { kind: 'comment', text: 'connected' },
  { kind: 'event', event: { id: '17', event: 'command', data: '{"id":17,"type":"command","state":"running"}' } },
  { kind: 'comment', text: 'keepalive' },
  { kind: 'event', event: { id: '', event: 'message', data: 'first line\nsecond line\n' } },
  { kind: 'event', event: { id: '18', event: 'status', data: '{"id":18}' } },
];

function parse(chunks: string[]): SseItem[] {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
}

describe('SSE parsing', () => {
  for (const [name, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    const text = STREAM.map((l) => `${l}${eol}`).join('');

    it(`reads ${name} line endings whole, split in two anywhere, and byte by byte`, () => {
      assert.deepEqual(parse([text]), EXPECTED);
      for (let i = 1; i < text.length; i++) assert.deepEqual(parse([text.slice(0, i), text.slice(i)]), EXPECTED, `split at ${i}: ${JSON.stringify(text.slice(i - 3, i + 3))}`);
      assert.deepEqual(parse([...text]), EXPECTED);
    });
  }

  it('waits for the rest of an event split inside a field name, a value and between CR and LF', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('id: 4'), []);
    assert.deepEqual(parser.push('2\r\nev'), []);
    assert.deepEqual(parser.push('ent: sta'), []);
    assert.deepEqual(parser.push('tus\r\nda'), []);
    assert.deepEqual(parser.push('ta: {"a":1}\r\n\r'), []);
    assert.deepEqual(parser.push('\n: keep'), [{ kind: 'event', event: { id: '42', event: 'status', data: '{"a":1}' } }]);
    assert.deepEqual(parser.push('alive\r\n'), [{ kind: 'comment', text: 'keepalive' }]);
  });
});

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, with: () => silent };

describe('event relay', () => {
  it('reconnects after a drop with the Last-Event-ID it last saw, across CRLF events split mid-field', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      if (seen.length === 1) {
        // Two events in pieces that cut "event", a JSON value and a CRLF; then the connection breaks.
        const pieces = ['id: 7\r\nev', 'ent: status\r\ndata: {"id":7,"st', 'ate":"up"}\r', '\n\r\nid: 8\r\nevent: status\r\ndata: {"id":8}\r\n\r\n'];
        let i = 0;
        const next = () => (i < pieces.length ? res.write(pieces[i++], () => setTimeout(next, 20)) : res.socket?.destroy());
        next();
      } else {
        res.write(': connected\r\n\r\nid: 9\r\nevent: status\r\ndata: {"id":9}\r\n\r\n');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new ControlClient({ url: `http://127.0.0.1:${port}`, secret: 'relay-test-secret-0123456789abcdef', owner: 'app' }, { login: 'jdoe', role: 'viewer' });
    const ac = new AbortController();
    const got: { id: string; type: string; data: Record<string, unknown> }[] = [];
    try {
      for await (const e of relayEvents({ client, signal: ac.signal, logger: silent })) {
        got.push(e);
        if (got.length === 3) ac.abort();
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
    assert.deepEqual(got, [
      { id: '7', type: 'status', data: { id: 7, state: 'up' } },
      { id: '8', type: 'status', data: { id: 8 } },
      { id: '9', type: 'status', data: { id: 9 } },
    ]);
    assert.deepEqual(seen, [undefined, '8']);
  });
});

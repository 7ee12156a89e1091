// The external-check prober against local servers: HTTP status and latency,
// certificate expiry read even when the certificate does not verify (expired,
// a private CA with and without DCOC_EXTERNAL_CHECK_CA_FILE, the wrong name),
// connection refused, DNS, timeout; no redirect followed, no credential sent.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { type Server, type Socket, createServer as createTcpServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { probe, probeOk } from '../../backend/external/probe';
import { CertificateAuthority } from '../../backend/pki/ca';
import { freePort } from '../support/free-port';
import { DAY_MS, TlsEndpoints, selfSigned } from '../support/tls-endpoint';

const HOST = 'data.example.org';
const TIMEOUT_MS = 5000;

describe('external check prober', () => {
  let tls: TlsEndpoints;
  let other: CertificateAuthority;
  const otherDir = mkdtempSync(join(tmpdir(), 'dcoc-other-ca-'));
  const at = (hostname: string, path = '/_status') => ({ url: new URL(`https://${hostname}:${tls.port}${path}`), address: '127.0.0.1' });

  before(async () => {
    tls = await TlsEndpoints.create();
    other = await CertificateAuthority.loadOrCreate(otherDir);
    await tls.serve(HOST, 30 * DAY_MS);
    await tls.serve('down.example.org', 30 * DAY_MS, { status: 503 });
    await tls.serve('expired.example.org', -30_000);
    await tls.serve('private.example.org', 30 * DAY_MS, { issuer: other });
    await tls.serve('wrong-name.example.org', 30 * DAY_MS, { names: ['someone-else.example.org'] });
    await tls.serve('redirect.example.org', 30 * DAY_MS, { status: 302 });
    await tls.listen();
  });
  after(async () => {
    await tls.close();
    rmSync(otherDir, { recursive: true, force: true });
  });

  it('a healthy endpoint: HTTP status, latency, the certificate notAfter, verified with the extra CA', async () => {
    const notAfter = await tls.serve('fresh.example.org', 30 * DAY_MS);
    const r = await probe(at('fresh.example.org', '/user/_status'), { timeoutMs: TIMEOUT_MS, extraCaPem: tls.caPem });
    assert.equal(r.up, true);
    assert.equal(r.httpStatus, 200);
    assert.equal(typeof r.latencyMs, 'number');
    assert.ok(r.latencyMs! >= 0);
    assert.equal(r.certificateValid, true);
    assert.equal(r.error, '');
    // X.509 keeps whole seconds.
    assert.equal(Math.floor(r.certificateNotAfter!.getTime() / 1000), Math.floor(notAfter.getTime() / 1000));
    assert.equal(r.url, `https://fresh.example.org:${tls.port}/user/_status`);
    assert.ok(probeOk(r));
    const seen = tls.seen.at(-1)!;
    assert.equal(seen.servername, 'fresh.example.org', 'SNI names the commons');
    assert.equal(seen.path, '/user/_status');
  });

  it('HTTP 503 is down, in words', async () => {
    const r = await probe(at('down.example.org'), { timeoutMs: TIMEOUT_MS, extraCaPem: tls.caPem });
    assert.equal(r.up, false);
    assert.equal(r.httpStatus, 503);
    assert.equal(r.error, 'HTTP 503');
    assert.equal(r.certificateValid, true);
  });

  it('an expired certificate: still read (its notAfter in the past), reported invalid as "certificate expired"', async () => {
    const r = await probe(at('expired.example.org'), { timeoutMs: TIMEOUT_MS, extraCaPem: tls.caPem });
    assert.equal(r.httpStatus, 200);
    assert.equal(r.up, true, 'the server answered');
    assert.equal(r.certificateValid, false);
    assert.ok(r.certificateNotAfter!.getTime() < Date.now());
    assert.equal(r.error, 'certificate expired');
    assert.equal(probeOk(r), false);
  });

  it('a certificate of a private CA: invalid without the extra CA, valid with it; its expiry read either way', async () => {
    const without = await probe(at('private.example.org'), { timeoutMs: TIMEOUT_MS });
    assert.equal(without.certificateValid, false);
    assert.match(without.error, /not issued by a trusted CA/);
    assert.ok(without.certificateNotAfter!.getTime() > Date.now() + 29 * DAY_MS);
    const wrongCa = await probe(at('private.example.org'), { timeoutMs: TIMEOUT_MS, extraCaPem: tls.caPem });
    assert.equal(wrongCa.certificateValid, false, 'another CA does not make it valid');
    const withCa = await probe(at('private.example.org'), { timeoutMs: TIMEOUT_MS, extraCaPem: other.certPem });
    assert.equal(withCa.certificateValid, true);
    assert.equal(withCa.error, '');
  });

  it('a self-signed certificate: invalid ("self-signed") until it is trusted, its expiry read either way', async () => {
    const pair = await selfSigned(['self.example.org'], 20 * DAY_MS);
    await tls.serve('self.example.org', 20 * DAY_MS, { issuer: 'self' });
    const without = await probe(at('self.example.org'), { timeoutMs: TIMEOUT_MS, extraCaPem: tls.caPem });
    assert.equal(without.certificateValid, false);
    assert.equal(without.error, 'certificate is self-signed and not trusted');
    assert.ok(without.certificateNotAfter!.getTime() > Date.now() + 19 * DAY_MS);
    // Trusting the served certificate itself (an operator's CA bundle holding it).
    const served = tls.certificateOf('self.example.org');
    const trusted = await probe(at('self.example.org'), { timeoutMs: TIMEOUT_MS, extraCaPem: served });
    assert.equal(trusted.certificateValid, true, trusted.error);
    assert.notEqual(pair.certPem, served, 'a fresh key each time');
  });

  it('a certificate for another name is invalid, naming the host', async () => {
    const r = await probe(at('wrong-name.example.org'), { timeoutMs: TIMEOUT_MS, extraCaPem: tls.caPem });
    assert.equal(r.certificateValid, false);
    assert.equal(r.error, 'certificate does not name wrong-name.example.org');
  });

  it('a redirect is an answer, never followed', async () => {
    const before = tls.seen.length;
    const r = await probe(at('redirect.example.org', '/'), { timeoutMs: TIMEOUT_MS, extraCaPem: tls.caPem });
    assert.equal(r.httpStatus, 302);
    assert.equal(r.up, true);
    assert.equal(tls.seen.length, before + 1, 'one request: the Location was not followed');
  });

  it('sends no credential: no Authorization, no Cookie; Host is the commons', async () => {
    await probe(at(HOST), { timeoutMs: TIMEOUT_MS, extraCaPem: tls.caPem });
    const seen = tls.seen.at(-1)!;
    assert.equal(seen.method, 'GET');
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers.host, `${HOST}:${tls.port}`);
    assert.match(String(seen.headers['user-agent']), /^dcoc-external-check\//);
  });

  it('connection refused', async () => {
    const port = await freePort();
    const r = await probe({ url: new URL(`https://${HOST}:${port}/`), address: '127.0.0.1' }, { timeoutMs: TIMEOUT_MS });
    assert.equal(r.up, false);
    assert.equal(r.httpStatus, null);
    assert.equal(r.error, 'connection refused');
    assert.equal(r.certificateValid, null);
    assert.equal(r.certificateNotAfter, null);
  });

  it('a name DNS does not know', async () => {
    const r = await probe({ url: new URL('https://no-such-commons.invalid/') }, { timeoutMs: TIMEOUT_MS });
    assert.equal(r.up, false);
    assert.match(r.error, /^DNS: /);
  });

  it('a server that accepts and never answers times out', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as { port: number }).port;
      const r = await probe({ url: new URL(`https://${HOST}:${port}/`), address: '127.0.0.1' }, { timeoutMs: 300 });
      assert.equal(r.up, false);
      assert.equal(r.error, 'timeout: no answer within 0.3 s');
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('plain http: status, no certificate', async () => {
    const srv = createHttpServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (srv.address() as { port: number }).port;
      const r = await probe({ url: new URL(`http://${HOST}:${port}/_status`), address: '127.0.0.1' }, { timeoutMs: TIMEOUT_MS });
      assert.equal(r.httpStatus, 204);
      assert.equal(r.up, true);
      assert.equal(r.certificateValid, null);
      assert.ok(probeOk(r));
    } finally {
      srv.close();
    }
  });
});


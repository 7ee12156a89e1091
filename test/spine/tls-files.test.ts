// Bringing your own certificates (docs/operating.md, "TLS"): an existing CA
// from files (a cert-manager Secret's SEC1 key), the agent gateway's own
// certificate, replaced on disk while the service runs and picked up without a
// restart, and the HTTP API over TLS. A setting given without its pair is
// refused at start, naming the one missing.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { CertificateAuthority } from '../../backend/pki/ca';
import { sameSerial } from '../../lib/pki/x509';
import { type AgentProc, type Control, DEMO_COMMONS, launch, startAgent, stopProc } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, eventually, startTestControl } from '../support/fleet';
import { freePort } from '../support/free-port';

function httpsJson<T>(url: string, ca: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The serial of the certificate a TLS listener presents to a new connection that trusts `ca`. */
function presentedSerial(addr: string, ca: string): Promise<string> {
  const i = addr.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const s = connect({ host: addr.slice(0, i), port: Number(addr.slice(i + 1)), ca, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      resolve(s.getPeerCertificate().serialNumber);
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('certificates from files', () => {
  let dir: string;
  let ca: CertificateAuthority;
  let control: Control;
  let agent: AgentProc | undefined;
  const files = (name: string) => ({ cert: join(dir, `${name}.crt.pem`), key: join(dir, `${name}.key.pem`) });
  const issue = async (name: string) => {
    const c = await ca.issueServerCertificate(['localhost', '127.0.0.1']);
    writeFileSync(files(name).cert, c.certPem);
    writeFileSync(files(name).key, c.keyPem, { mode: 0o600 });
    return c;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcoc-tls-files-'));
    ca = await CertificateAuthority.loadOrCreate(join(dir, 'ca'));
    // cert-manager writes an EC key as SEC1 ("EC PRIVATE KEY") unless told PKCS8.
    const sec1 = createPrivateKey(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'ca', 'ca.key.pem')))).export({ type: 'sec1', format: 'pem' }).toString();
    assert.match(sec1, /BEGIN EC PRIVATE KEY/);
    writeFileSync(join(dir, 'ca-sec1.key.pem'), sec1, { mode: 0o600 });
  });
  after(async () => {
    if (agent) await stopProc(agent);
    if (control) await stopProc(control);
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the CA, the gateway certificate and the HTTP certificate it is given, and replaces the gateway one when its files change', async () => {
    const first = await issue('gateway');
    const firstHttp = await issue('http');
    control = await startTestControl(join(dir, 'control'), {
      DCOC_CA_CERT_FILE: join(dir, 'ca', 'ca.crt.pem'),
      DCOC_CA_KEY_FILE: join(dir, 'ca-sec1.key.pem'),
      DCOC_TLS_CERT_FILE: files('gateway').cert,
      DCOC_TLS_KEY_FILE: files('gateway').key,
      DCOC_HTTP_TLS_CERT_FILE: files('http').cert,
      DCOC_HTTP_TLS_KEY_FILE: files('http').key,
      DCOC_TLS_CHECK_S: '1',
    });
    assert.match(control.url, /^https:\/\//);
    assert.equal((await httpsJson(`${control.url}/readyz`, ca.certPem)).status, 200);
    // Its own CA is the one given: nothing was created in the data directory.
    const minted = await httpsJson<{ token: string; caCertificate: string }>(`${control.url}/api/v1/enrollment-tokens`, ca.certPem, 'POST', { ttlSeconds: 600, description: 'tls files' });
    assert.equal(minted.status, 201);
    assert.equal(minted.body.caCertificate, ca.certPem);
    assert.ok(sameSerial(await presentedSerial(control.gatewayAddr, ca.certPem), first.serial));
    assert.ok(sameSerial(await presentedSerial(control.enrollAddr, ca.certPem), first.serial));

    // An agent enrolls and connects through the files' certificate, signed by the given CA.
    writeFileSync(join(dir, 'ca-for-agents.pem'), ca.certPem);
    agent = await startAgent({ control: { ...control, caFile: join(dir, 'ca-for-agents.pem') }, spec: DEMO_COMMONS[0], dataDir: join(dir, 'agent'), token: minted.body.token, tickMs: 100, podStartMs: 200 });
    await eventually(async () => (await httpsJson<{ agents: number }>(`${control.url}/readyz`, ca.certPem)).body.agents === 1, { what: 'the agent to connect' });

    // The Secret is renewed: new handshakes get the new certificate, without a restart; the agent stays.
    const second = await issue('gateway');
    await eventually(async () => sameSerial(await presentedSerial(control.gatewayAddr, ca.certPem), second.serial), { what: 'the gateway to present the renewed certificate', timeoutMs: 15_000 });
    assert.ok(sameSerial(await presentedSerial(control.enrollAddr, ca.certPem), second.serial));
    const httpAddr = control.url.replace(/^https:\/\//, '');
    assert.ok(sameSerial(await presentedSerial(httpAddr, ca.certPem), firstHttp.serial));
    const secondHttp = await issue('http');
    await eventually(async () => sameSerial(await presentedSerial(httpAddr, ca.certPem), secondHttp.serial), { what: 'the HTTP API to present the renewed certificate', timeoutMs: 15_000 });
    assert.equal((await httpsJson<{ agents: number }>(`${control.url}/readyz`, ca.certPem)).body.agents, 1);
  });

  it('refuses to start with half a pair, naming the missing setting', async () => {
    const p = launch(['backend/main.ts'], { DCOC_DATA_DIR: join(dir, 'half'), DCOC_HTTP_ADDR: `127.0.0.1:${await freePort()}`, DCOC_CA_CERT_FILE: join(dir, 'ca', 'ca.crt.pem') });
    assert.equal(await p.exited, 1);
    assert.match(p.logs.join('\n'), /DCOC_CA_KEY_FILE: must be set with DCOC_CA_CERT_FILE/);
  });
});

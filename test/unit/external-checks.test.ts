// The external checks' rounds (every commons the fleet knows × every path,
// bounded concurrency, results of removed commons dropped, a hostname that is
// not a DNS name never probed), their metrics, and their settings: bad ones
// refused at start-up naming the variable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadEnv } from '../../backend/config/env';
import { ExternalChecks, endpointUrl } from '../../backend/external/checks';
import type { ProbeResult, ProbeTarget } from '../../backend/external/probe';
import { externalCheckSettings } from '../../backend/external/settings';
import type { LiveCommons } from '../../backend/fleet/fleet';
import { externalCheckFamilies } from '../../backend/metrics/external';
import { createLogger } from '../../lib/logger';

const ROOT = resolve(import.meta.dirname, '..', '..');
const log = createLogger('test', 'silent');

function fleetOf(...hosts: [id: string, hostname: string][]) {
  const m = new Map(hosts.map(([id, hostname]) => [id, { id, hostname, environment: `${id}-env` } as LiveCommons]));
  return { map: m, all: () => [...m.values()], get: (id: string) => m.get(id) };
}

function fakeProbe(answer: (t: ProbeTarget) => Partial<ProbeResult>) {
  const calls: ProbeTarget[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fn = async (t: ProbeTarget): Promise<ProbeResult> => {
    calls.push(t);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return { url: t.url.toString(), up: true, httpStatus: 200, latencyMs: 12, checkedAt: new Date(), error: '', certificateNotAfter: new Date('2031-01-01T00:00:00Z'), certificateValid: true, certificateError: '', ...answer(t) };
  };
  return { fn, calls, maxInFlight: () => maxInFlight };
}

const settings = (env: NodeJS.ProcessEnv = {}) => externalCheckSettings(loadEnv(env));

describe('external checks', () => {
  it('a round probes every path of every commons at most `concurrency` at a time, at the configured address', async () => {
    const fleet = fleetOf(['a-org', 'a.org'], ['b-org', 'b.org']);
    const p = fakeProbe(() => ({}));
    const checks = new ExternalChecks(settings({ DCOC_EXTERNAL_CHECK_CONCURRENCY: '3', DCOC_EXTERNAL_CHECK_ADDRESSES: 'b.org=10.1.2.3' }), fleet, log, p.fn);
    await checks.round();
    assert.deepEqual(
      p.calls.map((c) => `${c.url.toString()} ${c.address ?? '-'}`).sort(),
      [
        'https://a.org/ -',
        'https://a.org/_status -',
        'https://a.org/index/_status -',
        'https://a.org/user/_status -',
        'https://b.org/ 10.1.2.3',
        'https://b.org/_status 10.1.2.3',
        'https://b.org/index/_status 10.1.2.3',
        'https://b.org/user/_status 10.1.2.3',
      ],
    );
    assert.equal(p.maxInFlight(), 3);
  });

  it('the API view: "not checked yet" before the first probe, then the results; empty when the checks are off', async () => {
    const fleet = fleetOf(['a-org', 'a.org']);
    const p = fakeProbe((t) => (t.url.pathname === '/index/_status' ? { up: false, httpStatus: 500, error: 'HTTP 500' } : {}));
    const checks = new ExternalChecks(settings({ DCOC_EXTERNAL_CHECK_PATHS: '/,/index/_status' }), fleet, log, p.fn);
    const c = fleet.get('a-org')!;
    assert.deepEqual(
      checks.views(c).map((v) => [v.url, v.ok, v.checkedAt, v.error]),
      [
        ['https://a.org/', false, null, 'not checked yet'],
        ['https://a.org/index/_status', false, null, 'not checked yet'],
      ],
    );
    await checks.round();
    const [root, indexd] = checks.views(c);
    assert.equal(root.ok, true);
    assert.equal(root.httpStatus, 200);
    assert.equal(root.certificateNotAfter, '2031-01-01T00:00:00.000Z');
    assert.equal(indexd.ok, false);
    assert.equal(indexd.error, 'HTTP 500');
    const off = new ExternalChecks(settings({ DCOC_EXTERNAL_CHECKS: 'false' }), fleet, log, p.fn);
    assert.deepEqual(off.views(c), []);
  });

  it('a hostname the agent reported that is not a DNS name is never probed, and says why', async () => {
    const fleet = fleetOf(['evil', 'evil.org/x?y=']);
    const p = fakeProbe(() => ({}));
    const checks = new ExternalChecks(settings(), fleet, log, p.fn);
    await checks.round();
    assert.equal(p.calls.length, 0);
    assert.match(checks.views(fleet.get('evil')!)[0].error, /is not a DNS name; not probed/);
    assert.equal(typeof endpointUrl('https://{hostname}', 'user@evil.org', '/'), 'string');
    assert.equal(String(endpointUrl('https://{hostname}:8443/base', 'a.org', '/user/_status')), 'https://a.org:8443/base/user/_status');
  });

  it('metrics: one series per commons and endpoint, labelled only commons, environment and endpoint; a removed commons disappears', async () => {
    const fleet = fleetOf(['a-org', 'a.org'], ['b-org', 'b.org']);
    const p = fakeProbe((t) => (t.url.hostname === 'b.org' ? { up: false, httpStatus: null, latencyMs: null, error: 'connection refused', certificateNotAfter: null, certificateValid: null } : {}));
    const checks = new ExternalChecks(settings({ DCOC_EXTERNAL_CHECK_PATHS: '/_status' }), fleet, log, p.fn);
    // Served with each commons' detail (/metrics/commons/{id}).
    const metrics = () => [...fleet.map.values()].flatMap((c) => externalCheckFamilies(c, checks)).map((f) => f.text()).join('');
    assert.doesNotMatch(metrics(), /^dcoc_external_up\{/m, 'no series before a probe');
    await checks.round();
    const text = metrics();
    assert.match(text, /^dcoc_external_up\{commons="a-org",environment="a-org-env",endpoint="\/_status"\} 1$/m);
    assert.match(text, /^dcoc_external_up\{commons="b-org",environment="b-org-env",endpoint="\/_status"\} 0$/m);
    assert.match(text, /^dcoc_external_http_status\{commons="b-org",environment="b-org-env",endpoint="\/_status"\} 0$/m);
    assert.match(text, /^dcoc_external_probe_duration_seconds\{commons="a-org",environment="a-org-env",endpoint="\/_status"\} 0\.012$/m);
    assert.match(text, /^dcoc_external_tls_cert_expiry_timestamp_seconds\{commons="a-org",environment="a-org-env",endpoint="\/_status"\} 1924992000$/m);
    assert.match(text, /^dcoc_external_tls_cert_valid\{commons="a-org",environment="a-org-env",endpoint="\/_status"\} 1$/m);
    assert.doesNotMatch(text, /dcoc_external_tls_cert_\w+\{commons="b-org"/, 'no certificate, no certificate series');
    for (const line of text.split('\n').filter((l) => l.startsWith('dcoc_external_'))) {
      assert.match(line, /^dcoc_external_\w+\{commons="[^"]+",environment="[^"]+",endpoint="[^"]+"\} \S+$/, line);
    }
    fleet.map.delete('b-org');
    assert.doesNotMatch(metrics(), /commons="b-org"/);
    await checks.round();
    assert.deepEqual(p.calls.filter((c) => c.url.hostname === 'b.org').length, 1, 'a removed commons is not probed again');
  });

  describe('settings', () => {
    const refused = (env: NodeJS.ProcessEnv, message: RegExp) => assert.throws(() => settings(env), (e: Error) => (assert.match(e.message, message), true));

    it('bad values are refused, naming the variable and what it must be', () => {
      refused({ DCOC_EXTERNAL_CHECKS: 'yes' }, /DCOC_EXTERNAL_CHECKS: must be true or false/);
      refused({ DCOC_EXTERNAL_CHECK_INTERVAL_S: '1' }, /DCOC_EXTERNAL_CHECK_INTERVAL_S/);
      refused({ DCOC_EXTERNAL_CHECK_INTERVAL_S: '30', DCOC_EXTERNAL_CHECK_TIMEOUT_S: '30' }, /DCOC_EXTERNAL_CHECK_TIMEOUT_S: must be less than DCOC_EXTERNAL_CHECK_INTERVAL_S \(30\)/);
      refused({ DCOC_EXTERNAL_CHECK_PATHS: 'user/_status' }, /DCOC_EXTERNAL_CHECK_PATHS.*must start with \//);
      refused({ DCOC_EXTERNAL_CHECK_PATHS: '/a?b' }, /DCOC_EXTERNAL_CHECK_PATHS/);
      refused({ DCOC_EXTERNAL_CHECK_PATHS: '/,/' }, /DCOC_EXTERNAL_CHECK_PATHS: must not name a path twice/);
      refused({ DCOC_EXTERNAL_CHECK_URL: 'https://data.example.org' }, /DCOC_EXTERNAL_CHECK_URL: must hold \{hostname\} exactly once/);
      refused({ DCOC_EXTERNAL_CHECK_URL: 'https://user:secret@{hostname}' }, /DCOC_EXTERNAL_CHECK_URL: must not hold a user name or password/);
      refused({ DCOC_EXTERNAL_CHECK_URL: 'https://{hostname}.proxy.example.org' }, /DCOC_EXTERNAL_CHECK_URL: \{hostname\} must be the whole host name/);
      refused({ DCOC_EXTERNAL_CHECK_URL: 'ftp://{hostname}' }, /DCOC_EXTERNAL_CHECK_URL: must be an http/);
      refused({ DCOC_EXTERNAL_CHECK_URL: 'https://{hostname}/?token=x' }, /DCOC_EXTERNAL_CHECK_URL: must not hold a query/);
      refused({ DCOC_EXTERNAL_CHECK_ADDRESSES: 'data.example.org=somewhere' }, /DCOC_EXTERNAL_CHECK_ADDRESSES/);
    });

    it('a CA file that cannot be read or holds no certificate is refused', () => {
      const dir = mkdtempSync(join(tmpdir(), 'dcoc-ext-ca-'));
      try {
        refused({ DCOC_EXTERNAL_CHECK_CA_FILE: join(dir, 'missing.pem') }, /DCOC_EXTERNAL_CHECK_CA_FILE: cannot read .*missing\.pem: ENOENT/);
        writeFileSync(join(dir, 'empty.pem'), 'not a certificate\n');
        refused({ DCOC_EXTERNAL_CHECK_CA_FILE: join(dir, 'empty.pem') }, /DCOC_EXTERNAL_CHECK_CA_FILE: .*holds no PEM certificate/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the defaults: on, every 60 s, 10 s timeout, the four Gen3 paths, https://{hostname}', () => {
      const s = settings();
      assert.equal(s.enabled, true);
      assert.equal(s.intervalMs, 60_000);
      assert.equal(s.timeoutMs, 10_000);
      // gen3-helm 42cc46bc helm/revproxy: nginx/nginx.conf `location = /_status` (revproxy itself);
      // gen3.nginx.conf/fence-service.conf `location /user/` rewrites to fence, whose /_status is fence/blueprints/misc.py;
      // gen3.nginx.conf/indexd-service.conf `location /index/` rewrites to indexd (indexd/index/blueprint.py /_status);
      // portal-as-root/portal-service.conf `location /` (the portal).
      assert.deepEqual(s.paths, ['/', '/user/_status', '/index/_status', '/_status']);
      assert.equal(s.urlTemplate, 'https://{hostname}');
    });

    it('the control service refuses to start with a bad setting: exit 1, the variable named', () => {
      const dir = mkdtempSync(join(tmpdir(), 'dcoc-ext-start-'));
      try {
        for (const [env, message] of [
          [{ DCOC_EXTERNAL_CHECK_URL: 'https://data.example.org' }, /DCOC_EXTERNAL_CHECK_URL: must hold \{hostname\} exactly once/],
          [{ DCOC_EXTERNAL_CHECK_TIMEOUT_S: '60' }, /DCOC_EXTERNAL_CHECK_TIMEOUT_S: must be less than DCOC_EXTERNAL_CHECK_INTERVAL_S/],
        ] as const) {
          const r = spawnSync(process.execPath, ['--import', 'tsx', 'backend/main.ts'], {
            cwd: ROOT,
            env: { PATH: process.env.PATH, HOME: process.env.HOME, DCOC_DATA_DIR: dir, DCOC_HTTP_ADDR: '127.0.0.1:0', DCOC_GRPC_ADDR: '127.0.0.1:0', DCOC_ENROLL_ADDR: '127.0.0.1:0', ...env },
            encoding: 'utf8',
            timeout: 60_000,
          });
          assert.equal(r.status, 1, r.stderr);
          assert.match(r.stderr, message);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

// `npm start` gives three healthy commons whose health came from real HTTP
// checks, and Ctrl-C stops everything.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CommonsDetail, CommonsSummary } from '../../contracts/api';
import { ROOT } from '../../scripts/demo/processes';
import { freePort } from '../support/free-port';
import { eventually } from '../support/fleet';

function get(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-demo-'));
  let child: ReturnType<typeof spawn>;
  let out = '';
  let httpPort: number;
  let token: string;
  const api = async <T>(path: string) => {
    const r = await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return (await r.json()) as T;
  };

  before(async () => {
    httpPort = await freePort();
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DCOC_DEMO_DIR: dir,
        DCOC_DEMO_HTTP_PORT: String(httpPort),
        DCOC_DEMO_GRPC_PORT: String(await freePort()),
        DCOC_DEMO_ENROLL_PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  });
  after(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists three healthy commons within 30 s, each with at least 14 services checked over HTTP', async () => {
    const t0 = Date.now();
    await eventually(() => /Ctrl-C stops everything/.test(out), { timeoutMs: 30_000, what: 'the demo banner' });
    assert.match(out, /Admin API token\s+in /);
    token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const items = await eventually(
      async () => {
        const r = await api<{ items: CommonsSummary[] }>('/api/v1/commons');
        return r.items.length === 3 && r.items.every((c) => c.status === 'healthy') && r.items;
      },
      { timeoutMs: Math.max(1000, 30_000 - (Date.now() - t0)), what: 'three healthy commons' },
    );
    assert.deepEqual(items.map((c) => c.hostname).sort(), ['brh.data-commons.org', 'data.midrc.org', 'healdata.org']);
    assert.equal(new Set(items.map((c) => c.version)).size, 3, 'three different releases');
    assert.equal(new Set(items.map((c) => c.services.total)).size, 3, 'three different sizes');
    for (const c of items) {
      assert.ok(c.services.total >= 14, `${c.id} has ${c.services.total} services`);
      assert.equal(c.services.healthy, c.services.total);
      assert.equal(c.agent.connected, true);
      const detail = await api<CommonsDetail>(`/api/v1/commons/${c.id}`);
      for (const s of detail.services) {
        assert.ok(s.health, `${c.id}/${s.name} has a health check`);
        assert.equal(s.health.httpStatus, 200, `${c.id}/${s.name}: ${s.health.detail}`);
        assert.ok(s.health.ok && s.health.checkedAt && s.health.latencyMs > 0, `${c.id}/${s.name} checked over HTTP`);
        assert.match(s.health.url, /^http:\/\/[a-z-]+(-service|-admin|elasticsearch)?[^/]*\//);
      }
      const fence = detail.services.find((s) => s.name === 'fence')!;
      assert.equal(fence.health!.url, 'http://fence-service/_status');
      // gen3-helm 42cc46bc: arborist-service listens on 80 (helm/arborist/values.yaml service.port) and forwards to 8080.
      assert.equal(detail.services.find((s) => s.name === 'arborist')!.health!.url, 'http://arborist-service/health');
      assert.equal(detail.services.find((s) => s.name === 'sheepdog')!.health!.url, 'http://sheepdog-service/_status?timeout=2');
    }
  });

  it('the simulated services answer over real HTTP with Gen3 body shapes', async () => {
    const port = Number(/healdata\.org.*127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    assert.ok(port > 0, 'the banner names the health port');
    assert.deepEqual(await get(port, 'fence-service', '/_status'), { status: 200, body: 'Healthy' });
    assert.equal((await get(port, 'arborist-service', '/health')).body, '"Healthy"');
    assert.equal(JSON.parse((await get(port, 'revproxy-service', '/_status')).body).message, 'Feelin good!');
    assert.equal(JSON.parse((await get(port, 'metadata-service', '/_status')).body).status, 'OK');
    assert.equal(JSON.parse((await get(port, 'metadata-service', '/version')).body), '2026.04');
    assert.equal(JSON.parse((await get(port, 'indexd-service', '/_version')).body).version, '2026.04');
  });

  it('Ctrl-C stops the control service and every agent', async () => {
    const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(String(code ?? signal))));
    process.kill(-child.pid!, 'SIGINT');
    // npm reports an interrupted script as 130 (or dies of the SIGINT itself), whatever the script's exit code.
    assert.ok(['0', '130', 'SIGINT'].includes(await exited));
    assert.match(out, /stopping the demo/);
    const healthPorts = [...out.matchAll(/health endpoints on 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(healthPorts.length, 3);
    for (const port of [httpPort, ...healthPorts]) {
      await eventually(async () => {
        try {
          await fetch(`http://127.0.0.1:${port}/`);
          return false;
        } catch {
          return true;
        }
      }, { timeoutMs: 10_000, what: `port ${port} to close` });
    }
  });
});

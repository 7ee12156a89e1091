// The two commands POST /api/v1/enrollment-tokens answers with, pasted into a
// shell as an operator would, on the real control plane:
// - installCommand runs dcoc-agent --kubernetes against the Gen3 commons of
//   $DCOC_AGENT_NAMESPACE (as the agent's least-privilege ServiceAccount):
//   it enrolls, connects, and reports the commons' services;
// - helmCommand installs deploy/helm/dcoc-agent with that CA and token.
// dcoc-agent on PATH is the agent from source (test/build/server-artifacts.test.ts
// runs the built artifact with the same arguments).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type V1ConfigMap, type V1Secret } from '@kubernetes/client-node';
import type { CommonsDetail } from '../../contracts/api';
import { type Control, ROOT, api, stopProc } from '../../scripts/demo/processes';
import { findHelm } from '../../scripts/tools/helm-binary';
import { type ControlPlane, useControlPlane } from '../support/control-plane';
import { installGen3Commons } from '../support/control-plane/gen3-commons';
import { ADMIN_TOKEN, eventually, startTestControl } from '../support/fleet';

const controlPlane = useControlPlane();
type Minted = { token: string; caCertificate: string; installCommand: string; helmCommand: string };

describe('the enrollment commands, pasted', { timeout: 300_000 }, () => {
  let cp: ControlPlane | undefined;
  let dir: string;
  let control: Control;
  let agent: ChildProcess | undefined;
  const mint = async () => {
    const r = await api<Minted>(control, ADMIN_TOKEN, 'POST', '/api/v1/enrollment-tokens', { ttlSeconds: 600, description: 'pasted' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  before(async (t) => {
    cp = await controlPlane(t as never);
    if (!cp) return;
    dir = mkdtempSync(join(tmpdir(), 'dcoc-install-commands-'));
    control = await startTestControl(join(dir, 'control'));
    // On PATH as the artifact or image would put it.
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'dcoc-agent'), `#!/bin/sh\nexec "${process.execPath}" --import tsx "${join(ROOT, 'agent', 'main.ts')}" "$@"\n`);
    chmodSync(join(dir, 'bin', 'dcoc-agent'), 0o755);
  });
  after(async () => {
    // The shell runs dcoc-agent as its child: stop the whole process group.
    if (agent?.pid && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      process.kill(-agent.pid, 'SIGTERM');
      await exited;
    }
    if (control) await stopProc(control);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installCommand enrolls the agent, which reports the Gen3 commons of its namespace', async (t) => {
    if (!cp) return t.skip('no control plane');
    const ns = 'gen3-pasted';
    const gen3 = await installGen3Commons(cp, { namespace: ns });
    const { installCommand } = await mint();
    const logs: string[] = [];
    agent = spawn('sh', ['-c', installCommand], {
      cwd: ROOT,
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, KUBECONFIG: gen3.agent.kubeconfigFile, DCOC_AGENT_NAMESPACE: ns, DCOC_AGENT_DATA_DIR: join(dir, 'agent-data'), DCOC_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    agent.stdout!.on('data', (b: Buffer) => logs.push(b.toString()));
    agent.stderr!.on('data', (b: Buffer) => logs.push(b.toString()));
    const detail = await eventually(
      async () => {
        if (agent!.exitCode !== null) throw new Error(`the pasted command exited ${agent!.exitCode}:\n${logs.join('').slice(-3000)}`);
        const r = await api<CommonsDetail>(control, ADMIN_TOKEN, 'GET', '/api/v1/commons/data-example-org');
        return r.status === 200 && r.body.agent.connected && r.body.services.length === gen3.commons.services.length && r.body;
      },
      { what: 'the pasted agent to report the commons', timeoutMs: 90_000 },
    );
    assert.equal(detail.hostname, 'data.example.org');
    assert.equal(detail.namespace, ns);
    assert.equal(detail.agent.deployMethod !== null, true);
  });

  it('helmCommand installs the agent chart with that CA and token', async (t) => {
    if (!cp) return t.skip('no control plane');
    const helm = await findHelm(ROOT);
    if ('missing' in helm) {
      if (process.env.CI) assert.fail(`CI is set and ${helm.missing}`);
      return t.skip(helm.missing);
    }
    const ns = 'gen3-helm-pasted';
    await cp.createNamespace(ns);
    const minted = await mint();
    const r = spawnSync('sh', ['-c', minted.helmCommand], {
      cwd: ROOT,
      env: { PATH: `${dirname(helm.path)}:${process.env.PATH}`, HOME: dir, KUBECONFIG: cp.kubeconfigFile, DCOC_AGENT_NAMESPACE: ns, DCOC_AGENT_DATA_DIR: join(dir, 'helm-data'), HELM_CACHE_HOME: join(dir, 'helm-cache'), HELM_CONFIG_HOME: join(dir, 'helm-config'), HELM_DATA_HOME: join(dir, 'helm-data-home') },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const labelSelector = 'app.kubernetes.io/instance=dcoc-agent';
    const secrets: V1Secret[] = (await core.listNamespacedSecret({ namespace: ns, labelSelector })).items;
    const tokens = secrets.flatMap((s) => Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString()));
    assert.ok(tokens.includes(minted.token), 'the enrollment token is in the chart Secret');
    const maps: V1ConfigMap[] = (await core.listNamespacedConfigMap({ namespace: ns, labelSelector })).items;
    assert.ok(maps.some((m) => Object.values(m.data ?? {}).some((v) => v.trim() === minted.caCertificate.trim())), 'the CA is in the chart ConfigMap');
  });
});

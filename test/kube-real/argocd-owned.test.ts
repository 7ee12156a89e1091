// A commons an ArgoCD Application owns, on the real
// control plane: the agent reads the Application's tracking annotation off
// the Deployments; without DCOC GitOps a deploy or a scale is refused before
// anything changes (ArgoCD's self-heal would revert it); with GitOps both
// become revisions committed to the repository, the agent writes nothing to
// the Deployments, and the deploy completes when "ArgoCD" (this test, as the
// field manager argocd-controller) applies the committed values.
// Names: uc-cdis/gen3-gitops bfd0d028 bdcatprod/gen3.biodatacatalyst.nhlbi.nih.gov/templates/app.yaml
// (Application gen3-bdcatprod, selfHeal: true, values at <cluster>/<hostname>/values/values.yaml).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { AuditEntry, CommonsDetail, DeploymentPlan, DeploymentView, Problem } from '../../contracts/api';
import { TRACKING_ID } from '../../agent/kubernetes/gitops-owner';
import { type ControlPlane, useControlPlane } from '../support/control-plane';
import { eventually } from '../support/fleet';
import { realKubeAgentOnFleet } from '../support/kube-agent';
import { waitDeployment } from '../deploy/support';

const controlPlane = useControlPlane();
const ID = 'data-example-org';
const APP = 'gen3-exampleprod';
const CLUSTER = 'exampleprod';
const sizing = { template: 'gen3-default', profile: 'small', overrides: { indexd: { replicaCount: 4 } } };

/** Marks every Deployment of `ns` as ArgoCD 3 does (annotation tracking). */
async function trackedByArgo(cp: ControlPlane, ns: string): Promise<void> {
  const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
  for (const d of (await apps.listNamespacedDeployment({ namespace: ns })).items) {
    const name = d.metadata!.name!;
    await apps.patchNamespacedDeployment(
      { name, namespace: ns, body: { metadata: { annotations: { [TRACKING_ID]: `${APP}:apps/Deployment:${ns}/${name}` } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}

describe('a commons ArgoCD owns, on the real control plane', { timeout: 300_000 }, () => {
  let cp: ControlPlane | undefined;
  before(async (t) => {
    cp = await controlPlane(t as never);
  });

  describe('without DCOC GitOps', () => {
    let env: Awaited<ReturnType<typeof realKubeAgentOnFleet>>;
    before(async () => {
      if (!cp) return;
      env = await realKubeAgentOnFleet(cp, { namespace: 'argo-nogitops', beforeAgent: (ns) => trackedByArgo(cp!, ns) });
    });
    after(() => env?.stop());

    it('the agent reports the Application; plan says why apply is refused; apply and scale are refused, nothing changes', async (t) => {
      if (!cp) return t.skip('no control plane');
      const operator = await env.fleet.tokenFor('operator');
      const detail = await eventually(async () => {
        const d = (await env.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
        return d.services.length > 0 && d.services.every((s) => s.gitopsOwner === `argocd:${APP}`) && d;
      }, { what: 'every service to report ArgoCD ownership' });
      assert.ok(detail.services.some((s) => s.name === 'fence'));

      const plan = (await env.fleet.api<DeploymentPlan>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'plan', release: '2026.07', ...sizing })).body;
      assert.ok(plan.warnings.some((w) => w.includes(`ArgoCD Application ${APP} owns data.example.org (namespace argo-nogitops)`) && /apply will be refused/.test(w)), plan.warnings.join('\n'));

      const auditBefore = (await env.fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=1000')).body.items.length;
      const apply = await env.fleet.api<Problem>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'apply', release: '2026.07', reason: 'monthly', ...sizing });
      assert.equal(apply.status, 409, JSON.stringify(apply.body));
      assert.equal(apply.body.errors?.[0].field, 'body.commons');
      assert.match(apply.body.detail, /DCOC_GITOPS_REPO/);
      const scale = await env.fleet.api<Problem>(operator, 'POST', `/api/v1/commons/${ID}/services/indexd/scale`, { replicas: 5 });
      assert.equal(scale.status, 409, JSON.stringify(scale.body));
      assert.equal(scale.body.errors?.[0].field, 'path.id');
      assert.match(scale.body.detail, /self-heal/);
      const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
      assert.equal((await apps.readNamespacedDeployment({ name: 'indexd-deployment', namespace: 'argo-nogitops' })).spec?.replicas, 4);
      assert.deepEqual((await env.fleet.admin<{ items: unknown[] }>('GET', '/api/v1/deployments')).body.items, []);
      assert.deepEqual((await env.fleet.admin<{ items: unknown[] }>('GET', '/api/v1/commands?limit=100')).body.items, []);
      // Refusals are audited; nothing was accepted.
      const entries = (await env.fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=1000')).body.items.slice(0, -auditBefore || undefined);
      assert.ok(entries.every((e) => e.outcome !== 'accepted'), JSON.stringify(entries));
    });
  });

  describe('with DCOC GitOps', () => {
    const NS = 'argo-gitops';
    let env: Awaited<ReturnType<typeof realKubeAgentOnFleet>>;
    let bare: string;
    const git = (...args: string[]) => execFileSync('git', ['--git-dir', bare, ...args], { encoding: 'utf8' }).trim();
    const agentWrites = (from: number) =>
      cp!
        .audit({ user: env.k.agent.username })
        .slice(from)
        .filter((e) => e.objectRef?.resource === 'deployments' && !['get', 'list', 'watch'].includes(e.verb));
    /** What ArgoCD does on sync: apply the committed values' images and replica counts to the Deployments. */
    const argoSync = async () => {
      const values = parseYaml(git('show', `main:${CLUSTER}/data.example.org/values/values.yaml`)) as Record<string, { enabled?: boolean; replicaCount?: number; image?: { repository: string; tag: string }; autoscaling?: { enabled?: boolean } }>;
      const apps = cp!.kubeConfig.makeApiClient(AppsV1Api);
      for (const d of (await apps.listNamespacedDeployment({ namespace: NS })).items) {
        const service = d.metadata!.labels!.app;
        const v = values[service === 'presigned-url-fence' ? 'fence' : service];
        if (!v?.enabled || !v.image) continue;
        const name = d.metadata!.name!;
        const body = {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace: NS },
          spec: {
            ...(v.autoscaling?.enabled ? {} : { replicas: v.replicaCount }),
            template: { spec: { containers: [{ name: d.spec!.template.spec!.containers[0].name, image: `${v.image.repository}:${v.image.tag}` }] } },
          },
        };
        await apps.patchNamespacedDeployment({ name, namespace: NS, body, fieldManager: 'argocd-controller', force: true }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
      }
    };

    before(async () => {
      if (!cp) return;
      bare = join(mkdtempSync(join(tmpdir(), 'dcoc-argo-')), 'gen3-gitops.git');
      execFileSync('git', ['init', '--quiet', '--bare', bare]);
      env = await realKubeAgentOnFleet(cp, {
        namespace: NS,
        beforeAgent: (ns) => trackedByArgo(cp!, ns),
        controlEnv: { DCOC_GITOPS_REPO: bare, DCOC_GITOPS_CLUSTER: CLUSTER, DCOC_GITOPS_BRANCH: 'main' },
      });
    });
    after(() => env?.stop());

    it('a deploy is committed, the agent changes nothing itself, and it completes once ArgoCD syncs', async (t) => {
      if (!cp) return t.skip('no control plane');
      const operator = await env.fleet.tokenFor('operator');
      await eventually(async () => (await env.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body.services.every((s) => s.gitopsOwner === `argocd:${APP}`), {
        what: 'ArgoCD ownership reported',
      });
      const plan = (await env.fleet.api<DeploymentPlan>(operator, 'POST', '/api/v1/deployments', { commons: ID, mode: 'plan', release: '2026.07', ...sizing })).body;
      assert.ok(plan.warnings.some((w) => /committed to .* and ArgoCD applies it; the agent changes nothing itself/.test(w)), plan.warnings.join('\n'));

      const from = cp.audit({ user: env.k.agent.username }).length;
      const r = await env.fleet.api<{ deployment: DeploymentView }>(operator, 'POST', '/api/v1/deployments', {
        commons: ID,
        mode: 'apply',
        release: '2026.07',
        reason: 'adopt the commons',
        ...sizing,
        overrides: { indexd: { replicaCount: 4 }, fence: { image: { tag: '2026.07-hotfix' } } },
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const id = r.body.deployment.id;
      const waiting = await eventually(async () => {
        const d = (await env.fleet.api<DeploymentView>(operator, 'GET', `/api/v1/deployments/${id}`)).body;
        return d.state === 'running' && d.services.some((s) => s.name === 'fence' && /waiting for ArgoCD to apply/.test(s.message)) && d;
      }, { what: 'the rollout to wait for ArgoCD' });
      assert.ok(waiting.gitops.commit);
      assert.equal(git('log', '-1', '--format=%s', 'main'), 'data.example.org: revision 1, Gen3 release 2026.07 (deploy)');
      await argoSync();
      const done = await waitDeployment(env.fleet, operator, id, undefined, 120_000);
      assert.equal(done.state, 'succeeded', done.message);
      assert.deepEqual(agentWrites(from), [], 'the agent wrote no Deployment');

      // Beyond the profile's bound (small: 4) the scale is refused naming the request's field.
      const over = await env.fleet.api<Problem>(operator, 'POST', `/api/v1/commons/${ID}/services/indexd/scale`, { replicas: 5 });
      assert.equal(over.status, 422, JSON.stringify(over.body));
      assert.equal(over.body.errors?.[0].field, 'body.replicas');
      // A scale becomes revision 2 in GitOps, applied by ArgoCD.
      const scale = await env.fleet.api<{ deployment: DeploymentView }>(operator, 'POST', `/api/v1/commons/${ID}/services/indexd/scale`, { replicas: 3 });
      assert.equal(scale.status, 202, JSON.stringify(scale.body));
      assert.equal(scale.body.deployment.revision, 2);
      await eventually(async () => (await env.fleet.api<DeploymentView>(operator, 'GET', `/api/v1/deployments/${scale.body.deployment.id}`)).body.gitops.commit, { what: 'the scale committed' });
      const committed = parseYaml(git('show', `main:${CLUSTER}/data.example.org/values/values.yaml`)) as { indexd: { replicaCount: number } };
      assert.equal(committed.indexd.replicaCount, 3);
      await argoSync();
      const scaled = await waitDeployment(env.fleet, operator, scale.body.deployment.id, undefined, 120_000);
      assert.equal(scaled.state, 'succeeded', scaled.message);
      const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
      assert.equal((await apps.readNamespacedDeployment({ name: 'indexd-deployment', namespace: NS })).spec?.replicas, 3);
      assert.deepEqual(agentWrites(from), [], 'the agent wrote no Deployment');

      // A config change is revision 3 of the values, in GitOps: ArgoCD renders manifest-global from it.
      const c = (await env.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${ID}`)).body;
      const put = await env.fleet.api<{ deployment: DeploymentView; revision: number }>(operator, 'PUT', `/api/v1/commons/${ID}/config`, {
        data: { ...c.config.data, maintenance_mode: 'on' },
        baseRevision: c.config.revision,
        reason: 'maintenance window',
      });
      assert.equal(put.status, 202, JSON.stringify(put.body));
      assert.equal(put.body.revision, 3);
      await eventually(async () => (await env.fleet.api<DeploymentView>(operator, 'GET', `/api/v1/deployments/${put.body.deployment.id}`)).body.gitops.commit, { what: 'the config change committed' });
      const text = git('show', `main:${CLUSTER}/data.example.org/values/values.yaml`);
      assert.match(text, /maintenanceMode: "on"/, 'quoted: Helm reads YAML 1.1, where a bare on is true');
      assert.equal((parseYaml(text) as { global: { maintenanceMode: string } }).global.maintenanceMode, 'on');
      assert.deepEqual(agentWrites(from), [], 'the agent wrote no Deployment');
    });
  });
});

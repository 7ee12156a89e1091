// The deploy target's HPA ranges: presigned-url-fence's own
// range, which gen3-helm cannot express (its presigned-url-fence-hpa reads
// fence's `autoscaling`, helm/fence/templates/presigned-url-fence-hpa.yaml at
// uc-cdis/gen3-helm 42cc46bc). The agent checks it, a chart driver sets it
// (test/kube-real/deploy-hpa.test.ts), and an agent that does not apply the
// chart says it did not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeployDriver, deployExecutor, parseDeployTarget } from '../../agent/executors/deploy';
import type { CommandSpec } from '../../agent/executors/executor';

const base = { revision: 3, release: '2026.07', images: { 'presigned-url-fence': 'quay.io/cdis/fence:2026.07' }, replicas: {} };

function cmd(target: Record<string, unknown>): CommandSpec {
  return { id: '00000000-0000-4000-8000-000000000001', kind: 'deploy', service: '', target, deadlineMs: Date.now() + 10_000, createdAtMs: Date.now() };
}

function driver(chart: boolean): DeployDriver & { revisions: unknown[] } {
  const revisions: unknown[] = [];
  let image = 'quay.io/cdis/fence:2026.06';
  return {
    revisions,
    current: () => ({ image, desired: 20 }),
    rollout: () => ({ image, updated: 20, ready: 20, desired: 20, done: true }),
    ...(chart
      ? {
          async applyRevision(t) {
            revisions.push(t);
            image = t.images['presigned-url-fence'];
            return 'helm upgrade --install gen3 done; presigned-url-fence-hpa set to 20–25';
          },
        }
      : {
          async apply(_s, change) {
            image = change.image;
          },
        }),
  };
}

const run = (d: DeployDriver, target: Record<string, unknown>) => deployExecutor(d, 'test', 5).execute(cmd(target), { progress: () => undefined, signal: new AbortController().signal });

describe('the deploy target\'s HPA ranges', () => {
  it('are read as service → {min, max}, whole numbers with 1 ≤ min ≤ max', () => {
    assert.deepEqual(parseDeployTarget({ ...base, hpa: { 'presigned-url-fence': { min: 20, max: 25 } } }).hpa, { 'presigned-url-fence': { min: 20, max: 25 } });
    assert.equal(parseDeployTarget(base).hpa, undefined);
    assert.equal(parseDeployTarget({ ...base, hpa: {} }).hpa, undefined);
    for (const hpa of [{ 'presigned-url-fence': { min: 0, max: 25 } }, { 'presigned-url-fence': { min: 26, max: 25 } }, { 'presigned-url-fence': { min: 1.5, max: 2 } }, { 'presigned-url-fence': 20 }, [1]]) {
      assert.throws(() => parseDeployTarget({ ...base, hpa }), /deploy target\.hpa must map services to \{min, max\}/, JSON.stringify(hpa));
    }
  });

  it('reach a chart driver with the revision, and the result says they were set', async () => {
    const d = driver(true);
    const r = await run(d, { ...base, values: { fence: { enabled: true } }, hpa: { 'presigned-url-fence': { min: 20, max: 25 } } });
    assert.deepEqual((d.revisions[0] as { hpa: unknown }).hpa, { 'presigned-url-fence': { min: 20, max: 25 } });
    assert.match(r.message, /in place: .*; presigned-url-fence-hpa 20–25 set$/);
  });

  it('an agent without the chart (images and replicas only) says it did not set them', async () => {
    const r = await run(driver(false), { ...base, hpa: { 'presigned-url-fence': { min: 20, max: 25 } } });
    assert.match(r.message, /; presigned-url-fence-hpa 20–25 not set: this agent deploys without the gen3-helm chart \(images and replicas only\)$/);
    assert.doesNotMatch((await run(driver(false), base)).message, /hpa/);
  });
});

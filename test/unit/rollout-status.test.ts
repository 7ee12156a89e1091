// agent/core/rollout-status.ts against the branches of kubectl's
// DeploymentStatusViewer.Status (k8s.io/kubectl v0.37.2,
// pkg/polymorphichelpers/rollout_status.go), in its order. The same lines as
// the real kubectl printed them are checked end to end in
// test/kube-real/agent-restart.test.ts.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type RolloutCounts, rolloutStatus } from '../../agent/core/rollout-status';

const base: RolloutCounts = { name: 'fence-deployment', generation: 2, observedGeneration: 2, desired: 3, replicas: 3, updated: 3, available: 3, deadlineExceeded: false };
const at = (o: Partial<RolloutCounts>) => rolloutStatus({ ...base, ...o });
const waiting = (what: string) => ({ message: `Waiting for deployment "fence-deployment" rollout to finish: ${what}...`, done: false });

it('says what kubectl rollout status says, branch by branch, in kubectl\'s order', () => {
  assert.deepEqual(at({ generation: 3 }), { message: 'Waiting for deployment spec update to be observed...', done: false });
  // The deadline is only read once the spec is observed, and before any count.
  assert.deepEqual(at({ generation: 3, deadlineExceeded: true }).error, undefined);
  assert.deepEqual(at({ updated: 1, deadlineExceeded: true }), {
    message: 'deployment "fence-deployment" exceeded its progress deadline',
    done: false,
    error: 'deployment "fence-deployment" exceeded its progress deadline',
  });
  assert.deepEqual(at({ updated: 1, replicas: 4, available: 3 }), waiting('1 out of 3 new replicas have been updated'));
  assert.deepEqual(at({ replicas: 4, available: 3 }), waiting('1 old replicas are pending termination'));
  assert.deepEqual(at({ available: 2 }), waiting('2 of 3 updated replicas are available'));
  assert.deepEqual(at({}), { message: 'deployment "fence-deployment" successfully rolled out', done: true });
  // spec.replicas unset: kubectl skips the "new replicas" check.
  assert.deepEqual(at({ desired: undefined, updated: 0, replicas: 0, available: 0 }), { message: 'deployment "fence-deployment" successfully rolled out', done: true });
  // Scaled to zero is rolled out.
  assert.deepEqual(at({ desired: 0, replicas: 0, updated: 0, available: 0 }).done, true);
});

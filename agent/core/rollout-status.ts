// What `kubectl rollout status deployment/<name>` says about a Deployment,
// ported from kubectl's DeploymentStatusViewer.Status
// (k8s.io/kubectl v0.37.2, pkg/polymorphichelpers/rollout_status.go), so the
// progress DCOC reports reads exactly as an operator's own kubectl would.
// Plain counts, so the simulated commons speaks the same way.

export interface RolloutCounts {
  name: string;
  /** metadata.generation and status.observedGeneration. */
  generation: number;
  observedGeneration: number;
  /** spec.replicas (undefined: kubectl skips the "new replicas" check). */
  desired: number | undefined;
  /** status.replicas, updatedReplicas, availableReplicas. */
  replicas: number;
  updated: number;
  available: number;
  /** The Progressing condition's reason is ProgressDeadlineExceeded. */
  deadlineExceeded: boolean;
}

export interface RolloutStatus {
  /** kubectl's line, without its trailing newline. */
  message: string;
  done: boolean;
  /** kubectl's error instead of a line: the rollout will not finish by itself. */
  error?: string;
}

export function rolloutStatus(c: RolloutCounts): RolloutStatus {
  const name = JSON.stringify(c.name);
  if (c.generation > c.observedGeneration) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  if (c.deadlineExceeded) {
    const error = `deployment ${name} exceeded its progress deadline`;
    return { message: error, done: false, error };
  }
  const waiting = (what: string) => ({ message: `Waiting for deployment ${name} rollout to finish: ${what}...`, done: false });
  if (c.desired !== undefined && c.updated < c.desired) return waiting(`${c.updated} out of ${c.desired} new replicas have been updated`);
  if (c.replicas > c.updated) return waiting(`${c.replicas - c.updated} old replicas are pending termination`);
  if (c.available < c.updated) return waiting(`${c.available} of ${c.updated} updated replicas are available`);
  return { message: `deployment ${name} successfully rolled out`, done: true };
}

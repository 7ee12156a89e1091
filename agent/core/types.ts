// What the agent knows about its commons, independent of where it came from
// (the simulated commons or a Kubernetes namespace).
export interface CommonsIdentity {
  hostname: string;
  environment: string;
  name: string;
  namespace: string;
}

/** One service's workload as the platform reports it (Deployment and pods). */
export interface WorkloadFacts {
  name: string;
  deployment: string;
  desired: number;
  ready: number;
  updated: number;
  image: string;
  restartedAt: string | null;
  restartCount: number;
  /** A problem the pods show (CrashLoopBackOff, ImagePullBackOff, ...), or ''. */
  reason: string;
  /** A pod problem that means the service cannot run (CrashLoopBackOff, ImagePullBackOff) makes it down. */
  reasonIsFatal?: boolean;
  /** What `kubectl rollout status` says while a rollout runs (agent/core/rollout-status.ts), or ''. */
  rollout: string;
  /** `argocd:<application>` when an ArgoCD Application tracks the Deployment (agent/kubernetes/gitops-owner.ts), else ''. */
  gitopsOwner?: string;
}

export interface HealthResult {
  url: string;
  httpStatus: number;
  latencyMs: number;
  checkedAtMs: number;
  ok: boolean;
  detail: string;
}

export interface ConfigFacts {
  revision: number;
  data: Record<string, string>;
  /** The ConfigMap's resourceVersion, so a change can be guarded against concurrent edits. */
  resourceVersion?: string;
}

export type ServiceStatus = 'healthy' | 'degraded' | 'down' | 'unknown';

export interface ServiceState extends WorkloadFacts {
  status: ServiceStatus;
  version: string;
  statusReason: string;
  health: HealthResult | null;
}

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** The outcome of a Job: running until it completes or fails. */
export type JobResult = 'running' | 'succeeded' | 'failed';

/** The most recent Job a CronJob owns (started by its schedule or by hand). */
export interface JobRunFacts {
  name: string;
  result: JobResult;
  /** RFC 3339, or null when not known. */
  startedAt: string | null;
  finishedAt: string | null;
  /** Why it failed (the Job's Failed condition), or ''. */
  reason: string;
  /** Created by hand (kubectl create job --from=cronjob/..., a DCOC run-job), not by the schedule. */
  manual: boolean;
}

/** One CronJob of the commons as the platform has it. */
export interface CronJobFacts {
  name: string;
  schedule: string;
  suspended: boolean;
  /** When the CronJob controller last started a Job on schedule (RFC 3339), or null. */
  lastScheduleTime: string | null;
  lastSuccessfulTime: string | null;
  lastRun: JobRunFacts | null;
}

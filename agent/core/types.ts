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
  /** The Jobs it owns, newest first, at most 5 (lastRun first); absent: only lastRun is known. */
  recentRuns?: JobRunFacts[];
}

/** What a log request asks of the platform (LogRequest in contracts/agent.proto, bounds applied by the agent). */
export interface LogQuery {
  /** Exactly one of service (its Deployment's pods) and job (the Job's pods). */
  service?: string;
  job?: string;
  /** Only this pod. */
  pod?: string;
  /** The previous container's logs (a crash-looping pod). */
  previous: boolean;
  follow: boolean;
  /** Lines written at or after this time (ms), or null. */
  sinceMs: number | null;
  /** The last N lines of each pod, or null for all (within sinceMs). */
  tailLines: number | null;
}

/** One log line of one pod's container; timeMs 0 when the runtime gave no timestamp. */
export interface LogLineFacts {
  pod: string;
  container: string;
  timeMs: number;
  text: string;
}

export interface LogSink {
  lines(batch: LogLineFacts[]): void;
  /** The pods read now (again whenever it changes, e.g. a follow request sees a new replica). */
  pods(names: string[]): void;
}

/** Thrown by a LogSource for a request it cannot serve (no such service, forbidden, ...): the message goes back to the reader. */
export class LogSourceError extends Error {}

export interface LogSource {
  /**
   * Streams the logs `q` asks for into `sink`, merged across pods, until
   * they end (follow: until `signal` aborts). Resolves when done; rejects with
   * LogSourceError when the request cannot be served.
   */
  streamLogs(q: LogQuery, sink: LogSink, signal: AbortSignal): Promise<void>;
}

/** A Kubernetes event of the commons namespace. */
export interface KubeEventFacts {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  objectKind: string;
  objectName: string;
  /** The Gen3 service the object belongs to, or ''. */
  service: string;
  count: number;
  firstTime: string | null;
  lastTime: string | null;
  source: string;
}

export interface PodResourceFacts {
  pod: string;
  service: string;
  cpuCores: number;
  memoryBytes: number;
  cpuRequestCores: number;
  cpuLimitCores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
}

export type ResourceFacts = { available: true; pods: PodResourceFacts[] } | { available: false; detail: string };

/**
 * What the agent can be asked about its commons on demand; each part the
 * platform has is advertised as capability inspect:<part> (logs, events, resources).
 */
export interface Inspector {
  logs?: LogSource;
  /** The namespace's events (only `service`'s when given), any order. */
  events?(service?: string): Promise<KubeEventFacts[]>;
  resources?(): Promise<ResourceFacts>;
}

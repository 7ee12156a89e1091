// TypeScript shapes of the agent protocol messages as @grpc/proto-loader
// decodes them (keepCase, longs as numbers, oneofs as a `body` field name).
// The .proto (contracts/agent.proto) is the source of truth.
export interface CommonsIdentityMsg {
  hostname: string;
  environment: string;
  name: string;
  namespace: string;
}

export interface HealthCheckMsg {
  url: string;
  http_status: number;
  latency_ms: number;
  checked_at_ms: number;
  ok: boolean;
  detail: string;
}

export interface ServiceStateMsg {
  name: string;
  status: string;
  deployment: string;
  desired_replicas: number;
  ready_replicas: number;
  updated_replicas: number;
  image: string;
  version: string;
  reason: string;
  health?: HealthCheckMsg | null;
  restarted_at: string;
  restart_count: number;
  rollout: string;
  gitops_owner?: string;
}

export interface ConfigStateMsg {
  revision: number;
  data: Record<string, string>;
  resource_version?: string;
}

export interface JobRunMsg {
  name: string;
  result: string;
  started_at: string;
  finished_at: string;
  reason: string;
  manual: boolean;
}

export interface CronJobStateMsg {
  name: string;
  schedule: string;
  suspended: boolean;
  last_schedule_time: string;
  last_successful_time: string;
  last_run?: JobRunMsg | null;
}

/** Absent (null as decoded): not reported, or unchanged in a delta. */
export interface CronJobListMsg {
  items: CronJobStateMsg[];
}

export interface CommandUpdateMsg {
  command_id: string;
  state: string;
  message: string;
  percent: number;
  at_ms: number;
  result_json: string;
}

export interface MetricSampleMsg {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp_ms: number;
}

export interface AgentMessage {
  seq?: number;
  hello?: { agent_id: string; agent_version: string; capabilities: string[]; commons: CommonsIdentityMsg; finished: CommandUpdateMsg[] };
  heartbeat?: { sent_at_ms: number };
  snapshot?: { commons: CommonsIdentityMsg; release: string; services: ServiceStateMsg[]; config?: ConfigStateMsg | null; taken_at_ms: number; cronjobs?: CronJobListMsg | null };
  delta?: { services: ServiceStateMsg[]; removed_services: string[]; config?: ConfigStateMsg | null; release: string; taken_at_ms: number; cronjobs?: CronJobListMsg | null };
  metrics?: { samples: MetricSampleMsg[] };
  command_update?: CommandUpdateMsg;
  body?: 'hello' | 'heartbeat' | 'snapshot' | 'delta' | 'metrics' | 'command_update';
}

export interface AgentConfigMsg {
  heartbeat_interval_ms: number;
  health_interval_ms: number;
  metrics_interval_ms: number;
}

export interface CommandMsg {
  id: string;
  kind: string;
  service: string;
  target_json: string;
  deadline_ms: number;
  created_at_ms: number;
}

export type ControlMessage =
  | { welcome: { agent_id: string; commons_id: string; config: AgentConfigMsg } }
  | { command: CommandMsg }
  | { cancel: { command_id: string; reason: string } }
  | { config: AgentConfigMsg }
  | { ack: { command_id: string; state: string } };

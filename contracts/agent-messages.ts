// The agent protocol messages under the names the control service and the
// agent use for them. The types are generated from contracts/agent.proto
// (contracts/pb/agent.ts, `npm run gen:proto`); nothing here restates a field.
import type * as pb from './pb/agent';

export type {
  AgentMessage,
  AgentConfig as AgentConfigMsg,
  Command as CommandMsg,
  CommandUpdate as CommandUpdateMsg,
  CommonsIdentity as CommonsIdentityMsg,
  ConfigState as ConfigStateMsg,
  CronJobList as CronJobListMsg,
  CronJobState as CronJobStateMsg,
  HealthCheck as HealthCheckMsg,
  InspectRequest as InspectRequestMsg,
  InspectResult as InspectResultMsg,
  JobRun as JobRunMsg,
  KubeEvent as KubeEventMsg,
  LogChunk as LogChunkMsg,
  LogLine as LogLineMsg,
  LogRequest as LogRequestMsg,
  MetricSample as MetricSampleMsg,
  PodResources as PodResourcesMsg,
  ResourceList as ResourceListMsg,
  ServiceState as ServiceStateMsg,
} from './pb/agent';

/**
 * Exactly one member of a oneof set. The generated interface allows any mix
 * of members; each side builds, and switches on, one at a time.
 */
export type OneOf<T> = { [K in keyof T]-?: { [P in K]-?: NonNullable<T[P]> } }[keyof T];

/** What the control service sends down the stream: one of welcome, command, cancel, config, ack, logs, stop_logs, inspect. */
export type ControlMessage = OneOf<pb.ControlMessage>;

/** The oneof `body` of AgentMessage: every field but seq. */
export type AgentMessageBody = Exclude<keyof pb.AgentMessage, 'seq'>;

// The control service's events, as its bus publishes them, its SSE stream
// sends them and the frontend's Grafana Live channel parses them: one zod
// schema per event type, the types inferred from them.
import { z } from 'zod';
import { DeploymentState, ServiceProgress, ServiceStatus } from './api';

const CommonsStatusChanged = z.object({ type: z.literal('commons.status'), commons: z.string(), status: ServiceStatus, previous: ServiceStatus });
const ServiceStatusChanged = z.object({
  type: z.literal('service.status'),
  commons: z.string(),
  service: z.string(),
  status: ServiceStatus,
  previous: ServiceStatus,
  reason: z.string(),
});
const AgentConnected = z.object({ type: z.literal('agent.connected'), commons: z.string(), agent: z.string() });
const AgentDisconnected = z.object({ type: z.literal('agent.disconnected'), commons: z.string(), agent: z.string(), reason: z.string() });
const CommandUpdated = z.object({
  type: z.literal('command.updated'),
  commons: z.string(),
  command: z.string(),
  // Strings until the command store's rows carry typed kinds and states.
  kind: z.string(),
  service: z.string().nullable(),
  state: z.string(),
  message: z.string(),
  percent: z.number(),
});
const CommonsAddedOrRemoved = z.object({ type: z.enum(['commons.added', 'commons.removed']), commons: z.string() });
const DeploymentUpdated = z.object({
  type: z.literal('deployment.updated'),
  commons: z.string(),
  deployment: z.string(),
  revision: z.number(),
  state: DeploymentState,
  message: z.string(),
  percent: z.number(),
  services: z.array(ServiceProgress),
});
/** An approval opened, decided, expired or run (contracts/policies.ts). */
const ApprovalUpdated = z.object({
  type: z.literal('approval.updated'),
  commons: z.string(),
  approval: z.string(),
  kind: z.string(),
  state: z.enum(['requested', 'approved', 'rejected', 'expired', 'executed', 'failed']),
  requester: z.string(),
  summary: z.string(),
});

/** What is published on the bus. */
export const DcocEvent = z.discriminatedUnion('type', [
  CommonsStatusChanged,
  ServiceStatusChanged,
  AgentConnected,
  AgentDisconnected,
  CommandUpdated,
  CommonsAddedOrRemoved,
  DeploymentUpdated,
  ApprovalUpdated,
]);
export type DcocEvent = z.infer<typeof DcocEvent>;

/** Its sequence number and time, which the bus adds to every event it sends. */
const EventStamp = { id: z.number(), at: z.string() };

/** An event as sent on the stream (SSE data, and Grafana Live messages relayed from it). */
export const SequencedEvent = z.discriminatedUnion('type', [
  CommonsStatusChanged.extend(EventStamp),
  ServiceStatusChanged.extend(EventStamp),
  AgentConnected.extend(EventStamp),
  AgentDisconnected.extend(EventStamp),
  CommandUpdated.extend(EventStamp),
  CommonsAddedOrRemoved.extend(EventStamp),
  DeploymentUpdated.extend(EventStamp),
  ApprovalUpdated.extend(EventStamp),
]);
export type SequencedEvent = z.infer<typeof SequencedEvent>;

// The control service's HTTP API contract: request schemas (validated with
// zod, unknown fields refused) and response shapes. The plugin and the tests
// import these; nothing else defines them.
import { z } from 'zod';
import { Role } from './roles';

export const ServiceStatus = z.enum(['healthy', 'degraded', 'down', 'unknown']);
export type ServiceStatus = z.infer<typeof ServiceStatus>;

export const CommandKind = z.enum(['restart', 'scale', 'config', 'run-job']);
export type CommandKind = z.infer<typeof CommandKind>;

export const COMMAND_STATES = ['queued', 'dispatched', 'running', 'succeeded', 'failed', 'expired', 'cancelled'] as const;
export const CommandState = z.enum(COMMAND_STATES);
export type CommandState = z.infer<typeof CommandState>;
export const FINAL_STATES: readonly CommandState[] = ['succeeded', 'failed', 'expired', 'cancelled'];
export const isFinal = (s: CommandState) => FINAL_STATES.includes(s);

/** A commons id and a service name as they appear in URLs. */
export const CommonsId = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label');
export const ServiceName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label');

// ---------------------------------------------------------------- requests

// Replicas must be a JSON integer: "3" and 3.5 are refused, not coerced.
export const ScaleRequest = z.strictObject({
  replicas: z.number().int().min(0).max(100),
});

export const ConfigRequest = z.strictObject({
  data: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,253}$/, 'ConfigMap keys are [A-Za-z0-9_.-]'), z.string().max(256 * 1024)),
  baseRevision: z.number().int().min(0),
});

export const RestartRequest = z.strictObject({}).optional();

/** Runs a Job from one of the commons' CronJob templates (usersync, a DB backup, ...). */
export const RunJobRequest = z.strictObject({}).optional();
export const CronJobName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,50}[a-z0-9])?$/, 'must be a CronJob name');

export const EnrollmentTokenRequest = z.strictObject({
  description: z.string().max(200).optional(),
  ttlSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(3600),
});

export const ApiTokenRequest = z.strictObject({
  name: z.string().min(1).max(100),
  role: Role,
  ttlSeconds: z.number().int().min(60).max(366 * 24 * 3600).optional(),
});

export const CommandListQuery = z.strictObject({
  commons: CommonsId.optional(),
  status: CommandState.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const AuditListQuery = z.strictObject({
  actor: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  commons: CommonsId.optional(),
  since: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

// ---------------------------------------------------------------- responses

export interface HealthView {
  url: string;
  httpStatus: number;
  latencyMs: number;
  checkedAt: string | null;
  ok: boolean;
  detail: string;
}

export interface ServiceView {
  name: string;
  status: ServiceStatus;
  deployment: string;
  desiredReplicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  image: string;
  version: string;
  reason: string;
  restartedAt: string | null;
  restartCount: number;
  rollout: string | null;
  health: HealthView | null;
}

export interface AgentRef {
  id: string | null;
  connected: boolean;
  lastSeen: string | null;
  version: string | null;
}

export interface CommonsSummary {
  id: string;
  name: string;
  hostname: string;
  environment: string;
  namespace: string;
  status: ServiceStatus;
  version: string;
  agent: AgentRef;
  services: { total: number; healthy: number };
  config: { revision: number };
}

export interface CommonsDetail extends Omit<CommonsSummary, 'services'> {
  services: ServiceView[];
  config: { revision: number; data: Record<string, string> };
}

export interface CommandView {
  id: string;
  kind: CommandKind;
  commons: string;
  service: string | null;
  target: Record<string, unknown>;
  state: CommandState;
  message: string;
  percent: number;
  actor: string;
  createdAt: string;
  updatedAt: string;
  deadline: string;
  attempts: number;
  result: Record<string, unknown> | null;
  progress: { at: string; state: CommandState; message: string; percent: number }[];
}

export interface AgentView {
  id: string;
  commons: string | null;
  hostname: string | null;
  connected: boolean;
  lastSeen: string | null;
  version: string | null;
  certificateSerial: string;
  certificateExpiresAt: string;
  revoked: boolean;
  enrolledAt: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  actorKind: 'token' | 'grafana' | 'anonymous' | 'system';
  role: Role | null;
  action: string;
  commons: string | null;
  service: string | null;
  detail: Record<string, unknown>;
  outcome: 'accepted' | 'denied' | 'succeeded' | 'failed' | 'rejected';
  commandId: string | null;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

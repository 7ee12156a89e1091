// The query model and settings of the DCOC data source (the backend's
// plugin/datasource/query-model.ts reads the same fields).
import type { DataQuery } from '@grafana/schema';
import type { DataSourceJsonData } from '@grafana/data';

export const QUERY_TYPES = ['fleet', 'services', 'agents', 'health', 'events', 'audit', 'commands', 'logs', 'kubernetesEvents'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export const HEALTH_METRICS = ['services_down', 'agent_silence_seconds', 'commands_failed'] as const;
export type HealthMetric = (typeof HEALTH_METRICS)[number];

export interface DcocQuery extends DataQuery {
  queryType?: QueryType;
  commons?: string;
  service?: string;
  limit?: number;
  metric?: HealthMetric;
  /** logs: the pods of this Job instead of a service's. */
  job?: string;
  /** logs: only lines containing this text. */
  filter?: string;
  /** logs: the previous container's lines. */
  previous?: boolean;
}

export interface DcocOptions extends DataSourceJsonData {
  controlUrl?: string;
}

export interface DcocSecureOptions {
  controlSecret?: string;
}

export const QUERY_TYPE_INFO: Record<QueryType, { label: string; description: string; usesService: boolean; usesLimit: boolean; needsCommons?: boolean }> = {
  fleet: { label: 'Fleet', description: 'One row per commons: status, release, services healthy', usesService: false, usesLimit: false },
  services: { label: 'Services', description: 'One row per service: status, replicas, image, health latency', usesService: true, usesLimit: false },
  agents: { label: 'Agents', description: 'Agents, connection and last heartbeat', usesService: false, usesLimit: false },
  health: { label: 'Health (alerting)', description: 'Numbers per commons for alert rules', usesService: false, usesLimit: false },
  events: { label: 'Events', description: 'Recent status changes and command progress (logs)', usesService: true, usesLimit: true },
  audit: { label: 'Audit', description: 'Who did what (logs)', usesService: true, usesLimit: true },
  commands: { label: 'Commands', description: 'Command history', usesService: true, usesLimit: true },
  logs: { label: 'Pod logs', description: "A service's pod logs, every replica, in the time range (logs; developer role)", usesService: true, usesLimit: true, needsCommons: true },
  kubernetesEvents: { label: 'Kubernetes events', description: "The commons namespace's Kubernetes events, warnings as warnings (logs)", usesService: true, usesLimit: true, needsCommons: true },
};

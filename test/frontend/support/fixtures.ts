// Response bodies shaped like the control service's (the contract types keep them honest).
import type { AgentView, AuditEntry, CommandView, CommonsDetail, CommonsSummary, ServiceView } from '../../../backend/contracts/api';

const now = new Date().toISOString();

export function summary(id: string, over: Partial<CommonsSummary> = {}): CommonsSummary {
  return {
    id,
    name: id.toUpperCase(),
    hostname: `${id}.example.org`,
    environment: `${id}prod`,
    namespace: 'default',
    status: 'healthy',
    version: '2026.07',
    agent: { id: `agent-${id}`, connected: true, lastSeen: now, version: '0.1.0' },
    services: { total: 14, healthy: 14, down: 0 },
    config: { revision: 1 },
    ...over,
  };
}

export function service(name: string, over: Partial<ServiceView> = {}): ServiceView {
  return {
    name,
    status: 'healthy',
    deployment: `${name}-deployment`,
    desiredReplicas: 2,
    readyReplicas: 2,
    updatedReplicas: 2,
    image: `quay.io/cdis/${name}:2026.07`,
    version: '2026.07',
    reason: '',
    restartedAt: null,
    restartCount: 0,
    rollout: null,
    health: { url: `http://${name}-service/_status`, httpStatus: 200, latencyMs: 12, checkedAt: now, ok: true, detail: 'Healthy' },
    ...over,
  };
}

export function detail(id: string, services: ServiceView[], over: Partial<CommonsDetail> = {}): CommonsDetail {
  const { services: _s, config: _c, ...rest } = summary(id);
  return { ...rest, services, config: { revision: 3, data: { 'manifest.json': '{}' } }, ...over };
}

export function command(id: string, over: Partial<CommandView> = {}): CommandView {
  return {
    id,
    kind: 'restart',
    commons: 'midrc',
    service: 'fence',
    target: { restartedAt: now },
    state: 'queued',
    message: 'queued',
    percent: 0,
    actor: 'editor-user',
    createdAt: now,
    updatedAt: now,
    deadline: now,
    attempts: 0,
    result: null,
    progress: [],
    ...over,
  };
}

export function agent(id: string, over: Partial<AgentView> = {}): AgentView {
  return {
    id,
    commons: 'midrc',
    hostname: 'data.midrc.org',
    connected: true,
    lastSeen: now,
    version: '0.1.0',
    certificateSerial: 'abc',
    certificateExpiresAt: new Date(Date.now() + 20 * 3_600_000).toISOString(),
    revoked: false,
    enrolledAt: now,
    ...over,
  };
}

export function auditEntry(id: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: now,
    actor: 'editor-user',
    actorKind: 'grafana',
    role: 'operator',
    action: 'service.restart',
    commons: 'midrc',
    service: 'fence',
    detail: { restartedAt: now },
    outcome: 'accepted',
    commandId: 'cmd-1',
    ...over,
  };
}

export const PERMISSIONS_BY_ROLE = {
  viewer: ['fleet:read'],
  developer: ['fleet:read', 'details:read', 'events:read'],
  operator: ['fleet:read', 'details:read', 'events:read', 'services:operate', 'config:write', 'deployments:write', 'audit:read'],
  admin: ['fleet:read', 'details:read', 'events:read', 'services:operate', 'config:write', 'deployments:write', 'audit:read', 'agents:manage', 'tokens:manage'],
} as const;

export function whoami(role: keyof typeof PERMISSIONS_BY_ROLE) {
  return { user: { login: `${role}-user`, name: role, email: '', orgRole: 'Viewer' }, role, roleSource: 'org-role', permissions: [...PERMISSIONS_BY_ROLE[role]] };
}

export const problem = (status: number, title: string, detail: string) => ({ type: 'about:blank', title, status, detail });

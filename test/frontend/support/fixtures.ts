// Response bodies shaped like the control service's (the contract types keep them honest).
import { PERMISSIONS, type Permission, ROLES, type Role, can } from '../../../contracts/roles';
import type {
  AgentView,
  AuditEntry,
  CommandView,
  CommonsDetail,
  CommonsSummary,
  DeploymentPlan,
  DeploymentView,
  ProfileView,
  ReleaseView,
  RevisionDetail,
  RevisionSummary,
  ServiceProgress,
  ServiceView,
  TemplateView,
} from '../../../contracts/api';

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
    agent: { id: `agent-${id}`, connected: true, lastSeen: now, version: '0.1.0', deployMethod: 'simulated' },
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
    gitopsOwner: null,
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
    result: 'succeeded',
    ...over,
  };
}

export function release(version: string, name: string | null = null): ReleaseView {
  const images = Object.fromEntries(['fence', 'indexd', 'sheepdog', 'revproxy'].map((c) => [c, `quay.io/cdis/${c === 'revproxy' ? 'nginx' : c}:${version}`]));
  return { version, name, source: 'built-in', images: { ...images, ambassador: 'quay.io/datawire/ambassador:1.4.2' }, unmanaged: { fluentd: 'fluent/fluentd-kubernetes-daemonset:v1.2-debian-cloudwatch' }, importedBy: null, importedAt: null };
}

export function template(name: string, description = `${name} services`): TemplateView {
  return { name, description, services: ['fence', 'indexd', 'sheepdog'], global: {} };
}

export function profile(name: string, description = `${name} sizing`): ProfileView {
  return { name, description, global: {}, replicas: { default: 2, max: 10 }, services: { fence: { replicas: 2, max: 15, autoscaling: null } } };
}

/** The unified diff the control service makes for fence going from 2026.06 to 2026.07. */
export const FENCE_DIFF = [
  '--- a/data.midrc.org/values/values.yaml',
  '+++ b/data.midrc.org/values/values.yaml',
  '@@ -10,7 +10,7 @@',
  ' fence:',
  '   image:',
  '     repository: quay.io/cdis/fence',
  '-    tag: "2026.06"',
  '+    tag: "2026.07"',
  '',
].join('\n');

export function plan(over: Partial<DeploymentPlan> = {}): DeploymentPlan {
  return {
    mode: 'plan',
    commons: { id: 'midrc', hostname: 'midrc.example.org', environment: 'midrcprod', exists: true, agentConnected: true },
    template: 'gen3-explorer',
    profile: 'production',
    release: { version: '2026.07', name: 'Hambergite' },
    overrides: {},
    base: { source: 'revision', revision: 4 },
    nextRevision: 5,
    values: { fence: { image: { repository: 'quay.io/cdis/fence', tag: '2026.07' } } },
    valuesYaml: 'fence:\n  image:\n    repository: quay.io/cdis/fence\n    tag: "2026.07"\n',
    diff: { text: FENCE_DIFF, changes: [{ path: 'fence.image.tag', op: 'change', from: '2026.06', to: '2026.07' }] },
    services: [
      { name: 'fence', from: 'quay.io/cdis/fence:2026.06', to: 'quay.io/cdis/fence:2026.07', state: 'pending', updated: 0, ready: 2, desired: 2, message: '', changes: true },
      { name: 'ambassador', from: 'quay.io/datawire/ambassador:1.4.2', to: 'quay.io/datawire/ambassador:1.4.2', state: 'done', updated: 1, ready: 1, desired: 1, message: '', changes: false },
    ],
    warnings: ['indexd has 1 pod not ready now'],
    gitops: { enabled: true, path: 'data.midrc.org/values/values.yaml' },
    ...over,
  };
}

export function progress(name: string, over: Partial<ServiceProgress> = {}): ServiceProgress {
  return { name, from: `quay.io/cdis/${name}:2026.06`, to: `quay.io/cdis/${name}:2026.07`, state: 'pending', updated: 0, ready: 2, desired: 2, message: 'waiting to be applied', ...over };
}

export function deployment(id: string, over: Partial<DeploymentView> = {}): DeploymentView {
  return {
    id,
    commons: 'midrc',
    revision: 5,
    kind: 'deploy',
    rollbackOf: null,
    release: '2026.07',
    state: 'running',
    message: 'rolling',
    percent: 40,
    actor: 'operator-user',
    reason: 'monthly upgrade',
    createdAt: now,
    updatedAt: now,
    commandId: `cmd-${id}`,
    gitops: { state: 'pushed', path: 'data.midrc.org/values/values.yaml', commit: '0123456789abcdef' },
    services: [progress('fence')],
    ...over,
  };
}

export function revision(n: number, over: Partial<RevisionSummary> = {}): RevisionSummary {
  return {
    commons: 'midrc',
    revision: n,
    release: '2026.07',
    template: 'gen3-explorer',
    profile: 'production',
    kind: 'deploy',
    rollbackOf: null,
    base: { source: n === 1 ? 'observed' : 'revision', revision: n === 1 ? null : n - 1 },
    author: 'operator-user',
    reason: `reason ${n}`,
    createdAt: now,
    changes: 3,
    deployment: { id: `dep-${n}`, state: 'succeeded', gitopsCommit: null },
    ...over,
  };
}

export function revisionDetail(n: number, over: Partial<RevisionDetail> = {}): RevisionDetail {
  return { ...revision(n), overrides: {}, values: {}, valuesYaml: '', diff: { text: FENCE_DIFF, changes: [] }, ...over };
}

/** What each role may do, from the contract (contracts/roles.ts), as the app's whoami reports it. */
export const PERMISSIONS_BY_ROLE = Object.fromEntries(ROLES.map((r) => [r, (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(r, p))])) as Record<Role, Permission[]>;

export function whoami(role: keyof typeof PERMISSIONS_BY_ROLE) {
  return { user: { login: `${role}-user`, name: role, email: '', orgRole: 'Viewer' }, role, roleSource: 'org-role', permissions: [...PERMISSIONS_BY_ROLE[role]] };
}

export const problem = (status: number, title: string, detail: string) => ({ type: 'about:blank', title, status, detail });

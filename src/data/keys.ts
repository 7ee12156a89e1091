// Query keys, so invalidation after a change or a live event hits exactly the right caches.
export interface AuditFilters {
  actor?: string;
  action?: string;
  commons?: string;
}

export const keys = {
  whoami: ['whoami'] as const,
  /** The caller's team grants (scoped roles). */
  access: ['access'] as const,
  teamGrants: ['team-grants'] as const,
  fleet: ['fleet'] as const,
  groups: ['groups'] as const,
  commons: (id: string) => ['commons', id] as const,
  /** The service names of several commons (a group's restart picks one). */
  servicesOf: (ids: readonly string[]) => ['services-of', ...ids] as const,
  revisions: (id: string) => ['commons', id, 'revisions'] as const,
  /** The commons' CronJobs; under `commons`, so a change to the commons refreshes them too. */
  jobs: (id: string) => ['commons', id, 'jobs'] as const,
  /** The commons' database backups, with its schedule and last good backup. */
  backups: (id: string) => ['commons', id, 'backups'] as const,
  /** Deployment revisions (release, template, profile, values) of a commons; config revisions are `revisions`. */
  deployRevisions: (id: string) => ['commons', id, 'deploy-revisions'] as const,
  deployRevision: (id: string, n: number) => ['commons', id, 'deploy-revisions', n] as const,
  /** Inside a commons: Kubernetes events (per service filter), resources, external checks, pod logs. */
  kubeEvents: (id: string, service: string | undefined) => ['commons', id, 'kube-events', service ?? ''] as const,
  resources: (id: string) => ['commons', id, 'resources'] as const,
  externalChecks: (id: string) => ['commons', id, 'external-checks'] as const,
  logs: (id: string, target: string, opts: Record<string, string | number | boolean | undefined>) => ['logs', id, target, opts] as const,
  deployment: (id: string) => ['deployment', id] as const,
  deployments: (commons: string | undefined) => ['deployments', commons ?? ''] as const,
  releases: ['releases'] as const,
  templates: ['templates'] as const,
  profiles: ['profiles'] as const,
  commands: (commons: string) => ['commands', commons] as const,
  agents: ['agents'] as const,
  audit: (f: AuditFilters) => ['audit', f.actor ?? '', f.action ?? '', f.commons ?? ''] as const,
  alerts: ['alerts'] as const,
  /** Approvals (by state filter) and policies. */
  approvals: (state: string) => ['approvals', state] as const,
  policies: ['policies'] as const,
};

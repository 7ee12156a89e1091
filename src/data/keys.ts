// Query keys, so invalidation after a change or a live event hits exactly the right caches.
export interface AuditFilters {
  actor?: string;
  action?: string;
  commons?: string;
}

export const keys = {
  whoami: ['whoami'] as const,
  fleet: ['fleet'] as const,
  commons: (id: string) => ['commons', id] as const,
  revisions: (id: string) => ['commons', id, 'revisions'] as const,
  commands: (commons: string) => ['commands', commons] as const,
  agents: ['agents'] as const,
  audit: (f: AuditFilters) => ['audit', f.actor ?? '', f.action ?? '', f.commons ?? ''] as const,
  alerts: ['alerts'] as const,
};

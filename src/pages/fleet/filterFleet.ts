// Search and filters of the fleet page, as one pure function.
import type { CommonsSummary } from '../../../contracts/api';

export interface FleetFilter {
  search: string;
  status: 'all' | CommonsSummary['status'];
  environment: string | null;
  /** A saved group's name; its members are passed to filterFleet. */
  group: string | null;
}

export const NO_FILTER: FleetFilter = { search: '', status: 'all', environment: null, group: null };

// Worst first, so trouble is at the top of a long fleet.
const ORDER: Record<string, number> = { down: 0, degraded: 1, unknown: 2, healthy: 3 };

/** `groupMembers`: the commons of the chosen group (none chosen: undefined). A search matches labels as `key=value`. */
export function filterFleet(items: readonly CommonsSummary[], f: FleetFilter, groupMembers?: ReadonlySet<string>): CommonsSummary[] {
  const q = f.search.trim().toLowerCase();
  return items
    .filter((c) => f.status === 'all' || c.status === f.status)
    .filter((c) => !f.environment || c.environment === f.environment)
    .filter((c) => !f.group || !groupMembers || groupMembers.has(c.id))
    .filter((c) => !q || [c.id, c.name, c.hostname, c.environment, c.version, ...labelTexts(c)].some((v) => v.toLowerCase().includes(q)))
    .sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || a.name.localeCompare(b.name));
}

export function environmentsOf(items: readonly CommonsSummary[]): string[] {
  return [...new Set(items.map((c) => c.environment))].sort();
}

/** The labels an operator set (not the automatic commons and environment), as `key=value`. */
export function labelTexts(c: Pick<CommonsSummary, 'labels'>): string[] {
  return Object.entries(c.labels ?? {})
    .filter(([k]) => k !== 'commons' && k !== 'environment')
    .map(([k, v]) => `${k}=${v}`);
}

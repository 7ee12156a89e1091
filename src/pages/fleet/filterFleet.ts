// Search and filters of the fleet page, as one pure function.
import type { CommonsSummary } from '../../../contracts/api';

export interface FleetFilter {
  search: string;
  status: 'all' | CommonsSummary['status'];
  environment: string | null;
}

export const NO_FILTER: FleetFilter = { search: '', status: 'all', environment: null };

// Worst first, so trouble is at the top of a long fleet.
const ORDER: Record<string, number> = { down: 0, degraded: 1, unknown: 2, healthy: 3 };

export function filterFleet(items: readonly CommonsSummary[], f: FleetFilter): CommonsSummary[] {
  const q = f.search.trim().toLowerCase();
  return items
    .filter((c) => f.status === 'all' || c.status === f.status)
    .filter((c) => !f.environment || c.environment === f.environment)
    .filter((c) => !q || [c.id, c.name, c.hostname, c.environment, c.version].some((v) => v.toLowerCase().includes(q)))
    .sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || a.name.localeCompare(b.name));
}

export function environmentsOf(items: readonly CommonsSummary[]): string[] {
  return [...new Set(items.map((c) => c.environment))].sort();
}

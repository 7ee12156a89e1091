// dcoc_backup_*: each scheduled commons' last good database backup and how
// old it may get, read from the store at scrape time (fleet-level: every
// replica exports the same series, one per commons with a backup schedule;
// rendered by Metrics.renderFleet). DCOCBackupStale fires when time() - last
// success > max age. Kept on the fleet /metrics, not the per-commons detail,
// so the alert covers every scheduled commons whatever Prometheus discovers.
import type { Backups } from '../backups/backups';
import type { Metrics } from './registry';

export function registerBackupMetrics(metrics: Pick<Metrics, 'backups'>, backups: Pick<Backups, 'freshness'>): void {
  metrics.backups = backups;
}

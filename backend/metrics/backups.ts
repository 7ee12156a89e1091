// dcoc_backup_*: each scheduled commons' last good database backup and how
// old it may get, read from the store at scrape time (fleet-level: every
// replica exports the same series, one per commons with a backup schedule).
// DCOCBackupStale fires when time() - last success > max age.
import { Gauge, type Registry } from 'prom-client';
import type { Backups } from '../backups/backups';

export function registerBackupMetrics(r: Registry, backups: Pick<Backups, 'freshness'>): void {
  let pending: ReturnType<Backups['freshness']> | null = null;
  // Both gauges are read in one scrape: one store query serves them.
  const read = () => {
    pending ??= backups.freshness().finally(() => setTimeout(() => (pending = null), 0));
    return pending;
  };
  const gauge = (name: string, help: string, value: (f: Awaited<ReturnType<Backups['freshness']>>[number]) => number) =>
    new Gauge<'commons'>({
      name,
      help,
      labelNames: ['commons'],
      registers: [r],
      async collect() {
        const rows = await read();
        this.reset();
        for (const f of rows) this.set({ commons: f.commons }, value(f));
      },
    });
  gauge('dcoc_backup_last_success_timestamp_seconds', "When the commons' last successful database backup finished (Unix seconds); its schedule's start while it has none. Commons with a backup schedule only.", (f) => f.lastSuccessSeconds);
  gauge('dcoc_backup_max_age_seconds', "How old the commons' last good backup may get: 1.5 × the longest gap between its scheduled backups.", (f) => f.maxAgeSeconds);
}

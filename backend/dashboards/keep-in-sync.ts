// Keeps one Grafana dashboard per commons in DCOC_DASHBOARDS_DIR: once at
// start, then whenever a commons appears or goes (debounced, so a thousand
// agents connecting at once cost one pass).
import type { Logger } from '../../lib/logger';
import type { EventBus } from '../events/bus';
import type { Fleet } from '../fleet/fleet';
import { syncCommonsDashboards } from './generator';

const DEBOUNCE_MS = 1000;

export function keepCommonsDashboardsInSync(dir: string, fleet: Fleet, events: EventBus, log: Logger): { ready: Promise<void>; stop(): void } {
  let timer: NodeJS.Timeout | null = null;
  const sync = () =>
    syncCommonsDashboards(dir, fleet.all()).then(
      (r) => {
        if (r.written.length || r.removed.length) log.info({ dir, written: r.written, removed: r.removed }, 'commons dashboards updated');
      },
      (e: Error) => log.error({ dir, err: e.message }, 'could not write commons dashboards; check DCOC_DASHBOARDS_DIR'),
    );
  const unsubscribe = events.subscribe((e) => {
    if (e.type !== 'commons.added' && e.type !== 'commons.removed') return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void sync(), DEBOUNCE_MS);
  });
  return {
    ready: sync(),
    stop() {
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}

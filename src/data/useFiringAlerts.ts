// Firing alerts per commons, from Grafana Alertmanager (the `commons` label the
// DCOC alert rules carry). Failing to read them must not break the fleet page.
import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '../api/resources';
import { alertmanagerAlerts } from '../api/alertmanager';
import { keys } from './keys';

export const ALERTS_URL = '/api/alertmanager/grafana/api/v2/alerts';

export function useFiringAlerts() {
  return useQuery({
    queryKey: keys.alerts,
    queryFn: async () => {
      const alerts = await fetchJson(ALERTS_URL, alertmanagerAlerts, { params: { active: 'true', silenced: 'false', inhibited: 'false' } });
      const byCommons = new Map<string, number>();
      for (const a of alerts) {
        const c = a.labels.commons;
        if (c && (a.status?.state ?? 'active') === 'active') byCommons.set(c, (byCommons.get(c) ?? 0) + 1);
      }
      return byCommons;
    },
    refetchInterval: 30_000,
    retry: false,
  });
}

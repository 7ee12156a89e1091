// Firing alerts from Grafana's own Alertmanager API (only what the fleet page uses).
import { z } from 'zod';

export const alertmanagerAlert = z.object({
  labels: z.record(z.string(), z.string()),
  status: z.object({ state: z.string() }).optional(),
});
export const alertmanagerAlerts = z.array(alertmanagerAlert);
export type AlertmanagerAlert = z.infer<typeof alertmanagerAlert>;

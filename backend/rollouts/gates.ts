// The gate a commons passes after its deployment succeeded: healthy, with its
// agent connected, and no alert firing with label commons=<id> in the
// Alertmanager (when DCOC_ALERTMANAGER_URL is set). An Alertmanager that
// cannot be asked does not pass the gate: a rollout never proceeds blind.
import type { Alertmanager } from '../alerting/alertmanager';
import type { Fleet } from '../fleet/fleet';

export type GateResult = { ok: true } | { ok: false; reason: string };

export class SoakGate {
  constructor(
    private readonly fleet: Pick<Fleet, 'get' | 'online'>,
    private readonly alerts: Pick<Alertmanager, 'alerts'> | null,
  ) {}

  get checksAlerts(): boolean {
    return this.alerts !== null;
  }

  async check(commonsId: string): Promise<GateResult> {
    const c = this.fleet.get(commonsId);
    if (!c) return { ok: false, reason: `${commonsId} is not known to the control service` };
    if (!this.fleet.online(c)) return { ok: false, reason: `${commonsId}'s agent is not connected; its health is unknown` };
    if (c.status !== 'healthy') {
      const bad = [...c.services.values()].filter((s) => s.status !== 'healthy').map((s) => `${s.name} ${s.status}${s.reason ? ` (${s.reason})` : ''}`);
      return { ok: false, reason: `${commonsId} is ${c.status}${bad.length ? `: ${bad.slice(0, 5).join(', ')}` : ''}` };
    }
    if (!this.alerts) return { ok: true };
    try {
      const firing = await this.alerts.alerts([{ name: 'commons', value: commonsId, isRegex: false }]);
      if (firing.length) {
        const names = [...new Set(firing.map((a) => a.labels.alertname ?? a.fingerprint))];
        return { ok: false, reason: `alert${names.length > 1 ? 's' : ''} firing for ${commonsId}: ${names.join(', ')}` };
      }
    } catch (e) {
      return { ok: false, reason: `could not ask the Alertmanager whether alerts fire for ${commonsId}: ${(e as Error).message}` };
    }
    return { ok: true };
  }
}

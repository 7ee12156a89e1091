// Gen3's maintenance mode, switched through a values revision: gen3-helm's
// `global.maintenanceMode` ("on"/"off", a string: helm/gen3/values.yaml
// default "off") reaches revproxy as env MAINTENANCE_MODE
// (helm/revproxy/templates/deployment.yaml), and revproxy's nginx sends
// portal requests to the maintenance page when it is 'on' and no devmode
// cookie is set (helm/revproxy/gen3.nginx.conf/portal-as-root/
// portal-service.conf); uc-cdis/gen3-helm 42cc46bc. The env is in revproxy's
// pod template, so the revision's helm upgrade rolls revproxy by itself.
import type { Principal } from '../auth/principal';
import type { ChangeGate } from '../changes/gate';
import type { DeploymentService } from '../deployments/service';
import { gateLine } from './actions';

/** The `global` change a values revision makes to switch maintenance mode. */
export function maintenanceModeChange(on: boolean): { global: { maintenanceMode: 'on' | 'off' }; restart: string[] } {
  return { global: { maintenanceMode: on ? 'on' : 'off' }, restart: [] };
}

export class MaintenanceMode {
  constructor(
    private readonly gate: Pick<ChangeGate, 'check'>,
    private readonly deployments: Pick<DeploymentService, 'configRoute' | 'configThroughValues'>,
  ) {}

  /**
   * Switches a commons' maintenance mode as a revision of its values (a deploy
   * like any other, audited as deployment.apply). Switching on asks the gate;
   * switching off at the window's end undoes the window's own change and is
   * not held by a freeze (a commons must not stay in maintenance).
   */
  async set(
    commons: string,
    on: boolean,
    principal: Principal,
    window: { id: string; name: string; start: string },
    reason: string,
    approvalId?: string,
  ): Promise<{ switched: boolean; line: string; deployment?: string }> {
    const what = `maintenance mode ${on ? 'on' : 'off'} on ${commons}`;
    const route = await this.deployments.configRoute(commons);
    if (route.route !== 'values') {
      const why = route.route === 'refuse' ? route.why : `DCOC has no values revision of ${commons} to change global.maintenanceMode in; deploy it once with DCOC`;
      return { switched: false, line: `${what}: not switched: ${why}` };
    }
    if (on) {
      // The request is what an approval replays (WindowScheduler.replayMaintenanceMode), for this occurrence only.
      const request = { commons, windowId: window.id, start: window.start };
      const no = await gateLine(this.gate, { kind: 'maintenance-mode', commons, principal, reason, summary: what, request, scheduled: { windowId: window.id }, ...(approvalId ? { approvalId } : {}) });
      if (no) return { switched: false, line: no };
    }
    const dep = await this.deployments.configThroughValues(commons, maintenanceModeChange(on), `${reason} (maintenance window "${window.name}")`, principal);
    return { switched: true, line: `${what}: deployment ${dep.id} (revision ${dep.revision})`, deployment: dep.id };
  }
}

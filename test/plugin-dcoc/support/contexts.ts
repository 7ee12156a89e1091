// PluginContexts as Grafana sends them to the DCOC app and data source,
// configured for a test fleet's control service.
import type { WirePluginContext } from '../../../plugin/sdk/wire';
import { pluginContext, type OrgRole } from '../../support/grafana-host';
import { PLUGIN_SECRET } from '../../support/fleet';

export interface DcocContextOptions {
  role?: OrgRole;
  /** null: a request Grafana itself makes (no user). */
  user?: { login?: string; name?: string; email?: string; role?: string } | null;
  controlUrl: string;
  secret?: string;
  jsonData?: Record<string, unknown>;
  grafanaConfig?: Record<string, string>;
}

export function appContext(o: DcocContextOptions): WirePluginContext {
  return pluginContext({
    pluginId: 'gen3-dcoc-app',
    role: o.role,
    user: o.user,
    app: { jsonData: { controlUrl: o.controlUrl, ...o.jsonData }, secureJsonData: { controlSecret: o.secret ?? PLUGIN_SECRET } },
    grafanaConfig: o.grafanaConfig,
  });
}

export function dsContext(o: DcocContextOptions): WirePluginContext {
  return pluginContext({
    pluginId: 'gen3-dcoc-datasource',
    role: o.role,
    user: o.user,
    datasource: {
      uid: 'dcoc',
      name: 'DCOC',
      jsonData: { controlUrl: o.controlUrl, ...o.jsonData },
      secureJsonData: { controlSecret: o.secret ?? PLUGIN_SECRET },
    },
    grafanaConfig: o.grafanaConfig,
  });
}

export const json = <T = unknown>(body: Buffer): T => JSON.parse(body.toString('utf8')) as T;

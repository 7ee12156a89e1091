// Where the control service is and the secret shared with it, from the
// settings of the app (jsonData.controlUrl, secureJsonData.controlSecret) or
// of the data source (jsonData.controlUrl or its URL, secureJsonData.controlSecret).
import type { PluginContext } from '../sdk';
import { safeJsonData } from '../identity/resolve';

export interface ControlSettings {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:8470. */
  url: string;
  secret: string;
  /** Whose settings these are, to say where to fix them. */
  owner: 'app' | 'datasource';
}

export type SettingsResult = { ok: true; settings: ControlSettings } | { ok: false; problem: string };

export function ownerLabel(owner: ControlSettings['owner']): string {
  return owner === 'app' ? "the DCOC app's" : "the DCOC data source's";
}

export function controlSettings(ctx: PluginContext): SettingsResult {
  const app = ctx.appInstanceSettings;
  const ds = ctx.dataSourceInstanceSettings;
  const owner: ControlSettings['owner'] = ds ? 'datasource' : 'app';
  const settings = ds ?? app;
  if (!settings) return { ok: false, problem: 'the request carries no app or data source settings' };
  const jsonData = safeJsonData(settings);
  const configured = typeof jsonData.controlUrl === 'string' && jsonData.controlUrl.trim() ? jsonData.controlUrl.trim() : ds?.url.trim();
  const where = ownerLabel(owner);
  if (!configured) return { ok: false, problem: `${where} control service URL is not set: set controlUrl (e.g. http://dcoc-control:8470)` };
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    return { ok: false, problem: `${where} controlUrl ${JSON.stringify(configured)} is not a URL (e.g. http://dcoc-control:8470)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, problem: `${where} controlUrl must be http:// or https://, not ${url.protocol}` };
  }
  const secret = settings.decryptedSecureJsonData.controlSecret;
  if (!secret) return { ok: false, problem: `${where} controlSecret is not set: set it to the control service's DCOC_PLUGIN_SECRET` };
  return { ok: true, settings: { url: url.toString().replace(/\/+$/, ''), secret, owner } };
}

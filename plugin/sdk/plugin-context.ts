// The PluginContext Grafana sends with every request: who is asking, in which
// org, with which app or data source settings.
import type { WireAppInstanceSettings, WireDataSourceInstanceSettings, WirePluginContext, WireUser } from './wire';

export interface User {
  login: string;
  name: string;
  email: string;
  /** The org role: "Admin", "Editor", "Viewer", "None" (or empty for some identities). */
  role: string;
}

export interface AppInstanceSettings {
  /** The app's jsonData, as raw JSON bytes (see parseJsonData). */
  jsonData: Uint8Array;
  decryptedSecureJsonData: Record<string, string>;
  lastUpdatedMS: number;
  apiVersion: string;
}

export interface DataSourceInstanceSettings {
  id: number;
  uid: string;
  name: string;
  url: string;
  user: string;
  database: string;
  basicAuthEnabled: boolean;
  basicAuthUser: string;
  /** The data source's jsonData, as raw JSON bytes (see parseJsonData). */
  jsonData: Uint8Array;
  decryptedSecureJsonData: Record<string, string>;
  lastUpdatedMS: number;
  apiVersion: string;
}

export interface PluginContext {
  orgId: number;
  pluginId: string;
  /** Absent when Grafana itself makes the request (e.g. alerting). */
  user?: User;
  /** Present only for requests to an app. */
  appInstanceSettings?: AppInstanceSettings;
  /** Present only for requests to a data source instance. */
  dataSourceInstanceSettings?: DataSourceInstanceSettings;
  /** Grafana settings for plugins (GF_APP_URL, GF_PLUGIN_APP_CLIENT_SECRET, …). */
  grafanaConfig: Record<string, string>;
  pluginVersion: string;
  userAgent: string;
  apiVersion: string;
  namespace: string;
}

export function readPluginContext(wire: WirePluginContext | null | undefined): PluginContext {
  return {
    orgId: int64(wire?.orgId),
    pluginId: wire?.pluginId ?? '',
    user: wire?.user ? readUser(wire.user) : undefined,
    appInstanceSettings: wire?.appInstanceSettings ? readAppSettings(wire.appInstanceSettings) : undefined,
    dataSourceInstanceSettings: wire?.dataSourceInstanceSettings ? readDataSourceSettings(wire.dataSourceInstanceSettings) : undefined,
    grafanaConfig: { ...(wire?.grafanaConfig ?? {}) },
    pluginVersion: wire?.pluginVersion ?? '',
    userAgent: wire?.userAgent ?? '',
    apiVersion: wire?.apiVersion ?? '',
    namespace: wire?.namespace ?? '',
  };
}

function readUser(u: WireUser): User {
  return { login: u.login, name: u.name, email: u.email, role: u.role };
}

function readAppSettings(s: WireAppInstanceSettings): AppInstanceSettings {
  return {
    jsonData: bytes(s.jsonData),
    decryptedSecureJsonData: { ...s.decryptedSecureJsonData },
    lastUpdatedMS: int64(s.lastUpdatedMS),
    apiVersion: s.apiVersion,
  };
}

function readDataSourceSettings(s: WireDataSourceInstanceSettings): DataSourceInstanceSettings {
  return {
    id: int64(s.id),
    uid: s.uid,
    name: s.name,
    url: s.url,
    user: s.user,
    database: s.database,
    basicAuthEnabled: s.basicAuthEnabled,
    basicAuthUser: s.basicAuthUser,
    jsonData: bytes(s.jsonData),
    decryptedSecureJsonData: { ...s.decryptedSecureJsonData },
    lastUpdatedMS: int64(s.lastUpdatedMS),
    apiVersion: s.apiVersion,
  };
}

/** Org ids, instance ids and epoch milliseconds all fit a double exactly. */
function int64(v: string | undefined): number {
  return v ? Number(v) : 0;
}

function bytes(b: Uint8Array | undefined): Uint8Array {
  return b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(0);
}

/**
 * Parses the jsonData of app or data source settings. Empty bytes give {}:
 * Grafana sends nothing when the settings were never saved.
 */
export function parseJsonData<T = Record<string, unknown>>(settings: { jsonData: Uint8Array } | undefined): T {
  if (!settings || settings.jsonData.length === 0) return {} as T;
  return JSON.parse(new TextDecoder().decode(settings.jsonData)) as T;
}

/** One decrypted secure setting of the app or data source this request targets. */
export function secureSetting(ctx: PluginContext, key: string): string | undefined {
  return (ctx.appInstanceSettings ?? ctx.dataSourceInstanceSettings)?.decryptedSecureJsonData[key];
}

// What the host page tells the browser before anything loads: the signed-in
// user (as Grafana's window.grafanaBootData) and the plugins to serve.
export interface HostBoot {
  user: { login: string; name: string; orgRole: 'Viewer' | 'Editor' | 'Admin' };
  /** RBAC actions the user holds (from the app's plugin.json roles and their default grants). */
  actions: string[];
  app: { id: string; name: string; includes: { name: string; path: string; action?: string; role?: string; addToNav?: boolean }[]; jsonData: Record<string, unknown> };
  datasource: { uid: string; name: string; type: string };
}

declare global {
  interface Window {
    __DCOC_HOST__: HostBoot;
    grafanaBootData: unknown;
  }
}

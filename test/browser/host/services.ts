// Grafana's frontend services as the test host provides them: BackendSrv
// over fetch (Grafana's contract: Observable of FetchResponse, FetchError on
// HTTP errors), Grafana Live over the host's event stream, a DataSourceSrv
// that knows the DCOC data source.
import { LiveChannelConnectionState, LiveChannelEventType, toLiveChannelId, type DataSourceInstanceSettings, type LiveChannelAddress, type LiveChannelEvent } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest, DataSourceSrv, FetchResponse, GrafanaLiveSrv } from '@grafana/runtime';
import { Observable, of } from 'rxjs';
import type { HostBoot } from './boot-data';

function withParams(url: string, params: BackendSrvRequest['params']): string {
  const entries = Object.entries((params ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!entries.length) return url;
  const qs = new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString();
  return `${url}${url.includes('?') ? '&' : '?'}${qs}`;
}

export function hostFetch<T>(req: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((sub) => {
    const ctrl = new AbortController();
    const body = req.data === undefined ? undefined : typeof req.data === 'string' ? req.data : JSON.stringify(req.data);
    fetch(withParams(req.url, req.params), {
      method: req.method ?? 'GET',
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(req.headers ?? {}) },
      body,
      signal: ctrl.signal,
    })
      .then(async (res) => {
        const text = await res.text();
        let data: unknown = text;
        try {
          data = text ? JSON.parse(text) : {};
        } catch {
          // not JSON: pass the text on, as Grafana does
        }
        const response = { data: data as T, status: res.status, statusText: res.statusText, ok: res.ok, headers: res.headers, redirected: res.redirected, type: res.type, url: res.url, config: req };
        if (res.ok) {
          sub.next(response);
          sub.complete();
        } else {
          sub.error({ status: res.status, statusText: res.statusText, data, config: req });
        }
      })
      .catch((err: unknown) => sub.error({ status: 0, statusText: String(err), data: { message: String(err) }, config: req }));
    return () => ctrl.abort();
  });
}

export function backendSrv(): BackendSrv {
  const request = <T>(req: BackendSrvRequest) =>
    new Promise<T>((resolve, reject) => hostFetch<T>(req).subscribe({ next: (r) => resolve(r.data), error: reject }));
  return {
    fetch: hostFetch,
    request,
    get: (url: string, params?: BackendSrvRequest['params']) => request({ url, params }),
    post: (url: string, data?: unknown) => request({ url, method: 'POST', data }),
    put: (url: string, data?: unknown) => request({ url, method: 'PUT', data }),
    patch: (url: string, data?: unknown) => request({ url, method: 'PATCH', data }),
    delete: (url: string, data?: unknown) => request({ url, method: 'DELETE', data }),
    datasourceRequest: (req: BackendSrvRequest) => new Promise((resolve, reject) => hostFetch(req).subscribe({ next: resolve, error: reject })),
  } as unknown as BackendSrv;
}

/** Grafana Live: one event stream per channel from the host (which runs the plugin's RunStream). */
export function liveSrv(): GrafanaLiveSrv {
  const getStream = <T>(addr: LiveChannelAddress): Observable<LiveChannelEvent<T>> =>
    new Observable<LiveChannelEvent<T>>((sub) => {
      const id = toLiveChannelId(addr);
      const status = (state: LiveChannelConnectionState, error?: unknown) =>
        sub.next({ type: LiveChannelEventType.Status, id, timestamp: Date.now(), state, ...(error ? { error } : {}) } as LiveChannelEvent<T>);
      status(LiveChannelConnectionState.Connecting);
      const source = new EventSource(`/__host/live?channel=${encodeURIComponent(id)}`);
      source.addEventListener('subscribed', () => status(LiveChannelConnectionState.Connected));
      source.addEventListener('denied', (e) => {
        status(LiveChannelConnectionState.Invalid, (e as MessageEvent).data);
        source.close();
      });
      source.onmessage = (e) => sub.next({ type: LiveChannelEventType.Message, message: JSON.parse(e.data) as T });
      source.onerror = () => status(LiveChannelConnectionState.Disconnected);
      return () => source.close();
    });
  return {
    getConnectionState: () => of(true),
    getStream,
    getDataStream: () => {
      throw new Error('the test host does not stream data frames');
    },
    getPresence: () => Promise.reject(new Error('no presence in the test host')),
    publish: () => Promise.reject(new Error('no publishing in the test host')),
  };
}

export function dataSourceSrv(boot: HostBoot): DataSourceSrv {
  const ds = { uid: boot.datasource.uid, name: boot.datasource.name, type: boot.datasource.type, meta: { id: boot.datasource.type }, jsonData: {}, access: 'proxy', readOnly: true } as unknown as DataSourceInstanceSettings;
  const matches = (ref: unknown) => ref === undefined || ref === null || ref === ds.uid || ref === ds.name || (typeof ref === 'object' && (ref as { uid?: string }).uid === ds.uid);
  return {
    getList: (filters?: { pluginId?: string }) => (!filters?.pluginId || filters.pluginId === ds.type ? [ds] : []),
    getInstanceSettings: (ref: unknown) => (matches(ref) ? ds : undefined),
    get: () => Promise.reject(new Error('the test host loads no data source plugins')),
    reload: () => undefined,
    registerRuntimeDataSource: () => undefined,
  } as unknown as DataSourceSrv;
}

// Fakes of the Grafana services the pages use: BackendSrv answering resource
// routes from a table (and recording calls), Grafana Live as a Subject, and
// a DataSourceSrv that knows the DCOC data source.
import { LiveChannelConnectionState, LiveChannelEventType, type DataSourceInstanceSettings, type LiveChannelAddress, type LiveChannelEvent } from '@grafana/data';
import { setBackendSrv, setDataSourceSrv, setGrafanaLiveSrv, type BackendSrv, type BackendSrvRequest, type DataSourceSrv, type FetchResponse, type GrafanaLiveSrv } from '@grafana/runtime';
import { Observable, Subject, of, throwError } from 'rxjs';

export type Reply = { status?: number; data: unknown } | 'pending';

export interface RecordedCall {
  method: string;
  url: string;
  params: Record<string, unknown>;
  body: unknown;
}

export const RESOURCES = '/api/plugins/gen3-dcoc-app/resources/';

export class FakeGrafana {
  readonly calls: RecordedCall[] = [];
  readonly live = new Subject<LiveChannelEvent<unknown>>();
  readonly liveAddresses: LiveChannelAddress[] = [];
  private readonly routes = new Map<string, Reply | ((call: RecordedCall) => Reply)>();

  /** Answer `METHOD route` (route relative to the app's resources, or an absolute /api path). */
  on(method: string, route: string, reply: Reply | ((call: RecordedCall) => Reply)): this {
    this.routes.set(`${method} ${route.startsWith('/') ? route : RESOURCES + route}`, reply);
    return this;
  }

  callsTo(method: string, route: string): RecordedCall[] {
    const url = route.startsWith('/') ? route : RESOURCES + route;
    return this.calls.filter((c) => c.method === method && c.url === url);
  }

  /** Push one event to Live subscribers, as the data source's stream would. */
  emit(message: unknown) {
    this.live.next({ type: LiveChannelEventType.Message, message });
  }

  install() {
    const fetch = <T>(req: BackendSrvRequest): Observable<FetchResponse<T>> => {
      const call: RecordedCall = { method: req.method ?? 'GET', url: req.url, params: req.params ?? {}, body: req.data };
      this.calls.push(call);
      const route = this.routes.get(`${call.method} ${call.url}`);
      const reply = typeof route === 'function' ? route(call) : route;
      if (!reply) return throwError(() => ({ status: 404, statusText: 'Not Found', data: { title: 'Not found', detail: `no fake for ${call.method} ${call.url}` }, config: req }));
      if (reply === 'pending') return new Observable<FetchResponse<T>>(() => undefined);
      const status = reply.status ?? 200;
      if (status >= 400) return throwError(() => ({ status, statusText: 'Error', data: reply.data, config: req }));
      return of({ data: reply.data as T, status, ok: true, headers: new Headers(), redirected: false, statusText: 'OK', type: 'basic', url: req.url, config: req });
    };
    setBackendSrv({ fetch } as unknown as BackendSrv);
    const liveSrv: Partial<GrafanaLiveSrv> = {
      getStream: <T>(addr: LiveChannelAddress) => {
        this.liveAddresses.push(addr);
        return new Observable<LiveChannelEvent<T>>((sub) => {
          sub.next({ type: LiveChannelEventType.Status, id: `ds/${addr.stream}/${addr.path}`, timestamp: Date.now(), state: LiveChannelConnectionState.Connected } as LiveChannelEvent<T>);
          const inner = this.live.subscribe((e) => sub.next(e as LiveChannelEvent<T>));
          return () => inner.unsubscribe();
        });
      },
    };
    setGrafanaLiveSrv(liveSrv as GrafanaLiveSrv);
    const ds = { uid: 'dcoc-ds', name: 'DCOC', type: 'gen3-dcoc-datasource' } as DataSourceInstanceSettings;
    setDataSourceSrv({ getList: () => [ds], getInstanceSettings: () => ds } as unknown as DataSourceSrv);
    return this;
  }
}

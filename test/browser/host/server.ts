// The Node side of the test host: serves the host page and the built
// plugin's files, and answers Grafana's backend calls by forwarding them to
// the real backend plugin executables over the plugin protocol, with a
// PluginContext for the current test user (Viewer, Editor or Admin):
//   /api/plugins/<app>/resources/*  → app CallResource
//   /api/plugins/<app>/health       → app CheckHealth
//   /__host/live?channel=ds/<uid>/… → data source SubscribeStream + RunStream (Grafana Live)
//   /api/alertmanager/grafana/api/v2/alerts → [] (the host runs no alerting)
import { readFileSync, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { pluginContext, type GrafanaHost, type OrgRole } from '../../support/grafana-host';
import type { HostBoot } from './boot-data';
import { hostPage } from './page';

export type UserRole = Exclude<OrgRole, 'None'>;

export interface HostOptions {
  dist: string;
  hostScript: string;
  app: GrafanaHost;
  datasource: GrafanaHost;
  controlUrl: string;
  pluginSecret: string;
}

const APP_ID = 'gen3-dcoc-app';
const DS_UID = 'dcoc';
const MIME: Record<string, string> = { '.js': 'application/javascript', '.json': 'application/json', '.svg': 'image/svg+xml', '.md': 'text/markdown', '.map': 'application/json' };
const NODE_MODULES = resolve(import.meta.dirname, '..', '..', '..', 'node_modules');
const SYSTEMJS = join(NODE_MODULES, 'systemjs', 'dist');
// Grafana serves @grafana/ui's icons from public/build/img/icons.
const ICONS = join(NODE_MODULES, '@grafana', 'ui', 'dist', 'public', 'img', 'icons');

interface PluginJson {
  name: string;
  includes: HostBoot['app']['includes'];
  roles: { role: { permissions: { action: string }[] }; grants: string[] }[];
}

export interface LivePacket {
  channel: string;
  user: string;
  data: unknown;
}

export class GrafanaTestHost {
  private server: Server | undefined;
  role: UserRole = 'Viewer';
  /** Every Live packet delivered to a browser, in order. */
  readonly livePackets: LivePacket[] = [];
  /** Every resource call forwarded to the app backend: method, path, status. */
  readonly resourceCalls: { method: string; path: string; status: number; user: string }[] = [];
  private readonly pluginJson: PluginJson;

  constructor(private readonly opts: HostOptions) {
    this.pluginJson = JSON.parse(readFileSync(join(opts.dist, 'plugin.json'), 'utf8')) as PluginJson;
  }

  get url(): string {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) throw new Error('host not started');
    return `http://127.0.0.1:${a.port}`;
  }

  login(): string {
    return `${this.role.toLowerCase()}-user`;
  }

  /** RBAC actions of the current user: the plugin.json roles granted to their org role (Grafana's default grants). */
  actions(): string[] {
    const granted = this.pluginJson.roles.filter((r) => r.grants.includes(this.role));
    return [...new Set(granted.flatMap((r) => r.role.permissions.map((p) => p.action)))];
  }

  private appContext() {
    return pluginContext({
      pluginId: APP_ID,
      role: this.role,
      app: { jsonData: { controlUrl: this.opts.controlUrl }, secureJsonData: { controlSecret: this.opts.pluginSecret } },
    });
  }

  private datasourceContext() {
    return pluginContext({
      pluginId: 'gen3-dcoc-datasource',
      role: this.role,
      datasource: { uid: DS_UID, name: 'DCOC', url: this.opts.controlUrl, jsonData: { controlUrl: this.opts.controlUrl }, secureJsonData: { controlSecret: this.opts.pluginSecret } },
    });
  }

  private boot(): HostBoot {
    const login = this.login();
    return {
      user: { login, name: `${this.role} User`, orgRole: this.role },
      actions: this.actions(),
      app: { id: APP_ID, name: this.pluginJson.name, includes: this.pluginJson.includes, jsonData: { controlUrl: this.opts.controlUrl } },
      datasource: { uid: DS_UID, name: 'DCOC', type: 'gen3-dcoc-datasource' },
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `test host: ${err instanceof Error ? err.message : String(err)}` }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://host');
    const path = url.pathname;
    if (path === '/__host/system.js') return this.file(res, join(SYSTEMJS, 'system.js'));
    if (path === '/__host/amd.js') return this.file(res, join(SYSTEMJS, 'extras', 'amd.js'));
    if (path === '/__host/host.js') return this.file(res, this.opts.hostScript);
    if (path === '/__host/live') return this.live(req, res, url.searchParams.get('channel') ?? '');
    if (path.startsWith(`/public/plugins/${APP_ID}/`)) {
      const rel = normalize(path.slice(`/public/plugins/${APP_ID}/`.length));
      if (rel.startsWith('..')) return this.json(res, 404, { message: 'not found' });
      return this.file(res, join(this.opts.dist, rel));
    }
    if (path.startsWith('/public/build/img/icons/')) {
      const rel = normalize(path.slice('/public/build/img/icons/'.length));
      return rel.startsWith('..') ? this.json(res, 404, { message: 'not found' }) : this.file(res, join(ICONS, rel));
    }
    // Grafana's own assets (fonts, images) are not part of the test host.
    if (path.startsWith('/public/') || path.includes('/public/fonts/')) return this.json(res, 404, { message: 'not in the test host' });
    const resourcePrefix = `/api/plugins/${APP_ID}/resources/`;
    if (path.startsWith(resourcePrefix)) return this.resource(req, res, path.slice(resourcePrefix.length), url.search);
    if (path === `/api/plugins/${APP_ID}/health`) return this.health(res);
    if (path === '/api/alertmanager/grafana/api/v2/alerts') return this.json(res, 200, []);
    if (path.startsWith('/api/')) return this.json(res, 404, { message: `the test host does not serve ${path}` });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(hostPage(this.boot()));
  }

  private file(res: ServerResponse, file: string) {
    if (!existsSync(file) || !statSync(file).isFile()) return this.json(res, 404, { message: 'not found' });
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  }

  private json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async body(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Grafana's pluginResourceRequest: path below resources/, the URL with its query, plain header names. */
  private async resource(req: IncomingMessage, res: ServerResponse, path: string, search: string) {
    const body = await this.body(req);
    const headers: Record<string, string[]> = {};
    if (req.headers['content-type']) headers['Content-Type'] = [req.headers['content-type']];
    headers.Accept = [req.headers.accept ?? '*/*'];
    const method = req.method ?? 'GET';
    const r = await this.opts.app.callResource({ pluginContext: this.appContext(), path, method, url: `${path}${search}`, headers, body });
    this.resourceCalls.push({ method, path, status: r.status, user: this.login() });
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v[0] !== undefined) out[k] = v[0];
    res.writeHead(r.status, out);
    res.end(r.body);
  }

  /** Grafana's /api/plugins/<id>/health: 200 with OK, 503 with ERROR (status and message). */
  private async health(res: ServerResponse) {
    const r = await this.opts.app.checkHealth(this.appContext());
    const status = String(r.status) === 'OK' || String(r.status) === '1' ? 'OK' : 'ERROR';
    this.json(res, status === 'OK' ? 200 : 503, { status, message: r.message });
  }

  /** Grafana Live for ds/<uid>/<path>: SubscribeStream decides, RunStream's packets go to the browser as server-sent events. */
  private async live(req: IncomingMessage, res: ServerResponse, channel: string) {
    const m = /^ds\/([^/]+)\/(.+)$/.exec(channel);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    if (!m || m[1] !== DS_UID) {
      res.end(`event: denied\ndata: ${JSON.stringify('no such channel')}\n\n`);
      return;
    }
    const path = m[2];
    const sub = await this.opts.datasource.subscribeStream({ pluginContext: this.datasourceContext(), path });
    if (String(sub.status) !== 'OK' && String(sub.status) !== '0') {
      res.end(`event: denied\ndata: ${JSON.stringify(String(sub.status))}\n\n`);
      return;
    }
    res.write('event: subscribed\ndata: {}\n\n');
    const user = this.login();
    const stream = this.opts.datasource.runStream({ pluginContext: this.datasourceContext(), path });
    let closed = false;
    req.on('close', () => {
      closed = true;
      void stream.return(undefined);
    });
    try {
      for await (const data of stream) {
        if (closed) break;
        this.livePackets.push({ channel, user, data });
        res.write(`data: ${JSON.stringify(data)}\n\n`);
      }
    } catch {
      // the browser went away or the plugin ended the stream
    }
    res.end();
  }
}

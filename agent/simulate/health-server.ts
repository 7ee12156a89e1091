// Serves every simulated service's health (and version) endpoint over real
// HTTP on loopback, with the body each Gen3 service really returns. One
// listener per commons; the service is chosen by the Host header, as the
// cluster's Service DNS name would choose it (fence-service, arborist-service).
// /__sim/* is the simulation's own control surface (effects, fault injection).
import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthTarget } from '../collectors/gen3-health';
import { GEN3_SERVICES, type Gen3Service, gen3Service, tagOf } from '../../contracts/gen3/catalog';
import { FAULTS, type Fault, type SimCommons } from './model';
import { SimRevproxy } from './sim-revproxy';

const SLOW_MS = 1200;

function healthBody(s: Gen3Service, sim: SimCommons): { type: string; body: string } {
  const env = sim.identity.environment;
  switch (s.healthRule) {
    case 'text-healthy':
      return { type: 'text/html; charset=utf-8', body: 'Healthy' };
    case 'json-string-healthy':
      return { type: 'application/json', body: JSON.stringify('Healthy') };
    case 'json-status-ok':
      return {
        type: 'application/json',
        body: JSON.stringify(s.name === 'metadata' ? { status: 'OK', timestamp: new Date().toISOString(), aggregate_metadata_enabled: false } : { status: 'OK' }),
      };
    case 'revproxy':
      return { type: 'application/json', body: JSON.stringify({ message: 'Feelin good!', csrf: randomBytes(16).toString('hex') }) };
    case 'guppy':
      return {
        type: 'application/json',
        body: JSON.stringify({
          statusCode: 200,
          warnings: null,
          indices: { [`${env}_etl`]: { aliases: { etl: {} }, arrayFields: [] }, [`${env}_file`]: { aliases: { file: {} }, arrayFields: [] } },
        }),
      };
    case 'es-cluster-health':
      return { type: 'application/json', body: JSON.stringify({ cluster_name: `${env}-es`, status: 'green', number_of_nodes: 3 }) };
    case 'http-200':
      if (s.name === 'ambassador') return { type: 'text/plain', body: 'ambassador readiness check OK' };
      return { type: 'text/html; charset=utf-8', body: SPA_SHELL };
  }
}

// What each service answers on its health path when it is unhealthy (an
// 'error' fault: up, but its check fails) and on its version path, from the
// services' own sources (bare mirrors, the commit each was read at):
//  - fence, presigned-url-fence: uc-cdis/fence d03fe036, fence/blueprints/misc.py:
//    /_status raises cdiserrors.UnhealthyCheck (code 500) when `SELECT 1` fails;
//    fence/__init__.py's errorhandler(Exception) → fence/error_handler.py renders
//    templates/error.html: 500, HTML, <title>500</title>, <h2>Internal Server
//    Error</h2> and an error id (no message for codes ≥ 500). /_version →
//    {"version", "commit"}.
//  - arborist: uc-cdis/arborist 708d9101, arborist/server.go handleHealth: a failed
//    db.Ping() → newErrorResponse("database unavailable", 500) → arborist/response.go
//    writes application/json {"error":{"message":"database unavailable","code":500}}.
//    The router has no version route (404 {"error":{"message":"not found",...}}).
//  - indexd: uc-cdis/indexd a8403f09, indexd/index/blueprint.py: the driver's
//    health_check raises UnhealthyCheck, handled as ("Unhealthy", 500), Flask's
//    text/html. /_version → {"version", "commit"}.
//  - sheepdog: uc-cdis/sheepdog 24efc2dd, sheepdog/api.py; peregrine: uc-cdis/peregrine
//    f504cc26, peregrine/api.py: /_status raises cdiserrors UnhealthyCheck("Unhealthy"),
//    which the APIError handler answers jsonify(message=...), 500 → {"message":"Unhealthy"}.
//    /_version → {"version", "commit", "dictionary": {"version", "commit"}}.
//  - metadata: uc-cdis/metadata-service c65cb59b, src/mds/main.py: GET /version →
//    version("mds"), a bare JSON string; /_status's `SELECT now()` raising is not
//    handled (no exception handlers), so Starlette's ServerErrorMiddleware answers
//    500 text/plain "Internal Server Error" (encode/starlette d1829f91,
//    starlette/middleware/errors.py).
//  - audit: uc-cdis/audit-service 0489141e, src/audit/routes/system.py; requestor:
//    uc-cdis/requestor 2a6f5b52, src/requestor/routes/system.py: /_status runs
//    `SELECT 1;` unhandled → the same Starlette 500 "Internal Server Error";
//    /_version → {"version"}.
//  - wts: uc-cdis/workspace-token-service df0a6fd4, wts/api.py: /_status returns
//    ("Unhealthy", 500), text/html; /_version → {"version", "commit"}.
//  - manifestservice: uc-cdis/manifestservice 2d9eb2c4, manifestservice/api.py:
//    /_status returns "Healthy" unconditionally and there is no version route; the
//    service has no failure answer of its own, so an 'error' fault gives Flask's
//    default 500 page (no error handlers registered).
//  - hatchery: uc-cdis/hatchery 24f55bc3, hatchery/system.go; sower: uc-cdis/sower
//    13fd6e58, handlers/system.go: /_status writes "Healthy" unconditionally;
//    /_version → {"commit", "version"} written without a Content-Type (Go sniffs
//    text/plain). ssjdispatcher: uc-cdis/ssjdispatcher 37d64554, handlers/system.go:
//    /_status only, no version route. None of the three has a failure branch, so an
//    'error' fault answers net/http's generic http.Error shape (text/plain
//    "Internal Server Error\n"): a sim choice, not observed from these services.
//  - guppy: uc-cdis/guppy 7ffc5878, src/server/server.js + endpoints.js: /_version →
//    {"version", "commit"}; a failed Elasticsearch call reaches the /_status error
//    handler, whose parameters are misordered ((req, res, err, next) where Express
//    passes (err, req, res, next)), so it throws and Express's finalhandler answers
//    (pillarjs/finalhandler d925d442, index.js): 500, text/html, a minimal document
//    with <pre>Internal Server Error</pre> (NODE_ENV=production in gen3-helm
//    42cc46bc helm/guppy/templates/deployment.yaml, so no stack).
//  - revproxy: uc-cdis/gen3-helm 42cc46bc, helm/revproxy/nginx/nginx.conf: `location
//    = /_status` is nginx's own `return 200` (it cannot fail while nginx is up); its
//    failure answer is `error_page 500 501 502 503 504 @5xx` → `return 500 "{
//    \"error\": \"service failure - try again later\"}"` (default_type
//    application/octet-stream). No /_version location: the path falls through to
//    `location /` (gen3.nginx.conf/portal-as-root/portal-service.conf), the portal.
//  - portal: uc-cdis/data-portal 0d28c208, nginx.conf: static files, `location /`
//    try_files $uri /index.html, so /_version (any extension-less path) is the SPA's
//    index.html, 200. No error_page: a failure is nginx's built-in 500 page
//    (server_tokens off: "nginx" without a version).
//  - not verified (repository not available here, or not a Gen3 source):
//    ambassador, frontend-framework (uc-cdis/frontend-framework has no snapshot),
//    aws-es-proxy, aws-sigv4-proxy: no version endpoint is served and their failure
//    answer is left as it was (the Werkzeug 500 page).

const WERKZEUG_500 = {
  type: 'text/html; charset=utf-8',
  body: '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n',
};

const STARLETTE_500 = { type: 'text/plain; charset=utf-8', body: 'Internal Server Error' };

const SPA_SHELL = '<!doctype html><html><head><title>Gen3 Data Commons</title></head><body><div id="root"></div></body></html>';

/** fence's templates/error.html as rendered for a 5xx: the status, its reason, an error id, no message. */
function fenceErrorPage(): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="utf-8">',
    '    <title>500</title>',
    '  </head>',
    '  <body>',
    '    <main>',
    '      <div class="error-page">',
    '        <div class="error-page__banner"><h1>Gen3 Data Commons</h1></div>',
    '        <div class="error-page__status-code"><div class="error-page__status-code-text"><h1>500</h1><h2>Internal Server Error</h2></div></div>',
    '        <div class="error-page__information">',
    '          <p class="body">Error Identifier:</p>',
    `          <p class="introduction">${randomUUID()}</p>`,
    '          <div><p class="body">Please try again!</p></div>',
    '        </div>',
    '      </div>',
    '    </main>',
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * How a running Gen3 service answers its health check when it is unhealthy
 * (a database or Elasticsearch it cannot reach): status, Content-Type and body
 * as the service's own code produces them (sources above).
 */
export function failureBody(s: Gen3Service): { status: number; type: string; body: string } {
  switch (s.name) {
    case 'fence':
    case 'presigned-url-fence':
      return { status: 500, type: 'text/html; charset=utf-8', body: fenceErrorPage() };
    case 'arborist':
      return { status: 500, type: 'application/json', body: JSON.stringify({ error: { message: 'database unavailable', code: 500 } }) };
    case 'indexd':
    case 'wts':
      return { status: 500, type: 'text/html; charset=utf-8', body: 'Unhealthy' };
    case 'sheepdog':
    case 'peregrine':
      return { status: 500, type: 'application/json', body: `${JSON.stringify({ message: 'Unhealthy' })}\n` };
    case 'metadata':
    case 'audit':
    case 'requestor':
      return { status: 500, ...STARLETTE_500 };
    case 'hatchery':
    case 'sower':
    case 'ssjdispatcher':
      return { status: 500, type: 'text/plain; charset=utf-8', body: 'Internal Server Error\n' };
    case 'guppy':
      return {
        status: 500,
        type: 'text/html; charset=utf-8',
        body: '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Internal Server Error</pre>\n</body>\n</html>\n',
      };
    case 'revproxy':
      return { status: 500, type: 'application/octet-stream', body: '{ "error": "service failure - try again later"}' };
    case 'portal':
      return { status: 500, type: 'text/html', body: '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n' };
    default:
      // manifestservice (Flask, no handlers); ambassador, frontend-framework, aws-es-proxy, aws-sigv4-proxy: not verified.
      return { status: 500, ...WERKZEUG_500 };
  }
}

/** The service's own version answer (sources above), or null if it has none. */
function versionAnswer(s: Gen3Service, sim: SimCommons): { type: string; body: string } | null {
  if (!s.versionPath) return null;
  const version = tagOf(sim.workload(s.name).image);
  const commit = randomBytes(20).toString('hex');
  switch (s.name) {
    case 'metadata':
      return { type: 'application/json', body: JSON.stringify(version) };
    case 'audit':
    case 'requestor':
      return { type: 'application/json', body: JSON.stringify({ version }) };
    case 'sheepdog':
    case 'peregrine':
      return { type: 'application/json', body: JSON.stringify({ version, commit, dictionary: { version: '', commit: '' } }) };
    case 'hatchery':
    case 'sower':
      return { type: 'text/plain; charset=utf-8', body: JSON.stringify({ commit, version }) };
    case 'guppy':
      return { type: 'application/json; charset=utf-8', body: JSON.stringify({ version, commit }) };
    default:
      return { type: 'application/json', body: JSON.stringify({ version, commit }) };
  }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      try {
        resolve(JSON.parse(body || '{}') as Record<string, unknown>);
      } catch {
        resolve({});
      }
    });
  });
}

/** A request a simulated service answered, for its pod's log (sim-activity.ts). */
export type OnServed = (service: string, r: { method: string; path: string; status: number; bytes: number; durationMs: number; userAgent: string }) => void;

export class SimHealthServer {
  private server: Server | null = null;
  port = 0;
  /** Public paths under /revproxy/ go through the simulated revproxy (sim-revproxy.ts). */
  readonly revproxy: SimRevproxy;

  constructor(
    private readonly sim: SimCommons,
    private readonly onServed: OnServed = () => {},
  ) {
    this.revproxy = new SimRevproxy(sim);
  }

  async start(port = 0): Promise<number> {
    // A request it cannot answer drops the connection, as a crashing service's would.
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** Targets the health collector probes: cluster-style URLs, connected to this listener. */
  targets = (services: string[]): HealthTarget[] =>
    services.flatMap((name) => {
      const s = gen3Service(name);
      if (!s) return [];
      return [{ service: name, url: `http://${s.k8sService}${s.servicePort === 80 ? '' : `:${s.servicePort}`}${s.healthPath}`, connect: { host: '127.0.0.1', port: this.port }, rule: s.healthRule }];
    });

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname.startsWith('/__sim/')) return this.control(req, res, url.pathname);
    if (url.pathname.startsWith('/revproxy/')) return this.revproxy.handle(req, res, (req.url ?? '/').slice('/revproxy'.length));
    const host = (req.headers.host ?? '').split(':')[0];
    const spec = GEN3_SERVICES.find((s) => s.k8sService === host);
    if (!spec || !this.sim.has(spec.name)) {
      res.writeHead(404).end('no such service');
      return;
    }
    const { ready, fault } = this.sim.serving(spec.name);
    // A Service with no ready endpoint refuses the connection.
    if (ready === 0 || fault === 'down' || fault === 'crashloop') {
      req.socket.destroy();
      return;
    }
    const began = Date.now();
    if (fault === 'slow') await new Promise((r) => setTimeout(r, SLOW_MS));
    const answer = (status: number, headers: Record<string, string>, body: string): void => {
      res.writeHead(status, headers).end(body);
      // The pod that answered logs the request (bounded in sim-activity.ts).
      this.onServed(spec.name, {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').slice(0, 2048),
        status,
        bytes: Buffer.byteLength(body),
        durationMs: Date.now() - began,
        userAgent: String(req.headers['user-agent'] ?? '').slice(0, 512),
      });
    };
    // The probe path may carry a query (sheepdog's /_status?timeout=2); the service answers its path whatever the query.
    if (url.pathname === new URL(spec.healthPath, 'http://sim').pathname) {
      if (fault === 'error') {
        const { status, type, body } = failureBody(spec);
        answer(status, { 'Content-Type': type }, body);
      } else {
        const { type, body } = healthBody(spec, this.sim);
        answer(200, { 'Content-Type': type }, body);
      }
      return;
    }
    const version = url.pathname === spec.versionPath ? versionAnswer(spec, this.sim) : null;
    if (version) {
      answer(200, { 'Content-Type': version.type }, version.body);
      return;
    }
    // The portal's nginx answers any extension-less path with the SPA's index.html;
    // revproxy's `location /` hands such paths to the portal.
    if ((spec.name === 'portal' || spec.name === 'revproxy') && !/\.[^/]*$/.test(url.pathname)) {
      answer(200, { 'Content-Type': 'text/html' }, SPA_SHELL);
      return;
    }
    answer(404, {}, 'not found');
  }

  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && path === '/__sim/state') {
      return json(200, {
        identity: this.sim.identity,
        release: this.sim.release,
        config: this.sim.config,
        configWrites: this.sim.configWrites,
        networkCut: this.sim.networkCut,
        services: this.sim.effects(),
      });
    }
    if (req.method === 'POST' && path === '/__sim/fault') {
      const body = await readJson(req);
      const service = String(body.service ?? '');
      const fault = String(body.fault ?? '') as Fault;
      if (!this.sim.has(service)) return json(404, { error: `no service ${service}` });
      if (!FAULTS.includes(fault)) return json(400, { error: `fault must be one of ${FAULTS.join(', ')}` });
      this.sim.inject(service, fault);
      return json(200, { service, fault });
    }
    if (req.method === 'POST' && path === '/__sim/log') {
      // A line written by every pod of a service (or one pod), as its container would write it.
      const body = await readJson(req);
      const service = String(body.service ?? '');
      const text = typeof body.text === 'string' ? body.text.slice(0, 16_384) : '';
      if (!this.sim.has(service)) return json(404, { error: `no service ${service}` });
      if (!text) return json(400, { error: 'text must be a non-empty string' });
      const pods = this.sim.podNames(service).filter((p) => body.pod === undefined || p === body.pod);
      const timeMs = Date.now();
      for (const pod of pods) this.sim.logs.append(pod, service, text, timeMs);
      return json(200, { service, pods, timeMs });
    }
    if (req.method === 'POST' && path === '/__sim/revproxy-log') {
      // Lines as revproxy's pods would write them (round-robin), e.g. a flood of odd access lines.
      const body = await readJson(req);
      const lines = Array.isArray(body.lines) ? body.lines.filter((l): l is string => typeof l === 'string').slice(0, 10_000).map((l) => l.slice(0, 16_384)) : [];
      if (!lines.length) return json(400, { error: 'lines must be a non-empty array of strings (at most 10,000)' });
      const pods = this.revproxy.appendLines(lines);
      if (!pods.length) return json(404, { error: 'the commons has no revproxy pod' });
      return json(200, { lines: lines.length, pods });
    }
    if (req.method === 'POST' && path === '/__sim/network') {
      const body = await readJson(req);
      this.sim.networkCut = body.cut === true;
      this.sim.emit('network', this.sim.networkCut);
      return json(200, { networkCut: this.sim.networkCut });
    }
    json(404, { error: 'unknown simulation endpoint' });
  }
}

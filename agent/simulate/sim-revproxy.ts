// The simulated commons' revproxy: a request to a public path is routed the
// way gen3-helm's nginx routes it (uc-cdis/gen3-helm 42cc46bc,
// helm/revproxy/nginx/nginx.conf and helm/revproxy/gen3.nginx.conf/*.conf, the
// portal-as-root variant), answered from the target service's simulated state,
// and written as an access line in the real `log_format json` to one of
// revproxy's pods' logs (round-robin), which the agent then reads back
// through pods/log like any other log.
//
// How nginx answers, per nginx.conf: `error_page 500 501 502 503 504 @5xx`
// with `proxy_intercept_errors on`, and `location @5xx { return 500 ... }`, so
// an upstream that fails (500), refuses the connection (502) or does not
// resolve (a chart that is off: its location is still mounted from the
// revproxy-nginx-subconf ConfigMap, templates/configMaps.yaml) is logged as
// 500. `location = /_status` and health checkers' user agents ($loggable) are
// not logged. Only the locations of the services DCOC knows are modelled; any
// other path falls to `location /`, the portal.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gen3Service } from '../../contracts/gen3/catalog';
import type { SimCommons } from './model';

/** Where a public path goes: the service, its $proxy_service, and the $upstream host (null: nginx answers itself). */
export interface Route {
  service: string | null;
  proxyService: string;
  upstreamHost: string | null;
  /** The upstream's path suffix as the location writes it (peregrine's /_status, /_version). */
  upstreamPath?: string;
  /** Not written to the access log (`access_log off`). */
  unlogged?: boolean;
}

const to = (service: string, proxyService: string, upstreamHost = `${service}-service`, upstreamPath?: string): Route => ({ service, proxyService, upstreamHost, upstreamPath });

// `location = ...` (exact).
const EXACT: Record<string, Route> = {
  '/_status': { service: null, proxyService: 'noproxy', upstreamHost: null, unlogged: true },
  '/authz': to('arborist', 'arborist'),
  '/authz/resources': to('arborist', 'arborist'),
  '/authz/mapping': to('arborist', 'arborist'),
  '/authz/policy': to('arborist', 'arborist'),
};

// `location ~ ...` (regex, checked in file order after the longest prefix, which they beat).
const REGEX: [RegExp, Route][] = [
  [/\/ga4gh\/drs\/v1\/objects\/(.*)\/access/, to('presigned-url-fence', 'presigned-url-fence')], // fence-service-ga4gh.conf
  [/\/ga4gh\/drs\/v1\/objects\/access/, to('presigned-url-fence', 'presigned-url-fence')],
  [/^\/ff($|\/)/, to('frontend-framework', 'frontend-framework')], // portal-as-root/frontend-framework-service.conf
];

// `location /prefix` (the longest matching one wins).
const PREFIX: [string, Route][] = [
  ['/user/', to('fence', 'fence')], // fence-service.conf
  ['/user/register', to('fence', 'fence')],
  ['/user/data/download', to('presigned-url-fence', 'presigned-url-fence')],
  ['/.well-known/', to('fence', 'fence')],
  ['/ga4gh/', to('indexd', 'indexd')], // indexd-service.conf
  ['/index/', to('indexd', 'indexd')],
  ['/index-admin/', to('indexd', 'indexd')],
  // sheepdog-service.conf sets no $proxy_service: the line says "noproxy", with sheepdog's upstream.
  ['/api/', to('sheepdog', 'noproxy')],
  ['/api/search', to('peregrine', 'peregrine')], // peregrine-service.conf
  ['/api/v0/submission/graphql', to('peregrine', 'peregrine', 'peregrine-service', '/v0/submission/graphql')],
  ['/api/v0/submission/getschema', to('peregrine', 'peregrine', 'peregrine-service', '/v0/submission/getschema')],
  ['/peregrine/_status', to('peregrine', 'peregrine', 'peregrine-service', '/_status')],
  ['/peregrine/_version', to('peregrine', 'noproxy', 'peregrine-service', '/_version')],
  ['/mds/', to('metadata', 'metadata-service')], // metadata-service.conf
  ['/mds-admin/', to('metadata', 'metadata-service')],
  ['/audit/', to('audit', 'audit-service')], // audit-service.conf
  ['/manifests/', to('manifestservice', 'manifestservice')],
  ['/wts/', to('wts', 'wts', 'workspace-token-service')], // workspace-token-service.conf
  ['/lw-workspace/', to('hatchery', 'hatchery')], // hatchery-service.conf
  ['/lw-workspace/proxy/', to('ambassador', 'ambassador')], // ambassador-service.conf
  ['/guppy/', to('guppy', 'guppy')],
  ['/requestor/', to('requestor', 'requestor-service')],
  ['/job/', to('sower', 'sower')],
  ['/canary', { service: null, proxyService: 'noproxy', upstreamHost: null }], // nginx.conf: `return 200` html
  ['/', to('portal', 'portal')], // portal-as-root/portal-service.conf
];

/** The location nginx picks for `path` (no query). */
export function routeOf(path: string): Route {
  if (EXACT[path]) return EXACT[path];
  let best: [string, Route] | null = null;
  for (const p of PREFIX) if (path.startsWith(p[0]) && (!best || p[0].length > best[0].length)) best = p;
  for (const [re, r] of REGEX) if (re.test(path)) return r;
  return best![1];
}

/** nginx's default access-log escaping: `"`, `\` and bytes outside 0x20..0x7E become \xHH; an empty value is `-`. */
export function nginxEscape(v: string): string {
  if (v === '') return '-';
  let out = '';
  for (const b of Buffer.from(v, 'utf8')) {
    out += b === 0x22 || b === 0x5c || b < 0x20 || b > 0x7e ? `\\x${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}

/** nginx.conf `map $http_user_agent $loggable`: health checkers are not logged. */
export function loggable(userAgent: string): boolean {
  return !(userAgent === 'ELB-HealthChecker/2.0' || /^Uptime-Kuma/.test(userAgent) || /^kube-probe/.test(userAgent) || /GoogleStackdriverMonitoring/.test(userAgent));
}

export interface AccessFacts {
  timeMs: number;
  requestId: string;
  clientIp: string;
  bytes: number;
  seconds: number;
  status: number;
  requestUri: string;
  method: string;
  referer: string;
  userAgent: string;
  upstream: string;
  proxyService: string;
  protocol: string;
}

/** $time_iso8601: local time with offset, no fraction (the simulator runs in UTC). */
const iso8601 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** One line exactly as `log_format json` writes it. */
export function accessLine(f: AccessFacts): string {
  const q = nginxEscape;
  return (
    `{"gen3log": "nginx", "date_access": "${iso8601(f.timeMs)}", "user_id": "uid:null,unknown@unknown", "request_id": "${f.requestId}", ` +
    `"session_id": "${f.requestId}", "visitor_id": "${f.requestId}", "network_client_ip": "${q(f.clientIp)}", "network_bytes_write": ${f.bytes}, ` +
    `"response_secs": ${f.seconds.toFixed(3)}, "http_status_code": ${f.status}, "http_request": "${q(f.requestUri)}", "http_verb": "${q(f.method)}", ` +
    `"http_referer": "${q(f.referer)}", "http_useragent": "${q(f.userAgent)}", "http_upstream": "${q(f.upstream)}", "proxy_service": "${q(f.proxyService)}", ` +
    `"message": "${q(`${f.method} ${f.requestUri} ${f.protocol}`)}" }`
  );
}

const FAILURE = '{ "error": "service failure - try again later"}';
/** How long a 'slow' service takes, as the health endpoints' (health-server.ts). */
const SLOW_MS = 1200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SimRequest {
  method: string;
  /** The request URI as sent: path and query. */
  uri: string;
  userAgent?: string;
  referer?: string;
  clientIp?: string;
}

export interface SimAnswer {
  status: number;
  type: string;
  body: string;
  route: Route;
}

export class SimRevproxy {
  private next = 0;
  private traffic: NodeJS.Timeout | null = null;

  constructor(private readonly sim: SimCommons) {}

  /** Answers one request as revproxy would and logs it; null when revproxy is not serving (the connection is refused). */
  async exchange(req: SimRequest): Promise<SimAnswer | null> {
    const started = process.hrtime.bigint();
    if (!this.sim.has('revproxy')) return null;
    const self = this.sim.serving('revproxy');
    if (self.ready === 0 || self.fault === 'down' || self.fault === 'crashloop') return null;
    const path = req.uri.split('?')[0] || '/';
    const route = routeOf(path);
    const answer = await this.answer(route, self.fault);
    if (!route.unlogged && loggable(req.userAgent ?? '')) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.log({
        timeMs: Date.now(),
        requestId: randomBytes(16).toString('hex'),
        clientIp: req.clientIp ?? '10.0.0.1',
        bytes: Buffer.byteLength(answer.body),
        seconds,
        status: answer.status,
        requestUri: req.uri,
        method: req.method,
        referer: req.referer ?? '',
        userAgent: req.userAgent ?? '',
        upstream: route.upstreamHost ? `http://${route.upstreamHost}.${this.sim.identity.namespace}.svc.cluster.local${route.upstreamPath ?? ''}` : '',
        proxyService: route.proxyService,
        protocol: 'HTTP/1.1',
      });
    }
    return answer;
  }

  private async answer(route: Route, revproxyFault: string): Promise<SimAnswer> {
    const fail = (): SimAnswer => ({ status: 500, type: 'application/octet-stream', body: FAILURE, route });
    if (revproxyFault === 'slow') await sleep(SLOW_MS);
    if (revproxyFault === 'error') return fail();
    if (route.unlogged) return { status: 200, type: 'application/json', body: `{ "message": "Feelin good!", "csrf": "${randomBytes(16).toString('hex')}" }\n`, route };
    if (!route.service) return { status: 200, type: 'text/html', body: '<html><body>You are running the Helm version of this commons</body></html>', route };
    // A chart that is off: its Service name does not resolve (502 → @5xx).
    if (!this.sim.has(route.service) || !gen3Service(route.service)) return fail();
    const { ready, fault } = this.sim.serving(route.service);
    if (ready === 0 || fault === 'down' || fault === 'crashloop') return fail();
    // A service's own time to answer: a few milliseconds, or SLOW_MS when it is slow.
    await sleep(fault === 'slow' ? SLOW_MS : 1 + Math.floor(Math.random() * 20));
    if (fault === 'error') return fail();
    return { status: 200, type: 'application/json', body: '{}', route };
  }

  /** Writes lines to revproxy's pods, round-robin, as they are; returns the pods. */
  appendLines(lines: readonly string[]): string[] {
    const pods = this.sim.podNames('revproxy');
    if (!pods.length) return [];
    const now = Date.now();
    for (const text of lines) this.sim.logs.append(pods[this.next++ % pods.length], 'revproxy', text, now);
    return pods;
  }

  private log(f: AccessFacts): void {
    const pods = this.sim.podNames('revproxy');
    if (!pods.length) return;
    const pod = pods[this.next++ % pods.length];
    this.sim.logs.append(pod, 'revproxy', accessLine(f), f.timeMs);
  }

  /** Serves `uri` (the public path after the /revproxy mount) over HTTP. */
  async handle(req: IncomingMessage, res: ServerResponse, uri: string): Promise<void> {
    const a = await this.exchange({
      method: req.method ?? 'GET',
      uri,
      userAgent: req.headers['user-agent'],
      referer: req.headers.referer,
      clientIp: String(req.headers['x-forwarded-for'] ?? '').split(',')[0].trim() || req.socket.remoteAddress,
    });
    if (!a) {
      req.socket.destroy();
      return;
    }
    res.writeHead(a.status, { 'Content-Type': a.type, 'X-Sim-Service': a.route.service ?? 'revproxy' }).end(a.body);
  }

  /** Sends `rps` requests a second over the public paths of the services the commons runs (the demo's traffic); 0 stops. */
  setTraffic(rps: number): void {
    if (this.traffic) clearInterval(this.traffic);
    this.traffic = null;
    if (!(rps > 0)) return;
    const everyMs = Math.max(10, Math.round(1000 / rps));
    this.traffic = setInterval(() => {
      const paths = TRAFFIC.filter(([, svc]) => svc === null || this.sim.has(svc));
      const [uri, , method] = paths[Math.floor(Math.random() * paths.length)];
      void this.exchange({ method: method ?? 'GET', uri, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) gen3-sim-traffic', clientIp: `10.0.${Math.floor(Math.random() * 4)}.${1 + Math.floor(Math.random() * 250)}` }).catch(() => undefined);
    }, everyMs);
    this.traffic.unref?.();
  }
}

/** What the demo's users request: [uri, service it reaches (null: revproxy itself), method]. */
const TRAFFIC: [string, string | null, string?][] = [
  ['/', 'portal'],
  ['/login', 'portal'],
  ['/user/user', 'fence'],
  ['/user/credentials/api/access_token', 'fence', 'POST'],
  ['/user/data/download/dg.4503/2c1e6b2b-5c3a-4e1c-8f9e-0a1b2c3d4e5f', 'presigned-url-fence'],
  ['/ga4gh/drs/v1/objects/dg.4503/2c1e6b2b/access/s3', 'presigned-url-fence'],
  ['/index/index?limit=20', 'indexd'],
  ['/ga4gh/drs/v1/objects/dg.4503/2c1e6b2b', 'indexd'],
  ['/authz/mapping', 'arborist'],
  ['/authz?resource=/programs&method=read&service=peregrine', 'arborist'],
  ['/api/v0/submission/program1/project1', 'sheepdog'],
  ['/api/v0/submission/graphql', 'peregrine', 'POST'],
  ['/mds/metadata?data=True&limit=50', 'metadata'],
  ['/wts/token/?idp=default', 'wts'],
  ['/manifests/', 'manifestservice'],
  ['/lw-workspace/status', 'hatchery'],
  ['/guppy/graphql', 'guppy', 'POST'],
  ['/audit/log/presigned_url', 'audit'],
  ['/requestor/request/user', 'requestor'],
  ['/job/list', 'sower'],
  ['/ff/', 'frontend-framework'],
  ['/canary', null],
];

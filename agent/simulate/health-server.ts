// Serves every simulated service's health (and version) endpoint over real
// HTTP on loopback, with the body each Gen3 service really returns. One
// listener per commons; the service is chosen by the Host header, as the
// cluster's Service DNS name would choose it (fence-service, arborist-service).
// /__sim/* is the simulation's own control surface (effects, fault injection).
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthTarget } from '../collectors/gen3-health';
import { GEN3_SERVICES, type Gen3Service, gen3Service } from '../gen3/catalog';
import { FAULTS, type Fault, type SimCommons } from './model';

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
      return { type: 'text/html; charset=utf-8', body: '<!doctype html><html><head><title>Gen3 Data Commons</title></head><body><div id="root"></div></body></html>' };
  }
}

/**
 * How a running Gen3 service answers its health check when it is unhealthy
 * (a database it cannot reach): the Flask services (fence, indexd, sheepdog,
 * peregrine, manifestservice) with Werkzeug's 500 page, arborist with a JSON
 * error, wts with a bare "Unhealthy", the FastAPI services with their status.
 */
export function failureBody(s: Gen3Service): { type: string; body: string } {
  switch (s.name) {
    case 'arborist':
      return { type: 'application/json', body: JSON.stringify({ error: { message: 'could not reach the database: dial tcp: connection refused', code: 500 } }) };
    case 'wts':
      return { type: 'text/html; charset=utf-8', body: 'Unhealthy' };
    case 'metadata':
    case 'audit':
    case 'requestor':
      return { type: 'application/json', body: JSON.stringify({ status: 'ERROR', detail: 'database unavailable' }) };
    case 'revproxy':
      return { type: 'text/html', body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n' };
    default:
      return {
        type: 'text/html; charset=utf-8',
        body: '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n',
      };
  }
}

function versionBody(s: Gen3Service, sim: SimCommons): string | null {
  const version = sim.workload(s.name).image.split(':').pop() ?? '';
  if (s.name === 'metadata') return JSON.stringify(version); // MDS: GET /version, a bare string
  return JSON.stringify({ version, commit: randomBytes(20).toString('hex') });
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

export class SimHealthServer {
  private server: Server | null = null;
  port = 0;

  constructor(private readonly sim: SimCommons) {}

  async start(port = 0): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
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
    if (fault === 'slow') await new Promise((r) => setTimeout(r, SLOW_MS));
    // The probe path may carry a query (sheepdog's /_status?timeout=2); the service answers its path whatever the query.
    if (url.pathname === new URL(spec.healthPath, 'http://sim').pathname) {
      const failing = fault === 'error';
      const { type, body } = failing ? failureBody(spec) : healthBody(spec, this.sim);
      res.writeHead(failing ? (spec.name === 'revproxy' ? 502 : 500) : 200, { 'Content-Type': type }).end(body);
      return;
    }
    const versionPath = spec.name === 'metadata' ? '/version' : '/_version';
    if (url.pathname === versionPath && spec.healthRule !== 'http-200' && spec.healthRule !== 'es-cluster-health') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(versionBody(spec, this.sim));
      return;
    }
    res.writeHead(404).end('not found');
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
    if (req.method === 'POST' && path === '/__sim/network') {
      const body = await readJson(req);
      this.sim.networkCut = body.cut === true;
      this.sim.emit('network', this.sim.networkCut);
      return json(200, { networkCut: this.sim.networkCut });
    }
    json(404, { error: 'unknown simulation endpoint' });
  }
}

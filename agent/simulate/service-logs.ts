// What each simulated Gen3 service writes to its container log, in the real
// service's format: a few lines when its container starts, a line per request
// it answers (where the real one logs requests), the error it logs when its
// health check fails, and the crash that ends a crash-looping container.
// Sources (bare mirrors; the commit each was read at):
//  - cdislogging (uc-cdis/cdislogging 042b0ff2, cdislogging/__init__.py):
//    '[%(asctime)s][%(name)10s][%(levelname)7s] %(message)s', to stdout.
//  - gunicorn's own lines: its default error log format
//    '[%Y-%m-%d %H:%M:%S %z] [pid] [LEVEL] msg' (gunicorn/glogging.py); fence,
//    indexd, sheepdog, peregrine, wts, manifestservice run
//    `gunicorn -c deployment/wsgi/gunicorn.conf.py` behind nginx
//    (uc-cdis/fence d03fe036 dockerrun.bash, gunicorn.conf.py: workers 1,
//    preload_app; uc-cdis/indexd a8403f09 likewise). metadata (uc-cdis/metadata-service
//    c65cb59b), audit (uc-cdis/audit-service 0489141e) and requestor (uc-cdis/requestor
//    2a6f5b52) use worker_class uvicorn.workers.UvicornWorker; metadata's
//    CDISLogger also puts gunicorn's loggers in the cdislogging format.
//  - the requests those Python services answer: nginx in the same container logs
//    them to stdout as `{"gen3log": "nginx", ...}` (uc-cdis/cloud-automation e53ef3ad,
//    Docker/python-nginx/python3.10-buster/nginx.conf log_format json; the
//    amazonlinux-base image the services now build on is not mirrored here, so
//    that it keeps this format is not verified). portal: uc-cdis/data-portal
//    0d28c208 nginx.conf, the same format with "http_response_time" as a string.
//    nginx writes "-" for an empty variable.
//  - fence's failing /_status: fence/blueprints/misc.py raises UnhealthyCheck,
//    fence/error_handler.py logs "500 HTTP error occurred. ID: ...\nDetails: ...\nTraceback: ..."
//    through logger fence.error_handler.
//  - arborist (uc-cdis/arborist 708d9101): main.go log.New(os.Stdout, "", Ldate|Ltime)
//    ("arborist serving at :8080"), requests through gorilla's CombinedLoggingHandler
//    (arborist/server.go MakeRouter), a failed ping logs
//    "server.go:221: ERROR: database ping failed; returning unhealthy" (logging.go logMsg).
//  - hatchery (uc-cdis/hatchery 24f55bc3 main.go): "Setting up routes", "Running main",
//    no request log. sower (uc-cdis/sower 13fd6e58 main.go): apex/log text handler,
//    "Server started" (written here without the handler's colour codes). ssjdispatcher
//    (uc-cdis/ssjdispatcher 37d64554): glog, whose INFO lines go to files, so its
//    container log shows only errors.
//  - guppy (uc-cdis/guppy 7ffc5878 src/server/logger.js): "[HH:MM:SS] LEVEL: msg";
//    src/server/server.js "[Server] guppy listening on port 8000!"; no request log.
//  - A Starlette app's unhandled exception: uvicorn logs "Exception in ASGI application"
//    and the traceback (uvicorn/protocols/http/h11_impl.py).
// Not verified (made plausible, marked where used): the exact traceback frames, the
// crash of a container that cannot reach its database at startup, revproxy's and
// portal's startup lines, ambassador, frontend-framework, aws-es-proxy and
// aws-sigv4-proxy. revproxy's request lines are the simulated revproxy's access
// log (sim-revproxy.ts), not written here.
import { randomInt, randomUUID } from 'node:crypto';

/** Where gen3-helm's services find PostgreSQL: `<release>-postgresql` (helm/common/templates/_postgres_secrets.tpl 42cc46bc), for a release named gen3. */
const DB_HOST = 'gen3-postgresql';
/** helm/guppy/values.yaml 42cc46bc esEndpoint. */
const ES_ENDPOINT = 'gen3-elasticsearch-master:9200';

export interface ServedRequest {
  method: string;
  path: string;
  status: number;
  bytes: number;
  durationMs: number;
  userAgent: string;
  clientIp: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parts(ms: number) {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds() };
}
/** Python logging's asctime: 2025-06-01 12:00:00,123 (containers run in UTC). */
export const asctime = (ms: number) => {
  const p = parts(ms);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)},${pad(p.ms, 3)}`;
};
const gunicornTime = (ms: number) => {
  const p = parts(ms);
  return `[${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)} +0000]`;
};
const goTime = (ms: number) => {
  const p = parts(ms);
  return `${p.y}/${pad(p.mo)}/${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
};
const clfTime = (ms: number) => {
  const p = parts(ms);
  return `${pad(p.d)}/${MONTHS[p.mo - 1]}/${p.y}:${pad(p.h)}:${pad(p.mi)}:${pad(p.s)} +0000`;
};
const isoTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
const clock = (ms: number) => {
  const p = parts(ms);
  return `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
};
const glogTime = (ms: number) => {
  const p = parts(ms);
  return `${pad(p.mo)}${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}${pad(randomInt(1000), 3)}`;
};

/** A cdislogging line: logger name right-aligned in 10, level in 7. */
export const cdis = (ms: number, name: string, level: string, msg: string) => `[${asctime(ms)}][${name.padStart(10)}][${level.padStart(7)}] ${msg}`;
const gunicorn = (ms: number, pid: number, level: string, msg: string) => `${gunicornTime(ms)} [${pid}] [${level}] ${msg}`;

type Family = 'flask' | 'asgi' | 'arborist' | 'hatchery' | 'sower' | 'ssjdispatcher' | 'guppy' | 'portal' | 'revproxy' | 'other';

const FAMILY: Record<string, Family> = {
  fence: 'flask',
  'presigned-url-fence': 'flask',
  indexd: 'flask',
  sheepdog: 'flask',
  peregrine: 'flask',
  wts: 'flask',
  manifestservice: 'flask',
  metadata: 'asgi',
  audit: 'asgi',
  requestor: 'asgi',
  arborist: 'arborist',
  hatchery: 'hatchery',
  sower: 'sower',
  ssjdispatcher: 'ssjdispatcher',
  guppy: 'guppy',
  portal: 'portal',
  revproxy: 'revproxy',
};

/** The Python package each service logs as (cdislogging's logger name `__name__`). */
const PY_NAME: Record<string, string> = {
  fence: 'fence',
  'presigned-url-fence': 'fence',
  indexd: 'indexd',
  sheepdog: 'sheepdog',
  peregrine: 'peregrine',
  wts: 'wts',
  manifestservice: 'manifestservice',
  metadata: 'mds',
  audit: 'audit',
  requestor: 'requestor',
};

const familyOf = (service: string): Family => FAMILY[service] ?? 'other';

/** The lines a service's container writes as it starts, oldest first, spread over a second or two from `startMs`. */
export function startupLines(service: string, startMs: number): Array<{ timeMs: number; text: string }> {
  const at = (dt: number, text: string) => ({ timeMs: startMs + dt, text });
  const master = 7;
  const worker = 8 + randomInt(4);
  switch (familyOf(service)) {
    case 'flask': {
      const name = PY_NAME[service]!;
      // preload_app: the app is imported (and logs) before gunicorn starts its worker.
      const app = service === 'fence' || service === 'presigned-url-fence' ? [at(400, cdis(startMs + 400, name, 'INFO', 'Prometheus metrics are NOT enabled.'))] : [];
      return [
        ...app,
        at(600, gunicorn(startMs + 600, master, 'INFO', 'Starting gunicorn 23.0.0')),
        at(601, gunicorn(startMs + 601, master, 'INFO', `Listening at: http://0.0.0.0:8000 (${master})`)),
        at(601, gunicorn(startMs + 601, master, 'INFO', 'Using worker: sync')),
        at(605, gunicorn(startMs + 605, worker, 'INFO', `Booting worker with pid: ${worker}`)),
      ];
    }
    case 'asgi': {
      // metadata's CDISLogger writes gunicorn's own lines in the cdislogging format.
      const g = service === 'metadata' ? (ms: number, _pid: number, level: string, msg: string) => cdis(ms, 'gunicorn.error', level, msg) : gunicorn;
      return [
        at(500, g(startMs + 500, master, 'INFO', 'Starting gunicorn 23.0.0')),
        at(501, g(startMs + 501, master, 'INFO', `Listening at: http://0.0.0.0:8000 (${master})`)),
        at(501, g(startMs + 501, master, 'INFO', 'Using worker: uvicorn.workers.UvicornWorker')),
        at(505, g(startMs + 505, worker, 'INFO', `Booting worker with pid: ${worker}`)),
        at(900, g(startMs + 900, worker, 'INFO', `Started server process [${worker}]`)),
        at(901, g(startMs + 901, worker, 'INFO', 'Waiting for application startup.')),
        at(950, g(startMs + 950, worker, 'INFO', 'Application startup complete.')),
      ];
    }
    case 'arborist':
      return [at(800, `${goTime(startMs + 800)} arborist serving at :8080`)];
    case 'hatchery':
      return [at(300, `${goTime(startMs + 300)} Setting up routes`), at(301, `${goTime(startMs + 301)} Running main`)];
    case 'sower':
      return [at(200, '  INFO[0000] Server started')];
    case 'ssjdispatcher':
      return [];
    case 'guppy':
      return [
        at(500, `[${clock(startMs + 500)}] INFO: [ES.initialize] getting mapping from elasticsearch...`),
        at(700, `[${clock(startMs + 700)}] INFO: [ES.initialize] got mapping from elasticsearch`),
        at(900, `[${clock(startMs + 900)}] INFO: [Server] guppy listening on port 8000!`),
      ];
    case 'portal':
    case 'revproxy':
      // Not verified: the official nginx image's entrypoint lines.
      return [
        at(100, '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration'),
        at(101, '/docker-entrypoint.sh: Configuration complete; ready for start up'),
      ];
    case 'other':
      // Not verified (ambassador, frontend-framework, the Elasticsearch proxies).
      return [at(300, `${goTime(startMs + 300)} ${service} started`)];
  }
}

/** nginx's `json` access line (python-nginx base image; portal's variant). */
function nginxJson(r: ServedRequest, atMs: number, portal: boolean): string {
  const v = (s: string) => (s ? s.replace(/["\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase()}`) : '-');
  const secs = (r.durationMs / 1000).toFixed(3);
  return (
    `{"gen3log": "nginx", "date_access": "${isoTime(atMs)}", "user_id": "-", "request_id": "-", "session_id": "-", "visitor_id": "-", ` +
    `"network_client_ip": "-", "network_bytes_write": ${r.bytes}, ${portal ? `"http_response_time": "${secs}"` : `"response_secs": ${secs}`}, ` +
    `"http_status_code": ${r.status}, "http_request": "${v(r.path)}", "http_verb": "${r.method}", "http_referer": "-", "http_useragent": "${v(r.userAgent)}", ` +
    `"message": "${r.method} ${v(r.path)} HTTP/1.1"}`
  );
}

/** What the service logs for one request it answered (empty for services that log no requests). */
export function requestLines(service: string, r: ServedRequest, atMs: number): string[] {
  const fam = familyOf(service);
  const errors = r.status >= 500 ? errorLines(service, r, atMs) : [];
  switch (fam) {
    case 'flask':
    case 'asgi':
      return [...errors, nginxJson(r, atMs, false)];
    case 'portal':
      return [nginxJson(r, atMs, true)];
    case 'arborist':
      // gorilla/handlers combined format.
      return [...errors, `${r.clientIp} - - [${clfTime(atMs)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "" "${r.userAgent}"`];
    default:
      return errors;
  }
}

const pyTraceback = (frames: Array<[string, number, string, string]>, last: string[]) => [
  'Traceback (most recent call last):',
  ...frames.flatMap(([file, line, fn, code]) => [`  File "${file}", line ${line}, in ${fn}`, `    ${code}`]),
  ...last,
];

const PG_REFUSED = [
  `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "${DB_HOST}" (10.100.${randomInt(256)}.${randomInt(1, 255)}), port 5432 failed: Connection refused`,
  '\tIs the server running on that host and accepting TCP/IP connections?',
  '',
  '(Background on this error at: https://sqlalche.me/e/20/e3q8)',
];

/** The error a service logs when it answers its health check with a 5xx (its database or Elasticsearch unreachable). */
function errorLines(service: string, r: ServedRequest, atMs: number): string[] {
  switch (familyOf(service)) {
    case 'flask':
      if (service !== 'fence' && service !== 'presigned-url-fence') return []; // their handlers answer 500 without logging
      return [
        cdis(
          atMs,
          'fence.error_handler',
          'ERROR',
          `500 HTTP error occurred. ID: ${randomUUID()}\nDetails: {'message': 'Unhealthy'}\nTraceback: Traceback (most recent call last):`,
        ).split('\n'),
        ...pyTraceback(
          [
            ['/venv/lib/python3.13/site-packages/flask/app.py', 917, 'full_dispatch_request', 'rv = self.dispatch_request()'],
            ['/venv/lib/python3.13/site-packages/flask/app.py', 902, 'dispatch_request', 'return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]'],
            ['/fence/fence/blueprints/misc.py', 18, 'health_check', 'raise UnhealthyCheck("Unhealthy")'],
          ],
          ['cdiserrors.UnhealthyCheck: Unhealthy'],
        ).slice(1),
      ].flat();
    case 'asgi': {
      const g = service === 'metadata' ? (msg: string) => cdis(atMs, 'uvicorn.error', 'ERROR', msg) : (msg: string) => gunicorn(atMs, 8, 'ERROR', msg);
      return [
        g('Exception in ASGI application'),
        ...pyTraceback(
          [
            ['/venv/lib/python3.13/site-packages/uvicorn/protocols/http/h11_impl.py', 403, 'run_asgi', 'result = await app(  # type: ignore[func-returns-value]'],
            ['/venv/lib/python3.13/site-packages/starlette/routing.py', 73, 'app', 'response = await f(request)'],
            ['/venv/lib/python3.13/site-packages/sqlalchemy/engine/base.py', 146, '__init__', 'self._dbapi_connection = engine.raw_connection()'],
          ],
          PG_REFUSED,
        ),
      ];
    }
    case 'arborist':
      return [`${goTime(atMs)} server.go:221: ERROR: database ping failed; returning unhealthy`];
    case 'guppy':
      // Express logs err.stack of what the misordered /_status error handler threw (not verified line by line).
      return ["TypeError: res.status is not a function", '    at /guppy/dist/server/server.js:82:11', '    at Layer.handle_error (/guppy/node_modules/express/lib/router/layer.js:71:5)'];
    case 'hatchery':
    case 'sower':
    case 'ssjdispatcher':
      // These have no failure branch: the sim's 500 is its own choice, logged as Go's net/http logs a handler panic.
      return [`${goTime(atMs)} http: panic serving ${r.clientIp}:${40000 + randomInt(20000)}: ${service} status check failed`, 'goroutine 35 [running]:', 'net/http.(*conn).serve.func1()'];
    default:
      return [];
  }
}

/** The lines a crash-looping container writes as it dies, ending in the error that killed it (not verified: where each service first fails without its database or Elasticsearch). */
export function crashLines(service: string, atMs: number): string[] {
  const py = PY_NAME[service];
  switch (familyOf(service)) {
    case 'flask':
      return pyTraceback(
        [
          ['/venv/bin/gunicorn', 8, '<module>', 'sys.exit(run())'],
          ['/venv/lib/python3.13/site-packages/gunicorn/app/base.py', 235, 'run', 'super().run()'],
          ['/venv/lib/python3.13/site-packages/gunicorn/arbiter.py', 58, '__init__', 'self.setup(app)'],
          ['/venv/lib/python3.13/site-packages/gunicorn/arbiter.py', 118, 'setup', 'self.app.wsgi()'],
          [`/${py === 'fence' ? 'fence' : service}/deployment/wsgi/wsgi.py`, 3, '<module>', `app_init(app)`],
          ['/venv/lib/python3.13/site-packages/sqlalchemy/engine/base.py', 146, '__init__', 'self._dbapi_connection = engine.raw_connection()'],
          ['/venv/lib/python3.13/site-packages/psycopg2/__init__.py', 122, 'connect', 'conn = _connect(dsn, connection_factory=connection_factory, **kwasync)'],
        ],
        PG_REFUSED,
      );
    case 'asgi': {
      const g = service === 'metadata' ? (lvl: string, msg: string) => cdis(atMs, 'uvicorn.error', lvl, msg) : (lvl: string, msg: string) => gunicorn(atMs, 8, lvl, msg);
      return [
        g('ERROR', 'Traceback (most recent call last):'),
        ...pyTraceback(
          [
            ['/venv/lib/python3.13/site-packages/starlette/routing.py', 694, 'lifespan', 'async with self.lifespan_context(app) as maybe_state:'],
            [`/src/${py}/main.py`, 60, 'lifespan', 'await db.set_bind(config.DB_DSN)'],
          ],
          ['ConnectionRefusedError: [Errno 111] Connection refused'],
        ).slice(1),
        g('ERROR', 'Application startup failed. Exiting.'),
        gunicorn(atMs + 5, 7, 'ERROR', 'Worker (pid:8) exited with code 3'),
        gunicorn(atMs + 6, 7, 'ERROR', 'Shutting down: Master'),
        gunicorn(atMs + 6, 7, 'ERROR', 'Reason: Worker failed to boot.'),
      ];
    }
    case 'arborist':
      return [`panic: dial tcp 10.100.${randomInt(256)}.${randomInt(1, 255)}:5432: connect: connection refused`, '', 'goroutine 1 [running]:', 'main.main()', '\t/go/src/github.com/uc-cdis/arborist/main.go:57 +0x6a5'];
    case 'guppy':
      return [`[${clock(atMs)}] ERROR: [ES] elasticsearch cluster at ${ES_ENDPOINT} is down!`, `Error: connect ECONNREFUSED ${ES_ENDPOINT}`];
    case 'ssjdispatcher':
      return [`E${glogTime(atMs)}       1 main.go:45] Can not read credential file!`];
    case 'hatchery':
    case 'sower':
    case 'other':
      return [`${goTime(atMs)} ${service}: listen tcp 0.0.0.0:8000: bind: address already in use`];
    case 'portal':
    case 'revproxy':
      return [`${goTime(atMs)} [emerg] 1#1: host not found in upstream "${service === 'revproxy' ? 'fence-service' : 'revproxy-service'}" in /etc/nginx/conf.d/default.conf:12`];
  }
}

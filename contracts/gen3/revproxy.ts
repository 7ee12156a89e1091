// Request metrics from Gen3 revproxy's access log (RED: rate, errors,
// duration), as the agent derives them and the control service exports them.
//
// The log format: uc-cdis/gen3-helm 42cc46bc, helm/revproxy/nginx/nginx.conf
// `log_format json` (also nginxPrivate/nginx.conf), written with
// `access_log /dev/stdout json if=$loggable` (health checkers' user agents and
// `location = /_status` are not logged). nginx's default log escaping (no
// `escape=json`) writes `"`, `\` and bytes outside 0x20..0x7E as `\xHH`, and an
// empty variable as `-`; response_secs, http_status_code and
// network_bytes_write are unquoted. A line is therefore not always valid JSON.
//
// Which service answered: each `location` in helm/revproxy/gen3.nginx.conf/*.conf
// (and the portal-as-root / gen3ff-as-root variants that templates/configMaps.yaml
// picks) sets `$proxy_service`; nginx.conf's server block sets "noproxy" first.
// The values are not always the DCOC service names (below). Two locations of
// catalog services set no $proxy_service, so they log "noproxy" with their
// upstream: sheepdog-service.conf `location /api/` and peregrine-service.conf
// `location /peregrine/_version`; those are told apart by `http_upstream`'s host.

/** The access-log fields, in the order log_format json writes them. */
export const ACCESS_LOG_FIELDS = [
  'gen3log',
  'date_access',
  'user_id',
  'request_id',
  'session_id',
  'visitor_id',
  'network_client_ip',
  'network_bytes_write',
  'response_secs',
  'http_status_code',
  'http_request',
  'http_verb',
  'http_referer',
  'http_useragent',
  'http_upstream',
  'proxy_service',
  'message',
] as const;
export type AccessLogField = (typeof ACCESS_LOG_FIELDS)[number];

/** Fields written without quotes (numbers). */
export const UNQUOTED_FIELDS: ReadonlySet<AccessLogField> = new Set(['network_bytes_write', 'response_secs', 'http_status_code']);

/** Every access line starts with this (`"gen3log": "nginx"` is the format's constant). */
export const ACCESS_LINE_PREFIX = '{"gen3log": "nginx", ';

/**
 * $proxy_service as gen3-helm 42cc46bc sets it → the DCOC service (contracts/gen3/catalog.ts
 * name). Files under helm/revproxy/gen3.nginx.conf/: fence-service.conf ("fence"; /user/data/download
 * "presigned-url-fence"), fence-service-ga4gh.conf ("presigned-url-fence"), arborist-service.conf
 * ("arborist"), indexd-service.conf ("indexd"), peregrine-service.conf ("peregrine"),
 * metadata-service.conf ("metadata-service"), audit-service.conf ("audit-service"),
 * manifestservice-service.conf ("manifestservice"), workspace-token-service.conf ("wts"),
 * hatchery-service.conf ("hatchery"), ambassador-service.conf ("ambassador"), guppy-service.conf
 * ("guppy"), requestor-service.conf ("requestor-service"), sower-service.conf ("sower"),
 * portal-as-root/ and gen3ff-as-root/ ("portal", "frontend-framework"). Any other value (services
 * outside the catalog, an `extraServices` name, garbage) is `other`.
 */
export const PROXY_SERVICE_TO_SERVICE: Readonly<Record<string, string>> = {
  fence: 'fence',
  'presigned-url-fence': 'presigned-url-fence',
  arborist: 'arborist',
  indexd: 'indexd',
  peregrine: 'peregrine',
  'metadata-service': 'metadata',
  'audit-service': 'audit',
  manifestservice: 'manifestservice',
  wts: 'wts',
  hatchery: 'hatchery',
  ambassador: 'ambassador',
  guppy: 'guppy',
  'requestor-service': 'requestor',
  sower: 'sower',
  portal: 'portal',
  'frontend-framework': 'frontend-framework',
};

/** nginx.conf's default $proxy_service: no location set one. */
export const NO_PROXY = 'noproxy';

/**
 * For "noproxy" lines: the first DNS label of `http_upstream`'s host → service
 * (sheepdog-service.conf `set $upstream http://sheepdog-service.$namespace...`,
 * peregrine-service.conf `/peregrine/_version`). No upstream at all ("-"): nginx
 * answered itself (a csrf 403, /canary, a redirect), which is revproxy.
 */
export const NOPROXY_UPSTREAM_TO_SERVICE: Readonly<Record<string, string>> = {
  'sheepdog-service': 'sheepdog',
  'peregrine-service': 'peregrine',
};
export const SELF_SERVICE = 'revproxy';

/** The label for requests to anything the mapping does not know. */
export const OTHER_SERVICE = 'other';

/** Every service label a request metric can carry, whatever the log says. */
export const REQUEST_SERVICES: readonly string[] = [
  ...new Set([...Object.values(PROXY_SERVICE_TO_SERVICE), ...Object.values(NOPROXY_UPSTREAM_TO_SERVICE), SELF_SERVICE, OTHER_SERVICE]),
].sort();

export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** The class of an HTTP status, or null for anything outside 100..599 (nginx logs 000 for a request it never answered). */
export function statusClass(status: number): StatusClass | null {
  if (!Number.isInteger(status) || status < 100 || status > 599) return null;
  return STATUS_CLASSES[Math.floor(status / 100) - 1];
}

/** Upper bounds (seconds) of the response_secs histogram: 5 ms to 30 s, then +Inf. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The `le` label values, as Prometheus writes them (`+Inf` last). */
export const DURATION_LE: readonly string[] = [...DURATION_BUCKETS.map(String), '+Inf'];

/** The series names an agent sends (cumulative since it started) and the control service exports. */
export const REQUEST_METRICS = {
  total: 'dcoc_requests_total',
  bucket: 'dcoc_request_duration_seconds_bucket',
  sum: 'dcoc_request_duration_seconds_sum',
  count: 'dcoc_request_duration_seconds_count',
} as const;
export const REQUEST_METRIC_NAMES: ReadonlySet<string> = new Set(Object.values(REQUEST_METRICS));

/** The capability an agent advertises when it derives request metrics from revproxy's log. */
export const REQUEST_METRICS_CAPABILITY = 'metrics:requests';

// Every setting of the control service is a DCOC_* environment variable with a
// default and a description (.describe(), printed by `dcoc-control serve --help`
// and docs/settings.md); this is the one place they are read and validated, so
// a typo fails at start-up with the variable named.
import { z } from 'zod';
import { ExternalCheckAddresses, ExternalCheckPaths, ExternalCheckUrlTemplate } from '../external/settings';

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, 'must be host:port');

export const EnvSchema = z.object({
  DCOC_HTTP_ADDR: hostPort.default('127.0.0.1:8470').describe('Where the HTTP API listens (host:port); 0.0.0.0:8470 in a container.'),
  DCOC_GRPC_ADDR: hostPort.default('0.0.0.0:8471').describe('Where the agent gateway listens (gRPC, mutual TLS).'),
  DCOC_GRPC_BACKLOG: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(4096)
    .describe(
      "The agent gateway's listen backlog: connections the kernel holds while the control service is busy (capped by net.core.somaxconn). When thousands of agents reconnect at once, a short queue drops their connects and they wait out TCP retransmits.",
    ),
  DCOC_ENROLL_ADDR: hostPort.default('0.0.0.0:8472').describe('Where the enrollment endpoint listens (gRPC, server TLS).'),
  DCOC_DATA_DIR: z.string().min(1).default('.data/control').describe('The SQLite database and the CA (pki/, key mode 0600); must be writable. /var/lib/dcoc in the image.'),
  DCOC_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .describe('postgres://user:password@host:5432/dbname: the store on PostgreSQL, shared by every replica of the control service. Unset: one SQLite file in DCOC_DATA_DIR (one replica only).'),
  DCOC_DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10).describe('Connections each replica keeps to PostgreSQL.'),
  DCOC_REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be letters, digits, ".", "_" or "-"')
    .optional()
    .describe("This replica's name among several on one PostgreSQL (logs, metrics, which replica holds an agent). Unset: hostname-pid."),
  DCOC_CA_CERT_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('An existing CA certificate (PEM, e.g. a mounted Kubernetes Secret or a cert-manager CA): used as it is, never created. With DCOC_CA_KEY_FILE. Unset: the CA is created once in DCOC_DATA_DIR/pki. Every replica must share one CA.'),
  DCOC_CA_KEY_FILE: z.string().min(1).optional().describe("The existing CA's private key (PEM). With DCOC_CA_CERT_FILE."),
  DCOC_TLS_CERT_FILE: z.string().min(1).optional().describe("The agent gateway's own server certificate (PEM), instead of one the CA issues. It must chain to the DCOC CA. With DCOC_TLS_KEY_FILE."),
  DCOC_TLS_KEY_FILE: z.string().min(1).optional().describe("The agent gateway server certificate's key (PEM). With DCOC_TLS_CERT_FILE."),
  DCOC_TLS_CHECK_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(86400)
    .default(60)
    .describe('How often, in seconds, the gateway and HTTP certificates are checked: files are read again when they changed; an issued gateway certificate (90 days) is renewed at two thirds of its life.'),
  DCOC_HTTP_TLS_CERT_FILE: z.string().min(1).optional().describe('Serve the HTTP API over TLS with this certificate (PEM). With DCOC_HTTP_TLS_KEY_FILE. Unset: plain HTTP (put it behind a TLS proxy).'),
  DCOC_HTTP_TLS_KEY_FILE: z.string().min(1).optional().describe('The HTTP API certificate\'s key (PEM). With DCOC_HTTP_TLS_CERT_FILE.'),
  DCOC_STORE_MIN_FREE_MB: z.coerce.number().min(0).default(64).describe('Below this much free disk under DCOC_DATA_DIR the service reports not ready (/readyz 503).'),
  DCOC_ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('Seeds an admin API token (at least 16 characters); unset it and restart to retire that token.'),
  DCOC_PLUGIN_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe("The secret shared with the Grafana plugin for its identity assertions (at least 16 characters); unset refuses assertions."),
  DCOC_TLS_HOSTNAMES: z.string().default('localhost,127.0.0.1').describe("Comma-separated names in the gateway's server certificate; the first is the one agents are told to dial (install commands)."),
  DCOC_AGENT_CERT_TTL_S: z.coerce.number().int().min(10).default(86400).describe('Agent certificate lifetime in seconds (agents renew at two thirds).'),
  DCOC_AGENT_SILENCE_S: z.coerce.number().positive().default(30).describe('An agent not heard from for this many seconds makes its commons unknown.'),
  DCOC_COMMAND_DEADLINE_S: z.coerce.number().int().min(1).default(600).describe('Seconds a command has to finish.'),
  DCOC_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(5000).describe('Heartbeat interval pushed to agents.'),
  DCOC_HEALTH_INTERVAL_MS: z.coerce.number().int().min(100).default(5000).describe('Health-check interval pushed to agents.'),
  DCOC_METRICS_INTERVAL_MS: z.coerce.number().int().min(100).default(15000).describe('Metrics interval pushed to agents.'),
  DCOC_DASHBOARDS_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('Where one Grafana dashboard per commons is written (a folder a Grafana file provider watches); unset writes none.'),
  DCOC_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024).describe('The largest request body, in bytes.'),
  DCOC_HTTP_REQUEST_TIMEOUT_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(30)
    .describe('A request (headers and body) must arrive within this many seconds; a slower one gets 408 and its connection closed.'),
  DCOC_GITOPS_REPO: z
    .string()
    .min(1)
    .optional()
    .describe('A GitOps repository (git URL or local path): every deployment revision is committed at <cluster>/<hostname>/values/values.yaml. Needs git (in the image).'),
  DCOC_GITOPS_CLUSTER: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be a cluster directory name')
    .optional()
    .describe('The cluster directory in the GitOps repository (required with DCOC_GITOPS_REPO).'),
  DCOC_GITOPS_BRANCH: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, 'must be a branch name')
    .default('main')
    .describe('The branch revisions are pushed to.'),
  DCOC_DEPLOY_DEADLINE_S: z.coerce.number().int().min(10).default(3600).describe('Seconds a deploy waits for its agent and rollouts (a new commons may have no agent yet).'),
  DCOC_APPROVAL_TTL_S: z.coerce.number().int().min(1).max(30 * 24 * 3600).default(24 * 3600).describe('Seconds a change held for approval waits for a decision before it expires (24 hours by default).'),
  DCOC_LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('Log level: trace, debug, info, warn, error, fatal or silent (JSON lines on stderr).'),
  DCOC_EXTERNAL_CHECKS: z
    .enum(['true', 'false'], 'must be true or false')
    .default('true')
    .transform((v) => v === 'true')
    .describe("Probe each commons' public endpoints from the control service (status, latency, TLS certificate expiry; dcoc_external_* metrics): true or false."),
  DCOC_EXTERNAL_CHECK_INTERVAL_S: z.coerce.number().int().min(5).max(3600).default(60).describe('Seconds between two probes of one endpoint (each round starts up to 10% early or late, so replicas and rounds spread out).'),
  DCOC_EXTERNAL_CHECK_TIMEOUT_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(120)
    .default(10)
    .describe('A probe (DNS, connect, TLS, response headers) that takes longer fails as a timeout; less than DCOC_EXTERNAL_CHECK_INTERVAL_S.'),
  DCOC_EXTERNAL_CHECK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8).describe('At most this many probes at once (per replica).'),
  DCOC_EXTERNAL_CHECK_PATHS: ExternalCheckPaths.prefault('/,/user/_status,/index/_status,/_status').describe(
    "Comma-separated paths probed on every commons (the metrics' endpoint label): the portal (/), fence (/user/_status) and indexd (/index/_status) through revproxy, and revproxy itself (/_status).",
  ),
  DCOC_EXTERNAL_CHECK_URL: ExternalCheckUrlTemplate.default('https://{hostname}').describe(
    "Where a commons is probed: {hostname} is its hostname (manifest-global); e.g. https://{hostname}:8443. No credentials, query or fragment; redirects are never followed.",
  ),
  DCOC_EXTERNAL_CHECK_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("PEM CA certificates trusted for the commons' certificates besides the system's (a private CA); the certificate is read and its expiry reported even when it does not verify."),
  DCOC_EXTERNAL_CHECK_ADDRESSES: ExternalCheckAddresses.optional().describe(
    'hostname=address,… (like curl --resolve): probe these commons at this address instead of what DNS says (split-horizon DNS, a load balancer); TLS name and Host stay the hostname.',
  ),
  DCOC_METRICS_SD_ADDRESS: hostPort
    .optional()
    .describe(
      "The host:port /metrics/sd gives Prometheus as every commons' target (their /metrics/commons/{id}); unset: the Host the discovery request came through. Set it when Prometheus reaches the control service by another name than its discovery URL.",
    ),
  DCOC_ALERTMANAGER_URL: z
    .url()
    .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
    .optional()
    .describe(
      "The Alertmanager DCOC reads firing alerts from (rollout gates) and creates silences in (maintenance windows): Prometheus' Alertmanager (http://alertmanager:9093) or Grafana's (https://grafana/api/alertmanager/grafana). Unset: rollouts gate on health alone and windows create no silence.",
    ),
  DCOC_ALERTMANAGER_TOKEN_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("A file holding the bearer token for DCOC_ALERTMANAGER_URL (a Grafana service account token with alerting read and silence write); read at start, never logged."),
  DCOC_LAST_SEEN_FLUSH_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(300)
    .default(15)
    .describe(
      "How often agents' last-seen times are written to the database, all agents heard since the last write at once, 200 agents a statement (and once more at shutdown); heartbeats themselves write nothing. The API and silence detection use the in-memory time.",
    ),
  DCOC_COMMAND_RETENTION_DAYS: z.coerce
    .number()
    .min(0)
    .max(36500)
    .default(90)
    .describe(
      'Finished commands (and their events) last changed more than this many days ago are deleted in batches by the sweeper replica, except those a deployment, backup or config revision points at; enrollment tokens used or expired more than a day ago are deleted too. 0: commands are kept forever. Fractions are allowed (0.25: six hours). Their audit entries follow DCOC_AUDIT_RETENTION_DAYS.',
    ),
  DCOC_AUDIT_RETENTION_DAYS: z.coerce
    .number()
    .min(0)
    .max(36500)
    .default(0)
    .describe(
      'Audit entries older than this many days are pruned (oldest first, in batches, by the sweeper replica); the hash chain stays verifiable from the last pruned entry. 0: kept forever; fractions are allowed (0.25: six hours). Export what you must keep longer first (GET /api/v1/audit/export, dcoc-control audit export).',
    ),
  DCOC_RETENTION_SWEEP_S: z.coerce
    .number()
    .int()
    .min(10)
    .max(86400)
    .default(600)
    .describe('How often the sweeper replica applies DCOC_COMMAND_RETENTION_DAYS and DCOC_AUDIT_RETENTION_DAYS (each sweep deletes at most 20 batches of 500, so a backlog is worked off over several sweeps).'),
});

const PAIRS = [
  ['DCOC_CA_CERT_FILE', 'DCOC_CA_KEY_FILE'],
  ['DCOC_TLS_CERT_FILE', 'DCOC_TLS_KEY_FILE'],
  ['DCOC_HTTP_TLS_CERT_FILE', 'DCOC_HTTP_TLS_KEY_FILE'],
] as const;

export type Env = z.infer<typeof EnvSchema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const unpaired = PAIRS.filter(([a, b]) => (parsed.data[a] === undefined) !== (parsed.data[b] === undefined));
  if (unpaired.length) {
    throw new Error(`invalid configuration:\n${unpaired.map(([a, b]) => `  ${parsed.data[a] ? b : a}: must be set with ${parsed.data[a] ? a : b}`).join('\n')}`);
  }
  return parsed.data;
}

export function splitHostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(addr.slice(i + 1)) };
}

// Every setting of the control service is a DCOC_* environment variable with a
// documented default (README "Configuration"); this is the one place they are
// read and validated, so a typo fails at start-up with the variable named.
import { z } from 'zod';

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, 'must be host:port');

const EnvSchema = z.object({
  DCOC_HTTP_ADDR: hostPort.default('127.0.0.1:8470'),
  DCOC_GRPC_ADDR: hostPort.default('0.0.0.0:8471'),
  DCOC_ENROLL_ADDR: hostPort.default('0.0.0.0:8472'),
  DCOC_DATA_DIR: z.string().min(1).default('.data/control'),
  /**
   * postgres://user:password@host:5432/dbname: the store on PostgreSQL, shared by every replica of the
   * control service. Unset: one SQLite file in DCOC_DATA_DIR (one replica only).
   */
  DCOC_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Connections each replica keeps to PostgreSQL. */
  DCOC_DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
  /** This replica's name among several on one PostgreSQL (logs, metrics, which replica holds an agent). Default: hostname-pid. */
  DCOC_REPLICA_ID: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be letters, digits, ".", "_" or "-"').optional(),
  /**
   * An existing CA (PEM files, e.g. a mounted Kubernetes Secret or a cert-manager CA): used as it is, never created.
   * Both or neither. Unset: the CA is created once in DCOC_DATA_DIR/pki. Every replica must share one CA.
   */
  DCOC_CA_CERT_FILE: z.string().min(1).optional(),
  DCOC_CA_KEY_FILE: z.string().min(1).optional(),
  /** The agent gateway's own server certificate and key (PEM), instead of one issued by the CA at start. Both or neither. */
  DCOC_TLS_CERT_FILE: z.string().min(1).optional(),
  DCOC_TLS_KEY_FILE: z.string().min(1).optional(),
  /** How often the gateway certificate is checked: files read again when they changed, an issued one renewed at two thirds of its 90 days. */
  DCOC_TLS_CHECK_S: z.coerce.number().int().min(1).max(86400).default(60),
  /** Serve the HTTP API over TLS with this certificate and key (PEM). Both or neither; unset: plain HTTP (put it behind a TLS proxy). */
  DCOC_HTTP_TLS_CERT_FILE: z.string().min(1).optional(),
  DCOC_HTTP_TLS_KEY_FILE: z.string().min(1).optional(),
  /** Below this much free disk under DCOC_DATA_DIR the service reports not ready (/readyz 503). */
  DCOC_STORE_MIN_FREE_MB: z.coerce.number().min(0).default(64),
  DCOC_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  DCOC_PLUGIN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DCOC_TLS_HOSTNAMES: z.string().default('localhost,127.0.0.1'),
  DCOC_AGENT_CERT_TTL_S: z.coerce.number().int().min(10).default(86400),
  DCOC_AGENT_SILENCE_S: z.coerce.number().positive().default(30),
  DCOC_COMMAND_DEADLINE_S: z.coerce.number().int().min(1).default(600),
  DCOC_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  DCOC_HEALTH_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  DCOC_METRICS_INTERVAL_MS: z.coerce.number().int().min(100).default(15000),
  /** Where one Grafana dashboard per commons is written (a folder a Grafana file provider watches); unset writes none. */
  DCOC_DASHBOARDS_DIR: z.string().min(1).optional(),
  DCOC_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  /** A request (headers and body) must arrive within this; a slower one gets 408 and its connection closed. */
  DCOC_HTTP_REQUEST_TIMEOUT_S: z.coerce.number().int().min(1).max(3600).default(30),
  // Deployments: a GitOps repository (git URL or local path) gets every revision at <cluster>/<hostname>/values/values.yaml.
  DCOC_GITOPS_REPO: z.string().min(1).optional(),
  DCOC_GITOPS_CLUSTER: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be a cluster directory name').optional(),
  DCOC_GITOPS_BRANCH: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, 'must be a branch name').default('main'),
  /** A deploy waits this long for its agent and rollouts (a new commons may have no agent yet). */
  DCOC_DEPLOY_DEADLINE_S: z.coerce.number().int().min(10).default(3600),
  DCOC_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
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

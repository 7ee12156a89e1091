// Every dcoc-agent flag and environment variable, in one table: the parser,
// `dcoc-agent --help` and docs/settings.md (scripts/settings-doc.ts) are all
// made from it, so they cannot disagree.
import { parseArgs } from 'node:util';

export type FlagGroup = 'general' | 'enrollment' | 'kubernetes' | 'simulate';

export interface AgentFlag {
  /** The long flag without `--`; empty for a setting that is only an environment variable. */
  name: string;
  type: 'string' | 'boolean';
  /** The value's placeholder in --help (string flags). */
  arg?: string;
  multiple?: boolean;
  /** The environment variable read when the flag is not given. */
  env?: string;
  /** Used when neither the flag nor the variable is set. */
  default?: string | boolean;
  group: FlagGroup;
  help: string;
}

export const GROUP_TITLES: Record<FlagGroup, string> = {
  general: 'General',
  enrollment: 'Enrollment (first start only; afterwards the agent uses the identity in its data directory or Secret)',
  kubernetes: 'Kubernetes (--kubernetes): a Gen3 commons namespace',
  simulate: 'Simulation (--simulate): an in-process simulated Gen3 commons, for demos and tests',
};

export const AGENT_FLAGS: readonly AgentFlag[] = [
  { name: 'control', type: 'string', arg: 'HOST:PORT', env: 'DCOC_AGENT_CONTROL', default: 'localhost:8471', group: 'general', help: 'The control service agent gateway (gRPC, mutual TLS).' },
  { name: 'data-dir', type: 'string', arg: 'DIR', env: 'DCOC_AGENT_DATA_DIR', default: '.data/agent', group: 'general', help: 'Where the agent keeps its key, certificate and command journal (writable).' },
  { name: 'kubernetes', type: 'boolean', default: false, group: 'general', help: 'Run against a Gen3 commons namespace (in-cluster service account, or --kubeconfig). One of --kubernetes or --simulate.' },
  { name: 'simulate', type: 'boolean', default: false, group: 'general', help: 'Run against a simulated Gen3 commons. One of --kubernetes or --simulate.' },
  { name: 'help', type: 'boolean', default: false, group: 'general', help: 'Print this help and exit.' },
  { name: 'version', type: 'boolean', default: false, group: 'general', help: 'Print the version and exit.' },
  { name: '', type: 'string', env: 'DCOC_LOG_LEVEL', default: 'info', group: 'general', help: 'Log level: trace, debug, info, warn, error, fatal or silent (JSON lines on stderr).' },
  { name: 'enroll', type: 'string', arg: 'HOST:PORT', env: 'DCOC_AGENT_ENROLL', default: 'localhost:8472', group: 'enrollment', help: 'The enrollment endpoint (gRPC, server TLS).' },
  { name: 'ca-file', type: 'string', arg: 'FILE', env: 'DCOC_AGENT_CA_FILE', group: 'enrollment', help: 'The control service CA (PEM; caCertificate of the enrollment token response).' },
  { name: 'token-file', type: 'string', arg: 'FILE', group: 'enrollment', help: 'A file holding the enrollment token (or set DCOC_ENROLL_TOKEN).' },
  { name: '', type: 'string', env: 'DCOC_ENROLL_TOKEN', group: 'enrollment', help: 'The enrollment token from POST /api/v1/enrollment-tokens (single use); wins over --token-file.' },
  { name: 'namespace', type: 'string', arg: 'NS', env: 'DCOC_AGENT_NAMESPACE', group: 'kubernetes', help: 'The Gen3 commons namespace (required with --kubernetes).' },
  { name: 'kubeconfig', type: 'string', arg: 'FILE', env: 'KUBECONFIG', group: 'kubernetes', help: 'A kubeconfig; unset: the in-cluster service account.' },
  { name: 'identity-secret', type: 'string', arg: 'NAME', env: 'DCOC_AGENT_IDENTITY_SECRET', group: 'kubernetes', help: "Keep the agent's key and certificate in this Secret of the namespace (a rescheduled pod keeps its identity) instead of --data-dir." },
  { name: 'helm-chart', type: 'string', arg: 'REF', env: 'DCOC_HELM_CHART', group: 'kubernetes', help: 'Deploy revisions with this gen3-helm chart (directory, repo/chart, oci://...); unset: deploys server-side apply changed images only.' },
  { name: 'helm-mode', type: 'string', arg: 'MODE', default: 'upgrade', group: 'kubernetes', help: 'upgrade: helm upgrade --install; template: helm template, then server-side apply.' },
  { name: 'helm-release', type: 'string', arg: 'NAME', group: 'kubernetes', help: "The helm release name; unset: the Deployments' app.kubernetes.io/instance, else gen3." },
  { name: 'helm-chart-version', type: 'string', arg: 'VERSION', group: 'kubernetes', help: 'The chart version to deploy.' },
  { name: 'helm', type: 'string', arg: 'BIN', env: 'DCOC_HELM', default: 'helm', group: 'kubernetes', help: 'The helm executable (a name on PATH or a path).' },
  { name: 'helm-arg', type: 'string', arg: 'ARG', multiple: true, group: 'kubernetes', help: 'An extra helm argument, e.g. --repo=URL (repeatable).' },
  { name: 'backup-pvc', type: 'string', arg: 'CLAIM', env: 'DCOC_BACKUP_PVC', group: 'kubernetes', help: 'Database backups: the PersistentVolumeClaim of the namespace the backup Jobs write pg_dump files to; unset: backup commands fail.' },
  { name: 'backup-image', type: 'string', arg: 'IMAGE', env: 'DCOC_BACKUP_IMAGE', default: 'postgres:16-alpine', group: 'kubernetes', help: "The backup and restore Jobs' image: pg_dump and pg_restore of the database server's major version or newer, and /bin/sh." },
  { name: 'backup-keep', type: 'string', arg: 'N', env: 'DCOC_BACKUP_KEEP', default: '14', group: 'kubernetes', help: 'Backups kept on the claim; each successful backup Job deletes older ones.' },
  { name: 'hostname', type: 'string', arg: 'HOST', default: 'gen3.example.org', group: 'simulate', help: "The simulated commons' hostname." },
  { name: 'environment', type: 'string', arg: 'ENV', default: 'default', group: 'simulate', help: 'Its environment (and namespace) name.' },
  { name: 'name', type: 'string', arg: 'NAME', group: 'simulate', help: 'Its display name; unset: the hostname.' },
  { name: 'release', type: 'string', arg: 'YYYY.MM', default: '2026.07', group: 'simulate', help: 'The Gen3 release it runs.' },
  { name: 'size', type: 'string', arg: 'SIZE', default: 'small', group: 'simulate', help: 'small, medium or large: how many services and replicas.' },
  { name: 'tick-ms', type: 'string', arg: 'MS', default: '500', group: 'simulate', help: 'How often the simulation advances.' },
  { name: 'pod-start-ms', type: 'string', arg: 'MS', default: '1500', group: 'simulate', help: 'How long a simulated pod takes to start.' },
  { name: 'health-port', type: 'string', arg: 'PORT', default: '0', group: 'simulate', help: "The simulated services' health and metrics port (0: any free port)." },
  { name: 'sim-traffic', type: 'string', arg: 'RPS', env: 'DCOC_SIM_TRAFFIC_RPS', default: '0', group: 'simulate', help: "Requests a second the simulated users send through the commons' revproxy (request metrics); 0: none." },
];

export type AgentArgs = Record<string, string | boolean | string[] | undefined>;

/** Thrown for a flag or argument the agent does not know: the caller prints it and exits 2. */
export class UsageError extends Error {}

/** The flags as given, else their environment variable, else their default. */
export function parseAgentArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; default?: string | boolean | string[] }> = {};
  for (const f of AGENT_FLAGS) {
    if (!f.name) continue;
    const fallback = (f.env ? env[f.env] : undefined) ?? f.default;
    options[f.name] = { type: f.type, ...(f.multiple ? { multiple: true, default: [] } : fallback === undefined ? {} : { default: fallback }) };
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as AgentArgs;
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '')}; run dcoc-agent --help`);
  }
}

const flagLabel = (f: AgentFlag) => (f.name ? `--${f.name}${f.type === 'string' ? ` ${f.arg ?? 'VALUE'}` : ''}` : `${f.env}`);

export function agentHelp(version: string): string {
  const lines = [`dcoc-agent ${version}: reports a Gen3 commons to the DCOC control service and carries out its commands.`, '', 'Usage: dcoc-agent (--kubernetes --namespace NS | --simulate) [flags]', ''];
  for (const group of Object.keys(GROUP_TITLES) as FlagGroup[]) {
    lines.push(`${GROUP_TITLES[group]}:`);
    for (const f of AGENT_FLAGS.filter((x) => x.group === group)) {
      const extra = [f.name && f.env ? `env ${f.env}` : '', f.default !== undefined && f.default !== false ? `default ${String(f.default)}` : ''].filter(Boolean).join(', ');
      lines.push(`  ${flagLabel(f).padEnd(26)} ${f.help}${extra ? ` [${extra}]` : ''}`);
    }
    lines.push('');
  }
  lines.push('Exit status: 0 stopped by SIGINT/SIGTERM; 1 failed (the log says why); 2 bad usage; 3 revoked by the control service (reconnecting would not help).');
  lines.push('Reference: docs/settings.md.');
  return `${lines.join('\n')}\n`;
}

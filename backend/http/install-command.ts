// The commands an enrollment token response offers, to paste into a shell: one
// runs the dcoc-agent artifact (or image) on the commons' cluster, one
// installs the agent chart. Each first writes the CA and the token to files
// (umask 077, never on a command line that `ps` or a log would show), then
// points the agent at them.
//
// The data directory and the namespace are the agent's own variables
// (DCOC_AGENT_DATA_DIR, DCOC_AGENT_NAMESPACE) with defaults, so the command
// runs as pasted and can be aimed elsewhere without editing it.

/** Single-quoted for POSIX sh: safe for any string. */
export const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const DIR = '"${DCOC_AGENT_DATA_DIR:-/var/lib/dcoc-agent}"';
const NAMESPACE = '"${DCOC_AGENT_NAMESPACE:-default}"';
const CA_MARK = 'DCOC_CA_PEM';

function writeFiles(caPem: string, token: string): string {
  // The heredoc's quoted delimiter keeps the PEM literal; a PEM never holds that word on a line of its own.
  if (caPem.split('\n').includes(CA_MARK)) throw new Error('CA certificate holds the heredoc delimiter');
  return [
    `umask 077 && mkdir -p ${DIR} && cat > ${DIR}/ca.pem <<'${CA_MARK}'`,
    caPem.trimEnd(),
    CA_MARK,
    `printf '%s' ${shQuote(token)} > ${DIR}/enroll.token && \\`,
  ].join('\n');
}

export interface InstallInput {
  caPem: string;
  token: string;
  /** host:port agents dial: the gateway (mutual TLS) and enrollment (server TLS). */
  gateway: string;
  enroll: string;
}

/** Runs dcoc-agent (on PATH) against the commons in DCOC_AGENT_NAMESPACE (default: default). */
export function agentInstallCommand(i: InstallInput): string {
  return `${writeFiles(i.caPem, i.token)}
dcoc-agent --control ${shQuote(i.gateway)} --enroll ${shQuote(i.enroll)} --ca-file ${DIR}/ca.pem --token-file ${DIR}/enroll.token --data-dir ${DIR} --kubernetes --namespace ${NAMESPACE}`;
}

/** Installs the agent chart (deploy/helm/dcoc-agent) into DCOC_AGENT_NAMESPACE, values from the same files. */
export function agentHelmCommand(i: InstallInput): string {
  return `${writeFiles(i.caPem, i.token)}
helm upgrade --install dcoc-agent deploy/helm/dcoc-agent --namespace ${NAMESPACE} --set control.gateway=${shQuote(i.gateway)} --set control.enroll=${shQuote(i.enroll)} --set-file ca.pem=${DIR}/ca.pem --set-file enrollment.token=${DIR}/enroll.token`;
}

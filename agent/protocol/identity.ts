// The agent's identity: a key made here, a certificate from the control
// service's CA (got by enrollment, renewed before expiry), kept in the data
// directory (mode 0600) so a restarted agent is the same agent.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CERT_BACKDATE_MS, createCsr, generateKeys, privateKeyToPem, x509 } from '../../lib/pki/x509';
import { writeFileDurably } from '../core/durable-file';
import { type TlsIdentity, enrollmentClient, unary, gatewayClient } from './client';

export interface AgentIdentity extends TlsIdentity {
  agentId: string;
  notAfterMs: number;
  notBeforeMs: number;
}

/** Where an agent keeps its identity: files in its data directory, or a Kubernetes Secret. */
export interface IdentityStore {
  load(): Promise<AgentIdentity | null>;
  save(id: AgentIdentity): Promise<void>;
}

export function fileIdentityStore(dataDir: string): IdentityStore {
  return { load: async () => loadIdentity(dataDir), save: async (id) => save(dataDir, id) };
}

/** Rebuilds the identity from its PEMs (validity comes from the certificate). */
export function identityFromPems(agentId: string, keyPem: string, certPem: string, caPem: string): AgentIdentity {
  return { agentId, keyPem, certPem, caPem, ...validity(certPem) };
}

const FILES = { key: 'agent.key.pem', cert: 'agent.crt.pem', ca: 'ca.pem', meta: 'agent.json' };

export function loadIdentity(dataDir: string): AgentIdentity | null {
  const p = (f: string) => join(dataDir, f);
  if (!Object.values(FILES).every((f) => existsSync(p(f)))) return null;
  const certPem = readFileSync(p(FILES.cert), 'utf8');
  const cert = new x509.X509Certificate(certPem);
  const { agentId } = JSON.parse(readFileSync(p(FILES.meta), 'utf8')) as { agentId: string };
  return {
    agentId,
    keyPem: readFileSync(p(FILES.key), 'utf8'),
    certPem,
    caPem: readFileSync(p(FILES.ca), 'utf8'),
    notAfterMs: cert.notAfter.getTime(),
    notBeforeMs: cert.notBefore.getTime(),
  };
}

function save(dataDir: string, id: AgentIdentity): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileDurably(join(dataDir, FILES.key), id.keyPem);
  writeFileDurably(join(dataDir, FILES.cert), id.certPem);
  writeFileDurably(join(dataDir, FILES.ca), id.caPem);
  writeFileDurably(join(dataDir, FILES.meta), JSON.stringify({ agentId: id.agentId }));
}

function validity(certPem: string) {
  const c = new x509.X509Certificate(certPem);
  return { notAfterMs: c.notAfter.getTime(), notBeforeMs: c.notBefore.getTime() };
}

export async function enroll(opts: {
  dataDir?: string;
  store?: IdentityStore;
  enrollAddr: string;
  caPem: string;
  token: string;
  version: string;
  hostname: string;
}): Promise<AgentIdentity> {
  const store = opts.store ?? fileIdentityStore(opts.dataDir ?? '.');
  const keys = await generateKeys();
  const csr = await createCsr('dcoc-agent', keys);
  const client = enrollmentClient(opts.enrollAddr, opts.caPem);
  try {
    const res = await unary(client, 'enroll', {
      token: opts.token,
      csr_pem: csr,
      agent_version: opts.version,
      hostname: opts.hostname,
    });
    const id: AgentIdentity = {
      agentId: res.agent_id,
      keyPem: await privateKeyToPem(keys.privateKey),
      certPem: res.certificate_pem,
      caPem: res.ca_pem,
      ...validity(res.certificate_pem),
    };
    await store.save(id);
    return id;
  } finally {
    client.close();
  }
}

/** A new key and certificate, authenticated by the current one. */
export async function renew(store: IdentityStore | string, gatewayAddr: string, current: AgentIdentity): Promise<AgentIdentity> {
  const where = typeof store === 'string' ? fileIdentityStore(store) : store;
  const keys = await generateKeys();
  const csr = await createCsr(current.agentId, keys);
  const client = gatewayClient(gatewayAddr, current);
  try {
    const res = await unary(client, 'renew', { csr_pem: csr });
    const next: AgentIdentity = { ...current, keyPem: await privateKeyToPem(keys.privateKey), certPem: res.certificate_pem, ...validity(res.certificate_pem) };
    await where.save(next);
    return next;
  } finally {
    client.close();
  }
}

/** Renew once two thirds of the certificate's lifetime have passed (counted from its issue, not its backdated notBefore). */
export function renewalDueAt(id: AgentIdentity): number {
  const issued = id.notBeforeMs + CERT_BACKDATE_MS;
  return issued + ((id.notAfterMs - issued) * 2) / 3;
}


// A local HTTPS server standing in for commons' public endpoints (revproxy
// behind its load balancer): one certificate per served hostname, chosen by
// SNI (certificates from a throwaway CA, with the lifetime a test asks for),
// and an HTTP status per hostname. Records the requests it gets.
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { type Server, createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SecureContext, createSecureContext } from 'node:tls';
import { CertificateAuthority } from '../../backend/pki/ca';
import { SIGN_ALG, generateKeys, newSerial, privateKeyToPem, x509 } from '../../lib/pki/x509';

export const DAY_MS = 86_400_000;

export interface SeenRequest {
  servername: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export class TlsEndpoints {
  readonly seen: SeenRequest[] = [];
  private readonly contexts = new Map<string, { ctx: SecureContext; notAfter: Date; certPem: string }>();
  private readonly statuses = new Map<string, number>();
  private server: Server | null = null;
  port = 0;

  private constructor(
    readonly ca: CertificateAuthority,
    private readonly dir: string,
  ) {}

  /** A CA in a temp directory; its certificate is `caPem` (what DCOC_EXTERNAL_CHECK_CA_FILE would hold). */
  static async create(): Promise<TlsEndpoints> {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-tls-endpoint-'));
    return new TlsEndpoints(await CertificateAuthority.loadOrCreate(join(dir, 'ca')), dir);
  }

  get caPem(): string {
    return this.ca.certPem;
  }

  /** Serves `hostname` with a certificate for `names` (default: the hostname) valid for `ttlMs` from now (negative: expired). */
  async serve(hostname: string, ttlMs: number, opts: { status?: number; names?: string[]; issuer?: CertificateAuthority | 'self' } = {}): Promise<Date> {
    const names = opts.names ?? [hostname];
    const issued = opts.issuer === 'self' ? await selfSigned(names, ttlMs) : await (opts.issuer ?? this.ca).issueServerCertificate(names, ttlMs);
    this.contexts.set(hostname, { ctx: createSecureContext({ cert: issued.certPem, key: issued.keyPem }), notAfter: issued.notAfter, certPem: issued.certPem });
    this.statuses.set(hostname, opts.status ?? 200);
    return issued.notAfter;
  }

  /** The certificate served for `hostname` (PEM). */
  certificateOf(hostname: string): string {
    const c = this.contexts.get(hostname);
    if (!c) throw new Error(`${hostname} is not served`);
    return c.certPem;
  }

  setStatus(hostname: string, status: number): void {
    this.statuses.set(hostname, status);
  }

  /** Listens on `host` (default 127.0.0.1), on port 0 or the one given. */
  async listen(host = '127.0.0.1', port = 0): Promise<number> {
    const fallback = () => this.contexts.values().next().value?.ctx;
    this.server = createServer(
      {
        // Every probe sends SNI (its hostname is a DNS name); an unknown name gets the first certificate.
        SNICallback: (name, cb) => cb(null, this.contexts.get(name)?.ctx ?? fallback()),
      },
      (req, res) => {
        const servername = (req.socket as unknown as { servername?: string | false }).servername || host;
        this.seen.push({ servername, method: req.method ?? '', path: req.url ?? '', headers: req.headers });
        const status = this.statuses.get(servername) ?? 404;
        if (status >= 300 && status < 400) res.setHeader('Location', 'https://elsewhere.example.org/login');
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ servername, path: req.url }));
      },
    );
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  async close(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A self-signed server certificate for `names` (its own issuer), and its key. */
export async function selfSigned(names: string[], ttlMs: number): Promise<{ certPem: string; keyPem: string; notAfter: Date }> {
  const keys = await generateKeys();
  const notAfter = new Date(Date.now() + ttlMs);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: `CN=${names[0]}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter,
    keys,
    signingAlgorithm: SIGN_ALG,
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value })))],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey), notAfter };
}

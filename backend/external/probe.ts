// One probe of one public endpoint, as a user's browser would reach it: GET,
// no credentials, no redirect followed, the response body never read. Over
// https the server's certificate is read even when it does not verify (so an
// expired or untrusted one still reports its expiry), and whether it verified
// against the trusted CAs is reported beside the HTTP answer.
import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { type PeerCertificate, type TLSSocket, checkServerIdentity, rootCertificates } from 'node:tls';
import { VERSION } from '../../lib/version';

export interface ProbeTarget {
  url: URL;
  /** Connect here instead of resolving the URL's host (DCOC_EXTERNAL_CHECK_ADDRESSES). */
  address?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** Extra trusted CA certificates (PEM), beside the system's. */
  extraCaPem?: string;
}

export interface ProbeResult {
  url: string;
  /** Up: an HTTP answer below 400 (a redirect is an answer; it is not followed). */
  up: boolean;
  httpStatus: number | null;
  latencyMs: number | null;
  checkedAt: Date;
  /** Why it is not ok, in words, or ''. */
  error: string;
  certificateNotAfter: Date | null;
  /** null over plain http, or when no certificate was received. */
  certificateValid: boolean | null;
  /** Why the certificate did not verify, in words, or ''. */
  certificateError: string;
}

/** Up, and over https a certificate that verifies. */
export const probeOk = (r: ProbeResult) => r.up && r.certificateValid !== false;

const USER_AGENT = `dcoc-external-check/${VERSION}`;

/** Node's and OpenSSL's codes in words, for an operator to act on. */
function connectionError(e: NodeJS.ErrnoException, host: string): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return `DNS: ${host} not found`;
    case 'EAI_AGAIN':
      return `DNS: looking up ${host} failed (temporary failure)`;
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `TLS handshake failed: ${e.message.split('\n')[0]}`;
    default:
      return e.code ? `${e.code}: ${e.message.split('\n')[0]}` : e.message.split('\n')[0];
  }
}

export function certificateError(code: string, hostname: string): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'certificate expired';
    case 'CERT_NOT_YET_VALID':
      return 'certificate not yet valid';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'certificate is self-signed and not trusted';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'certificate not issued by a trusted CA (add its CA with DCOC_EXTERNAL_CHECK_CA_FILE if it is a private one)';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `certificate does not name ${hostname}`;
    default:
      return `certificate does not verify: ${code}`;
  }
}

let trustedWithExtra: { pem: string; ca: string[] } | null = null;
/** Setting `ca` replaces Node's trust store: the system's roots plus the extra ones. */
function trusted(extraCaPem: string): string[] {
  if (trustedWithExtra?.pem !== extraCaPem) trustedWithExtra = { pem: extraCaPem, ca: [...rootCertificates, extraCaPem] };
  return trustedWithExtra.ca;
}

export function probe(target: ProbeTarget, opts: ProbeOptions): Promise<ProbeResult> {
  const { url } = target;
  const https = url.protocol === 'https:';
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const checkedAt = new Date();
  const started = performance.now();
  let cert: { notAfter: Date | null; valid: boolean; error: string } | null = null;

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const finish = (r: Partial<ProbeResult> & { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({
        url: url.toString(),
        up: false,
        httpStatus: null,
        latencyMs: null,
        checkedAt,
        certificateNotAfter: cert?.notAfter ?? null,
        certificateValid: cert ? cert.valid : null,
        certificateError: cert?.error ?? '',
        ...r,
      });
    };
    const common = {
      method: 'GET',
      host: target.address ?? hostname,
      port: url.port || (https ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      // A fresh connection every time: the handshake, and so the certificate, is measured each probe.
      agent: false as const,
      headers: { Host: url.host, 'User-Agent': USER_AGENT, Accept: '*/*', Connection: 'close' },
    };
    const req: ClientRequest = https
      ? httpsRequest({
          ...common,
          // SNI carries a name, never an address.
          servername: isIP(hostname) ? undefined : hostname,
          // Verified by hand below, so an untrusted or expired certificate is still read.
          rejectUnauthorized: false,
          checkServerIdentity: (_host: string, c: PeerCertificate) => checkServerIdentity(hostname, c),
          ...(opts.extraCaPem ? { ca: trusted(opts.extraCaPem) } : {}),
        })
      : httpRequest(common);

    req.on('socket', (socket) => {
      if (!https) return;
      socket.once('secureConnect', () => {
        const s = socket as TLSSocket;
        const peer = s.getPeerCertificate();
        const notAfter = peer?.valid_to ? new Date(peer.valid_to) : null;
        const code = s.authorizationError ? String(s.authorizationError) : '';
        cert = {
          notAfter: notAfter && !Number.isNaN(notAfter.getTime()) ? notAfter : null,
          valid: s.authorized,
          error: s.authorized ? '' : certificateError(code, hostname),
        };
      });
    });
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      // The body is not wanted: only that the server answered, and how.
      res.destroy();
      const up = status >= 100 && status < 400;
      const certProblem = cert && !cert.valid ? cert.error : '';
      finish({ up, httpStatus: status, latencyMs, error: up ? certProblem : [`HTTP ${status}`, certProblem].filter(Boolean).join('; ') });
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: connectionError(e, hostname) }));
    const timer = setTimeout(() => finish({ error: `timeout: no answer within ${opts.timeoutMs / 1000} s` }), opts.timeoutMs);
    req.end();
  });
}

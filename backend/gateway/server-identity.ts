// The certificate the agent-facing listeners present, replaced while they run:
// one the CA issued is renewed when two thirds of its lifetime have passed; one
// from files (DCOC_TLS_CERT_FILE, e.g. a Secret cert-manager renews) is read
// again when the files change. New TLS handshakes get the new certificate;
// open agent streams keep theirs.
import type { experimental } from '@grpc/grpc-js';
import type { Logger } from '../../lib/logger';

type Provider = experimental.CertificateProvider;
type CaListener = experimental.CaCertificateUpdateListener;
type IdListener = experimental.IdentityCertificateUpdateListener;

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  /** When it stops being valid (issued ones; for files, read from the certificate). */
  notAfter: Date;
}

export class ServerIdentity implements Provider {
  private readonly caListeners = new Set<CaListener>();
  private readonly idListeners = new Set<IdListener>();
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly caPem: string,
    private current: ServerCertificate,
  ) {}

  get certificate(): ServerCertificate {
    return this.current;
  }

  replace(next: ServerCertificate): void {
    this.current = next;
    for (const l of this.idListeners) l(this.identity());
  }

  /**
   * Keeps the certificate fresh: `renew` is asked for a new one every `checkMs`
   * once `due` says so; a failure is logged and tried again at the next check.
   */
  keepFresh(opts: { checkMs: number; due: (c: ServerCertificate) => boolean; renew: () => Promise<ServerCertificate>; log: Logger }): void {
    const timer = setInterval(() => {
      if (!opts.due(this.current)) return;
      opts.renew().then(
        (next) => {
          this.replace(next);
          opts.log.info({ notAfter: next.notAfter.toISOString() }, 'agent gateway certificate replaced');
        },
        (e: Error) => opts.log.error({ err: e.message }, 'could not replace the agent gateway certificate; trying again later'),
      );
    }, opts.checkMs);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
  }

  /** Stops `stop` too when this identity stops (a watcher that calls replace()). */
  stopWith(stop: () => void): void {
    this.stops.push(stop);
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
  }

  private identity() {
    return { certificate: Buffer.from(this.current.certPem), privateKey: Buffer.from(this.current.keyPem) };
  }

  // grpc-js adds its listeners before the watcher that applies what they hear:
  // the first answer must come after that (a microtask later), or it is lost and
  // the listener refuses every connection.
  addCaCertificateListener(l: CaListener): void {
    this.caListeners.add(l);
    queueMicrotask(() => {
      if (this.caListeners.has(l)) l({ caCertificate: Buffer.from(this.caPem) });
    });
  }
  removeCaCertificateListener(l: CaListener): void {
    this.caListeners.delete(l);
  }
  addIdentityCertificateListener(l: IdListener): void {
    this.idListeners.add(l);
    queueMicrotask(() => {
      if (this.idListeners.has(l)) l(this.identity());
    });
  }
  removeIdentityCertificateListener(l: IdListener): void {
    this.idListeners.delete(l);
  }
}

/** Renew an issued certificate once two thirds of its lifetime are gone. */
export const renewAtTwoThirds = (issuedAt: () => number) => (c: ServerCertificate) => Date.now() >= issuedAt() + ((c.notAfter.getTime() - issuedAt()) * 2) / 3;

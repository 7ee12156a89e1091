// The fleet /metrics before issue 19 (one registry, every series of every commons), kept only for `npm run bench -- --metrics` to compare against.
// dcoc_external_*: the external checks' last results, computed at scrape time
// from the fleet (a commons removed stops being exported at once). Labels are
// bounded: commons and environment from the fleet, endpoint the configured
// path; nothing the probed server says becomes a label.
import { Gauge, type Registry } from 'prom-client';
import type { ExternalChecks } from '../../../backend/external/checks';
import { probeOk } from '../../../backend/external/probe';
import type { Fleet } from '../../../backend/fleet/fleet';

type Labels = 'commons' | 'environment' | 'endpoint';

export function registerExternalCheckMetrics(r: Registry, fleet: Pick<Fleet, 'all'>, checks: Pick<ExternalChecks, 'enabled' | 'endpoints'>): void {
  const gauge = (name: string, help: string, value: (res: NonNullable<ReturnType<ExternalChecks['endpoints']>[number]['result']>) => number | null) =>
    new Gauge<Labels>({
      name,
      help,
      labelNames: ['commons', 'environment', 'endpoint'],
      registers: [r],
      collect() {
        this.reset();
        if (!checks.enabled) return;
        for (const c of fleet.all()) {
          for (const { endpoint, result } of checks.endpoints(c)) {
            if (!result) continue;
            const v = value(result);
            if (v !== null) this.set({ commons: c.id, environment: c.environment, endpoint }, v);
          }
        }
      },
    });
  gauge('dcoc_external_up', '1 when the public endpoint answered with an HTTP status below 400 at the last probe from this replica, else 0.', (x) => (x.up ? 1 : 0));
  gauge('dcoc_external_ok', '1 when the endpoint is up and, over https, its certificate verifies; else 0.', (x) => (probeOk(x) ? 1 : 0));
  gauge('dcoc_external_probe_duration_seconds', 'Time to the response headers at the last probe (DNS, connect, TLS included); absent when it got no answer.', (x) =>
    x.latencyMs === null ? null : x.latencyMs / 1000,
  );
  gauge('dcoc_external_http_status', 'The HTTP status of the last probe; 0 when there was no answer (refused, DNS, timeout).', (x) => x.httpStatus ?? 0);
  gauge('dcoc_external_tls_cert_expiry_timestamp_seconds', "The server certificate's notAfter (Unix seconds), read even when it does not verify.", (x) =>
    x.certificateNotAfter ? x.certificateNotAfter.getTime() / 1000 : null,
  );
  gauge('dcoc_external_tls_cert_valid', '1 when the certificate chain verified against the trusted CAs (system plus DCOC_EXTERNAL_CHECK_CA_FILE) and names the host, else 0.', (x) =>
    x.certificateValid === null ? null : x.certificateValid ? 1 : 0,
  );
  gauge('dcoc_external_last_probe_timestamp_seconds', 'When the endpoint was last probed from this replica.', (x) => x.checkedAt.getTime() / 1000);
}

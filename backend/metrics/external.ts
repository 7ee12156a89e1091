// dcoc_external_*: the external checks' last results, computed at scrape time
// from the fleet (a commons removed stops being exported at once). Labels are
// bounded: commons and environment from the fleet, endpoint the configured
// path; nothing the probed server says becomes a label. Per commons x
// endpoint, so served with the commons' detail (/metrics/commons/{id}).
import type { ExternalChecks } from '../external/checks';
import { probeOk } from '../external/probe';
import type { LiveCommons } from '../fleet/fleet';
import { Family } from './text';

type Result = NonNullable<ReturnType<ExternalChecks['endpoints']>[number]['result']>;

const GAUGES: [name: string, help: string, value: (res: Result) => number | null][] = [
  ['dcoc_external_up', '1 when the public endpoint answered with an HTTP status below 400 at the last probe from this replica, else 0.', (x) => (x.up ? 1 : 0)],
  ['dcoc_external_ok', '1 when the endpoint is up and, over https, its certificate verifies; else 0.', (x) => (probeOk(x) ? 1 : 0)],
  ['dcoc_external_probe_duration_seconds', 'Time to the response headers at the last probe (DNS, connect, TLS included); absent when it got no answer.', (x) => (x.latencyMs === null ? null : x.latencyMs / 1000)],
  ['dcoc_external_http_status', 'The HTTP status of the last probe; 0 when there was no answer (refused, DNS, timeout).', (x) => x.httpStatus ?? 0],
  ['dcoc_external_tls_cert_expiry_timestamp_seconds', "The server certificate's notAfter (Unix seconds), read even when it does not verify.", (x) => (x.certificateNotAfter ? x.certificateNotAfter.getTime() / 1000 : null)],
  [
    'dcoc_external_tls_cert_valid',
    '1 when the certificate chain verified against the trusted CAs (system plus DCOC_EXTERNAL_CHECK_CA_FILE) and names the host, else 0.',
    (x) => (x.certificateValid === null ? null : x.certificateValid ? 1 : 0),
  ],
  ['dcoc_external_last_probe_timestamp_seconds', 'When the endpoint was last probed from this replica.', (x) => x.checkedAt.getTime() / 1000],
];

export function externalCheckFamilies(c: LiveCommons, checks: Pick<ExternalChecks, 'enabled' | 'endpoints'> | undefined): Family[] {
  const families = GAUGES.map(([name, help]) => new Family(name, `${help} Per commons x endpoint: /metrics/commons/{id}.`, 'gauge'));
  if (!checks?.enabled) return families;
  for (const { endpoint, result } of checks.endpoints(c)) {
    if (!result) continue;
    GAUGES.forEach(([, , value], i) => {
      const v = value(result);
      if (v !== null) families[i].sample({ commons: c.id, environment: c.environment, endpoint }, v);
    });
  }
  return families;
}

// Inside a commons, beside its services: Kubernetes events as a timeline per
// service (warnings first, a service filter), CPU and memory per service
// against requests and limits ("—" with the reason without metrics-server),
// and the external checks with certificate expiry; each as far as the role allows.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { CommonsResources, ExternalCheckView, KubeEventView } from '../../contracts/api';
import { testIds } from '../../src/testIds';
import { detail, service, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { renderApp } from './support/render';

const PAGE = '/a/gen3-dcoc-app/commons/midrc';
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const daysFromNow = (n: number) => new Date(Date.now() + n * 86_400_000 + 3_600_000).toISOString();
const MiB = 1024 * 1024;

function kubeEvent(over: Partial<KubeEventView>): KubeEventView {
  return { type: 'Normal', reason: 'Pulled', message: 'Container image already present on machine', objectKind: 'Pod', objectName: 'fence-deployment-1-abcde', service: 'fence', count: 1, firstTime: minutesAgo(5), lastTime: minutesAgo(5), source: 'kubelet', ...over };
}

// Warnings first, then newest first: the order the control service answers in.
const EVENTS: KubeEventView[] = [
  kubeEvent({ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container indexd', objectName: 'indexd-deployment-2-xyz12', service: 'indexd', count: 7, lastTime: minutesAgo(1) }),
  kubeEvent({ type: 'Warning', reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient memory.', objectName: 'sheepdog-deployment-1-qwert', service: 'sheepdog', lastTime: minutesAgo(2) }),
  kubeEvent({ reason: 'ScalingReplicaSet', message: 'Scaled up replica set fence-deployment-1 to 2', objectKind: 'Deployment', objectName: 'fence-deployment', lastTime: minutesAgo(3) }),
  kubeEvent({ reason: 'Started', message: 'Started container indexd', objectName: 'indexd-deployment-2-xyz12', service: 'indexd', lastTime: minutesAgo(4) }),
  kubeEvent({ reason: 'Provisioning', message: 'External provisioner is provisioning volume', objectKind: 'PersistentVolumeClaim', objectName: 'data-0', service: null, lastTime: minutesAgo(6) }),
];

const RESOURCES: CommonsResources = {
  available: true,
  detail: '',
  items: [
    { service: 'fence', pods: 2, cpuCores: 0.123, memoryBytes: 300 * MiB, cpuRequestCores: 0.2, cpuLimitCores: 2, memoryRequestBytes: 256 * MiB, memoryLimitBytes: 1024 * MiB },
    { service: 'indexd', pods: 3, cpuCores: 1.5, memoryBytes: 2.5 * 1024 * MiB, cpuRequestCores: null, cpuLimitCores: null, memoryRequestBytes: 512 * MiB, memoryLimitBytes: null },
  ],
};

function check(over: Partial<ExternalCheckView>): ExternalCheckView {
  return { url: 'https://data.midrc.org/', ok: true, httpStatus: 200, latencyMs: 84.4, checkedAt: minutesAgo(1), error: '', certificateNotAfter: daysFromNow(60), certificateValid: true, ...over };
}

function page(role: 'viewer' | 'developer', over: { resources?: unknown; events?: unknown; checks?: unknown } = {}) {
  return new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: whoami(role) })
    .on('GET', 'commons/midrc', { data: detail('midrc', [service('fence'), service('indexd'), service('sheepdog')]) })
    .on('GET', 'commons/midrc/jobs', { data: { items: [], reported: true, reportedAt: null } })
    .on('GET', 'commands', { data: { items: [] } })
    .on('GET', 'commons/midrc/config/revisions', { data: { items: [] } })
    .on('GET', 'commons/midrc/revisions', { data: { items: [] } })
    .on('GET', 'commons/midrc/resources', { data: over.resources ?? RESOURCES })
    .on('GET', 'commons/midrc/kubernetes-events', (call) => ({ data: over.events ?? { items: EVENTS.filter((e) => !call.params.service || e.service === call.params.service) } }))
    .on('GET', 'commons/midrc/backups', { data: { items: [], lastSuccessAt: null, maxAgeSeconds: 129600, schedule: null } })
    .on('GET', 'commons/midrc/external-checks', { data: over.checks ?? { items: [] } });
}

describe('Kubernetes events', () => {
  it('a timeline per service, services with warnings first, warnings marked; a service filter asks the server', async () => {
    const g = page('developer');
    renderApp(PAGE);
    const panel = await screen.findByTestId(testIds.commons.kubeEvents);
    await waitFor(() => expect(within(panel).getAllByTestId(testIds.commons.kubeEvent)).toHaveLength(5));
    const groups = Array.from(panel.querySelectorAll('[data-testid^="dcoc-kube-events-group-"]')).map((el) => el.getAttribute('data-testid')!.replace('dcoc-kube-events-group-', ''));
    expect(groups).toEqual(['indexd', 'sheepdog', 'fence', 'other']);
    const indexd = screen.getByTestId(testIds.commons.kubeEventGroup('indexd'));
    expect(indexd).toHaveTextContent('1 warning');
    const [backoff, started] = within(indexd).getAllByTestId(testIds.commons.kubeEvent);
    expect(backoff).toHaveAttribute('data-type', 'Warning');
    expect(backoff).toHaveTextContent('BackOff');
    expect(backoff).toHaveTextContent('pod/indexd-deployment-2-xyz12');
    expect(backoff).toHaveTextContent('×7');
    expect(backoff).toHaveTextContent('Back-off restarting failed container indexd');
    expect(started).toHaveAttribute('data-type', 'Normal');
    expect(screen.getByTestId(testIds.commons.kubeEventGroup('other'))).toHaveTextContent('Not of a service');

    await userEvent.click(within(screen.getByTestId(testIds.commons.kubeEventsService)).getByRole('combobox'));
    await userEvent.click(await screen.findByRole('option', { name: 'sheepdog' }));
    await waitFor(() => expect(within(panel).getAllByTestId(testIds.commons.kubeEvent)).toHaveLength(1));
    expect(g.callsTo('GET', 'commons/midrc/kubernetes-events').at(-1)?.params).toEqual({ service: 'sheepdog' });
  });

  it('a viewer is told they need the developer role, and nothing is read', async () => {
    const g = page('viewer');
    renderApp(PAGE);
    await screen.findByTestId(testIds.commons.serviceRow('fence'));
    expect(screen.queryByTestId(testIds.commons.kubeEvents)).not.toBeInTheDocument();
    expect(screen.getAllByTestId(testIds.state.forbidden).some((el) => el.textContent?.includes('Kubernetes events'))).toBe(true);
    expect(g.callsTo('GET', 'commons/midrc/kubernetes-events')).toHaveLength(0);
  });
});

describe('resources in the services table', () => {
  it('CPU and memory used against requests and limits, per service', async () => {
    page('developer');
    renderApp(PAGE);
    await waitFor(() => expect(screen.getByTestId(testIds.commons.serviceCpu('fence'))).toHaveTextContent('123m'));
    const fenceCpu = screen.getByTestId(testIds.commons.serviceCpu('fence'));
    expect(fenceCpu).toHaveTextContent('req 200m · lim 2.00');
    expect(screen.getByTestId(testIds.commons.serviceMemory('fence'))).toHaveTextContent('300 MiB');
    expect(screen.getByTestId(testIds.commons.serviceMemory('fence'))).toHaveTextContent('req 256 MiB · lim 1.0 GiB');
    expect(screen.getByTestId(testIds.commons.serviceCpu('indexd'))).toHaveTextContent('req not set · lim not set');
    expect(screen.getByTestId(testIds.commons.serviceMemory('indexd'))).toHaveTextContent('2.5 GiB');
    // A service with no pods measured.
    expect(screen.getByTestId(testIds.commons.serviceCpu('sheepdog'))).toHaveAttribute('aria-label', 'not available: no metrics for its pods');
  });

  it('"—" with the reason when metrics-server is not available', async () => {
    page('developer', { resources: { available: false, detail: 'metrics.k8s.io is not served by this cluster: install metrics-server', items: [] } });
    renderApp(PAGE);
    const cell = await screen.findByTestId(testIds.commons.serviceCpu('fence'));
    await waitFor(() => expect(cell).toHaveAttribute('aria-label', 'not available: metrics.k8s.io is not served by this cluster: install metrics-server'));
    expect(cell).toHaveTextContent('—');
    await userEvent.hover(cell);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('install metrics-server');
  });

  it('not shown to a viewer, and not read', async () => {
    const g = page('viewer');
    renderApp(PAGE);
    await screen.findByTestId(testIds.commons.serviceRow('fence'));
    expect(screen.queryByText('CPU')).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.commons.serviceCpu('fence'))).not.toBeInTheDocument();
    expect(g.callsTo('GET', 'commons/midrc/resources')).toHaveLength(0);
  });
});

describe('external checks', () => {
  it('URL, status, latency and the days the certificate has left, a warning under 14 days; shown to viewers too', async () => {
    page('viewer', {
      checks: {
        items: [
          check({}),
          check({ url: 'https://data.midrc.org/user/_status', certificateNotAfter: daysFromNow(9), latencyMs: 12 }),
          check({ url: 'https://data.midrc.org/index/_status', ok: false, httpStatus: 503, error: 'HTTP 503', certificateNotAfter: daysFromNow(-2), certificateValid: false }),
        ],
      },
    });
    renderApp(PAGE);
    const table = await screen.findByTestId(testIds.commons.externalChecks);
    const row0 = within(table).getByTestId(testIds.commons.externalCheckRow(0));
    expect(row0).toHaveTextContent('https://data.midrc.org/');
    expect(row0).toHaveTextContent('healthy');
    expect(row0).toHaveTextContent('84 ms');
    expect(screen.getByTestId(testIds.commons.externalCheckCert(0))).toHaveTextContent('60 days left');
    const soon = screen.getByTestId(testIds.commons.externalCheckCert(1));
    expect(soon).toHaveTextContent('9 days left');
    expect(soon.querySelector('[data-days-left]')?.className).not.toBe(screen.getByTestId(testIds.commons.externalCheckCert(0)).querySelector('[data-days-left]')?.className);
    const row2 = screen.getByTestId(testIds.commons.externalCheckRow(2));
    expect(row2).toHaveTextContent('down');
    expect(row2).toHaveTextContent('HTTP 503');
    expect(screen.getByTestId(testIds.commons.externalCheckCert(2))).toHaveTextContent('expired 2 days ago · does not verify');
  });
});

// The commons page's log viewer: a service's pods merged with their names,
// newest first, a pod filter, follow over Grafana Live (channel
// ds/<uid>/logs/<commons>/<service>), polling when Live is unavailable, the
// previous container, the server-side text filter, a Job's logs from
// ?logs=job:<name>, "Open in Explore"; not offered to a viewer.
import { LiveChannelConnectionState, LiveChannelEventType, LogLevel, type LiveChannelEvent } from '@grafana/data';
import { setGrafanaLiveSrv, type GrafanaLiveSrv } from '@grafana/runtime';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LogLineView, LogsView } from '../../contracts/api';
import { mergeLines } from '../../src/pages/commons/logs/logBuffer';
import { levelOf } from '../../src/pages/commons/logs/logLevel';
import { jobLogsHref, serviceLogsHref } from '../../src/pages/commons/logLink';
import { testIds } from '../../src/testIds';
import { detail, service, whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { renderApp } from './support/render';

const PAGE = '/a/gen3-dcoc-app/commons/midrc';
const FENCE_LOGS = 'commons/midrc/services/fence/logs';
const POD_A = 'fence-deployment-7d9c6b7f5-abcde';
const POD_B = 'fence-deployment-7d9c6b7f5-fghij';
const secondsAgo = (n: number) => new Date(Date.now() - n * 1000).toISOString();
const line = (pod: string, text: string, time: string | null = new Date().toISOString()): LogLineView => ({ time, pod, container: 'fence', line: text });

function page(role: 'viewer' | 'developer' | 'operator', logs: LogsView = { items: [], pods: [POD_A, POD_B], truncated: false }) {
  return new FakeGrafana()
    .install()
    .on('GET', 'whoami', { data: whoami(role) })
    .on('GET', 'commons/midrc', { data: detail('midrc', [service('fence'), service('indexd')]) })
    .on('GET', 'commons/midrc/jobs', { data: { items: [], reported: true, reportedAt: null } })
    .on('GET', 'commands', { data: { items: [] } })
    .on('GET', 'commons/midrc/config/revisions', { data: { items: [] } })
    .on('GET', 'commons/midrc/revisions', { data: { items: [] } })
    .on('GET', 'commons/midrc/resources', { data: { available: true, detail: '', items: [] } })
    .on('GET', 'commons/midrc/kubernetes-events', { data: { items: [] } })
    .on('GET', 'commons/midrc/backups', { data: { items: [], lastSuccessAt: null, maxAgeSeconds: 129600, schedule: null } })
    .on('GET', 'commons/midrc/external-checks', { data: { items: [] } })
    .on('GET', FENCE_LOGS, { data: logs });
}

const shownLines = () => screen.queryAllByTestId(testIds.commons.logLine);
const texts = () => shownLines().map((el) => `${el.getAttribute('data-pod')}|${el.textContent}`);
const liveLogAddresses = (g: FakeGrafana) => g.liveAddresses.filter((a) => a.path.startsWith('logs/'));

async function choose(testId: string, option: string | RegExp) {
  await userEvent.click(screen.getByTestId(testId).querySelector('input')!);
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('log viewer', () => {
  it('merges every replica with its pod name, newest first, and filters by pod', async () => {
    const g = page('developer', { items: [line(POD_A, 'started fence', secondsAgo(30)), line(POD_B, 'started fence too', secondsAgo(20)), line(POD_A, 'GET /user 200', secondsAgo(10))], pods: [POD_A, POD_B], truncated: false });
    renderApp(`${PAGE}?logs=service:fence`);
    await waitFor(() => expect(shownLines()).toHaveLength(3));
    expect(texts().map((t) => t.split('|')[0])).toEqual([POD_A, POD_B, POD_A]);
    expect(shownLines()[0]).toHaveTextContent('GET /user 200');
    expect(shownLines()[0]).toHaveTextContent(POD_A);
    expect(shownLines()[2]).toHaveTextContent('started fence');
    const read = g.callsTo('GET', FENCE_LOGS)[0];
    expect(read.params).toMatchObject({ tail: 500 });
    expect(Date.parse(String(read.params.since))).toBeLessThan(Date.now() - 59 * 60_000);
    expect(read.params.previous).toBeUndefined();
    expect(screen.getByTestId(testIds.commons.logsState)).toHaveTextContent('from 2 pods');

    await choose(testIds.commons.logsPod, POD_B);
    await waitFor(() => expect(shownLines()).toHaveLength(1));
    expect(shownLines()[0]).toHaveAttribute('data-pod', POD_B);
  });

  it('follows over Grafana Live: new lines of every pod arrive on ds/<uid>/logs/<commons>/<service>, coloured by level', async () => {
    const g = page('developer');
    renderApp(`${PAGE}?logs=service:fence`);
    await waitFor(() => expect(liveLogAddresses(g)).toHaveLength(1));
    expect(liveLogAddresses(g)[0]).toMatchObject({ scope: 'ds', stream: 'dcoc-ds', namespace: 'dcoc-ds', path: 'logs/midrc/fence' });
    await waitFor(() => expect(screen.getByTestId(testIds.commons.logsState)).toHaveAttribute('data-state', 'live'));
    g.emit({ lines: [line(POD_A, 'level=error msg="db down"'), line(POD_B, '{"level":"warning","msg":"slow"}')], pods: [POD_A, POD_B] });
    await waitFor(() => expect(shownLines()).toHaveLength(2));
    const byPod = Object.fromEntries(shownLines().map((el) => [el.getAttribute('data-pod'), el.getAttribute('data-level')]));
    expect(byPod).toEqual({ [POD_A]: LogLevel.error, [POD_B]: LogLevel.warning });
    // The same line twice (a tail overlapping the first read) shows once.
    const again = line(POD_A, 'INFO ready', secondsAgo(1));
    g.emit({ lines: [again] });
    g.emit({ lines: [again] });
    await waitFor(() => expect(shownLines()).toHaveLength(3));
    // Events of the commons' own stream on the same Live are not log lines.
    g.emit({ id: 9, at: new Date().toISOString(), type: 'service.status', commons: 'midrc', service: 'fence', status: 'down', previous: 'healthy', reason: '' });
    expect(shownLines()).toHaveLength(3);

    // Follow off: the subscription ends and lines stop coming.
    await userEvent.click(screen.getByTestId(testIds.commons.logsFollow));
    await waitFor(() => expect(screen.getByTestId(testIds.commons.logsState)).toHaveAttribute('data-state', 'paused'));
    g.emit({ lines: [line(POD_B, 'after follow stopped')] });
    expect(screen.queryByText('after follow stopped')).not.toBeInTheDocument();
  });

  it('sends the text filter to the server, on the read and on the Live channel', async () => {
    const g = page('developer');
    renderApp(`${PAGE}?logs=service:fence`);
    await waitFor(() => expect(g.callsTo('GET', FENCE_LOGS)).toHaveLength(1));
    await userEvent.type(screen.getByTestId(testIds.commons.logsFilter), 'user ñ/1{enter}');
    await waitFor(() => expect(g.callsTo('GET', FENCE_LOGS).at(-1)?.params.filter).toBe('user ñ/1'));
    // base64url of the UTF-8 text, the form plugin/datasource/log-channel.ts reads.
    await waitFor(() => expect(liveLogAddresses(g).at(-1)?.path).toBe(`logs/midrc/fence/filter/${Buffer.from('user ñ/1').toString('base64url')}`));
  });

  it("reads the previous container's lines, and does not follow them", async () => {
    const g = page('developer');
    renderApp(`${PAGE}?logs=service:fence`);
    await waitFor(() => expect(liveLogAddresses(g)).toHaveLength(1));
    await userEvent.click(screen.getByTestId(testIds.commons.logsPrevious));
    await waitFor(() => expect(g.callsTo('GET', FENCE_LOGS).at(-1)?.params.previous).toBe('true'));
    expect(screen.getByTestId(testIds.commons.logsFollow)).toBeDisabled();
    expect(screen.getByTestId(testIds.commons.logsState)).toHaveAttribute('data-state', 'paused');
  });

  it('polls with `since` when Live is unavailable', async () => {
    const firstTime = secondsAgo(5);
    const g = page('developer', { items: [line(POD_A, 'first', firstTime)], pods: [POD_A], truncated: false });
    // Live refuses, as Grafana does with Live off or a refused subscription.
    setGrafanaLiveSrv({
      getStream: () => of({ type: LiveChannelEventType.Status, id: 'x', timestamp: Date.now(), state: LiveChannelConnectionState.Invalid, error: 'denied' } as LiveChannelEvent<unknown>),
    } as unknown as GrafanaLiveSrv);
    renderApp(`${PAGE}?logs=service:fence`);
    await waitFor(() => expect(shownLines()).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId(testIds.commons.logsState)).toHaveAttribute('data-state', 'polling'));
    g.on('GET', FENCE_LOGS, { data: { items: [line(POD_A, 'first', firstTime), line(POD_B, 'second')], pods: [POD_A, POD_B], truncated: false } });
    await waitFor(() => expect(shownLines()).toHaveLength(2));
    const poll = g.callsTo('GET', FENCE_LOGS)[1];
    expect(poll.params.since).toBe(firstTime);
    expect(texts()[0]).toMatch(new RegExp(`^${POD_B}\\|.*second`));
  });

  it('opens on a Job from ?logs=job:<name>, and says when lines were left out', async () => {
    const job = 'fence-delete-expired-clients-29400425';
    const g = page('operator').on('GET', `commons/midrc/job-runs/${job}/logs`, { data: { items: [line(`${job}-x7k2p`, 'deleted 3 expired clients')], pods: [`${job}-x7k2p`], truncated: true } });
    renderApp(jobLogsHref('midrc', job).replace('/a/gen3-dcoc-app/commons/midrc', PAGE));
    await waitFor(() => expect(shownLines()).toHaveLength(1));
    expect(shownLines()[0]).toHaveTextContent('deleted 3 expired clients');
    expect(screen.getByTestId(testIds.commons.logsNotice)).toHaveTextContent('Some lines were left out');
    expect(screen.getByTestId(testIds.commons.logsTarget).querySelector('input')).toHaveValue(`Job ${job}`);
    // A Job has no Live stream: it is polled while followed.
    expect(liveLogAddresses(g)).toHaveLength(0);
    expect(g.callsTo('GET', FENCE_LOGS)).toHaveLength(0);
  });

  it('offers Grafana’s own log view: Explore with the data source’s logs query', async () => {
    page('developer');
    renderApp(serviceLogsHref('midrc', 'fence'));
    const link = await screen.findByTestId(testIds.commons.logsExplore);
    const href = link.getAttribute('href') ?? '';
    expect(href.startsWith('/explore?schemaVersion=1&panes=')).toBe(true);
    const panes = JSON.parse(decodeURIComponent(href.split('panes=')[1])) as Record<string, { queries: Record<string, unknown>[]; range: unknown }>;
    expect(Object.values(panes)[0].queries[0]).toMatchObject({ queryType: 'logs', commons: 'midrc', service: 'fence', datasource: { type: 'gen3-dcoc-datasource', uid: 'dcoc-ds' } });
    expect(Object.values(panes)[0].range).toEqual({ from: 'now-60m', to: 'now' });
  });

  it('a service row opens the viewer on that service', async () => {
    const g = page('developer').on('GET', 'commons/midrc/services/indexd/logs', { data: { items: [line('indexd-deployment-1-aaaaa', 'indexd up')], pods: ['indexd-deployment-1-aaaaa'], truncated: false } });
    renderApp(PAGE);
    await userEvent.click(await screen.findByTestId(testIds.commons.serviceLogs('indexd')));
    await waitFor(() => expect(shownLines()).toHaveLength(1));
    expect(g.callsTo('GET', 'commons/midrc/services/indexd/logs')).toHaveLength(1);
  });

  it('is not offered to a viewer, who causes no log reads or Live log subscriptions', async () => {
    const g = page('viewer');
    renderApp(`${PAGE}?logs=service:fence`);
    await screen.findByTestId(testIds.commons.serviceRow('fence'));
    expect(screen.queryByTestId(testIds.commons.logs)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.commons.serviceLogs('fence'))).not.toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.commons.page)).queryByText('Logs')).not.toBeInTheDocument();
    expect(g.calls.filter((c) => c.url.includes('/logs'))).toHaveLength(0);
    expect(liveLogAddresses(g)).toHaveLength(0);
  });
});

describe('log buffer and levels', () => {
  it('keeps the newest lines within the bound, each once, in time order', () => {
    const lines = Array.from({ length: 30 }, (_, i) => line(POD_A, `l${i}`, new Date(1_700_000_000_000 + i * 1000).toISOString()));
    let kept = mergeLines([], lines.slice(10), 25);
    kept = mergeLines(kept, lines.slice(0, 15), 25);
    expect(kept.map((l) => l.line)).toEqual(lines.slice(5).map((l) => l.line));
    expect(mergeLines(kept, [lines[29]], 25)).toBe(kept);
  });

  it('reads levels as Grafana names them: keyed fields first, then the first level word', () => {
    expect(levelOf('time=1 level=warn msg="error budget fine"')).toBe(LogLevel.warning);
    expect(levelOf('{"levelname": "ERROR", "message": "x"}')).toBe(LogLevel.error);
    expect(levelOf('[2026-07-01 10:00:00,123][fence][CRITICAL] boom')).toBe(LogLevel.critical);
    expect(levelOf('10.0.0.1 - - "GET /_status HTTP/1.1" 200')).toBe(LogLevel.unknown);
    expect(levelOf('DEBUG sql: select 1')).toBe(LogLevel.debug);
  });
});

import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { whoami } from './support/fixtures';
import { FakeGrafana, type RecordedCall } from './support/grafana';
import { renderApp } from './support/render';

const NIGHTLY = {
  id: '11111111-1111-4111-8111-111111111111',
  spec: { name: 'Sunday patching', kind: 'maintenance', target: { group: 'production' }, schedule: { cron: '0 2 * * sun', durationMinutes: 120 }, timeZone: 'America/Chicago', reason: 'OS patches', silence: true, maintenanceMode: true, actions: [{ kind: 'restart', services: ['fence'] }], allowOverride: true },
  createdBy: 'olga',
  updatedBy: 'olga',
  updatedAt: '2026-12-01T00:00:00Z',
  current: { start: '2026-12-06T08:00:00.000Z', end: '2026-12-06T10:00:00.000Z' },
  next: [{ start: '2026-12-13T08:00:00.000Z', end: '2026-12-13T10:00:00.000Z' }],
  runs: [{ start: '2026-12-06T08:00:00.000Z', end: '2026-12-06T10:00:00.000Z', state: 'active', startedAt: '2026-12-06T08:00:01.000Z', endedAt: null, late: false, commons: ['brh'], silenceIds: ['s-1'], results: ['silence s-1 for brh until 2026-12-06T10:00:00.000Z'] }],
};
const FREEZE = { ...NIGHTLY, id: '22222222-2222-4222-8222-222222222222', spec: { ...NIGHTLY.spec, name: 'Year-end freeze', kind: 'deny', silence: false, maintenanceMode: false, actions: [] }, current: null, runs: [] };

/** What the control service answers for the preview: two Sundays across the DST change in Chicago. */
const preview = (call: RecordedCall) => ({
  data: {
    timeZone: call.params.timeZone,
    items:
      call.params.cron === '0 2 * * sun'
        ? [
            { start: '2026-03-01T08:00:00.000Z', end: '2026-03-01T10:00:00.000Z', localStart: '2026-03-01 02:00 CST (UTC−06:00)', localEnd: '2026-03-01 04:00 CST (UTC−06:00)' },
            { start: '2026-03-08T08:00:00.000Z', end: '2026-03-08T10:00:00.000Z', localStart: '2026-03-08 03:00 CDT (UTC−05:00)', localEnd: '2026-03-08 05:00 CDT (UTC−05:00)' },
          ]
        : [],
  },
});

let g: FakeGrafana;
beforeEach(() => {
  g = new FakeGrafana()
    .install()
    .on('GET', 'windows', { data: { items: [NIGHTLY, FREEZE] } })
    .on('GET', 'groups', { data: { items: [{ name: 'production', description: '', selector: { matchLabels: {}, matchExpressions: [] }, selectorText: '', commons: ['brh'], updatedBy: 'a', updatedAt: '2026-12-01T00:00:00Z' }] } })
    .on('GET', 'windows/preview', preview);
});

describe('maintenance page', () => {
  it('shows each window, whether it is in progress and its last run; a viewer is offered no change', async () => {
    g.on('GET', 'whoami', { data: whoami('viewer') });
    renderApp('/a/gen3-dcoc-app/maintenance');
    const row = await screen.findByTestId(testIds.maintenance.row(NIGHTLY.id));
    expect(row).toHaveTextContent('In progress until 2026-12-06T10:00:00.000Z');
    expect(row).toHaveTextContent('cron 0 2 * * sun, 120 min, America/Chicago');
    expect(row).toHaveTextContent('silence s-1 for brh');
    expect(screen.getByTestId(testIds.maintenance.row(FREEZE.id))).toHaveTextContent('Next: 2026-12-13T08:00:00.000Z');
    expect(screen.queryByTestId(testIds.maintenance.create)).not.toBeInTheDocument();
  });

  it('an operator types a cron expression, sees the next runs in the zone, and saves a maintenance window; deny windows are not offered, nor are existing ones editable', async () => {
    g.on('GET', 'whoami', { data: whoami('operator') }).on('POST', 'windows', { status: 201, data: NIGHTLY });
    renderApp('/a/gen3-dcoc-app/maintenance');
    expect(within(await screen.findByTestId(testIds.maintenance.row(FREEZE.id))).queryByText('Edit')).not.toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.maintenance.row(NIGHTLY.id))).getByText('Edit')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId(testIds.maintenance.create));
    expect(screen.queryByText('Deny (change freeze)')).not.toBeInTheDocument();
    await userEvent.type(screen.getByTestId(testIds.maintenance.name), 'Sunday patching');
    await userEvent.click(screen.getByText('Commons'));
    await userEvent.type(screen.getByTestId(testIds.maintenance.commons), 'brh, heal');
    const tz = screen.getByTestId(testIds.maintenance.timeZone).querySelector('input')!;
    await userEvent.click(tz);
    fireEvent.change(tz, { target: { value: 'America/Chic' } });
    await userEvent.click(await screen.findByRole('option', { name: /^America\/Chicago/ }));
    await waitFor(() => expect(screen.getByTestId(testIds.maintenance.preview)).toHaveTextContent('Next runs in America/Chicago'));
    expect(screen.getByTestId(testIds.maintenance.preview)).toHaveTextContent('2026-03-08 03:00 CDT (UTC−05:00) → 2026-03-08 05:00 CDT (UTC−05:00)');
    await userEvent.type(screen.getByTestId(testIds.maintenance.reason), 'OS patches');
    await userEvent.type(screen.getByTestId(testIds.maintenance.restart), 'fence, indexd');
    await userEvent.click(screen.getByTestId(testIds.maintenance.save));
    await waitFor(() => expect(g.callsTo('POST', 'windows')).toHaveLength(1));
    expect(g.callsTo('POST', 'windows')[0].body).toEqual({
      name: 'Sunday patching',
      kind: 'maintenance',
      target: { commons: ['brh', 'heal'] },
      schedule: { cron: '0 2 * * sun', durationMinutes: 120 },
      timeZone: 'America/Chicago',
      reason: 'OS patches',
      silence: true,
      maintenanceMode: false,
      actions: [{ kind: 'restart', services: ['fence', 'indexd'] }],
      allowOverride: true,
    });
  });

  it('shows why a schedule cannot be used', async () => {
    g.on('GET', 'whoami', { data: whoami('admin') }).on('GET', 'windows/preview', { status: 422, data: { title: 'Invalid schedule', status: 422, detail: 'minute: 61 is outside 0–59' } });
    renderApp('/a/gen3-dcoc-app/maintenance');
    await userEvent.click(await screen.findByTestId(testIds.maintenance.create));
    expect(screen.getByText('Deny (change freeze)')).toBeInTheDocument();
    const cron = screen.getByTestId(testIds.maintenance.cron);
    await userEvent.clear(cron);
    await userEvent.type(cron, '61 2 * * sun');
    await waitFor(() => expect(screen.getByTestId(testIds.maintenance.preview)).toHaveTextContent('This schedule cannot be used'));
  });
});

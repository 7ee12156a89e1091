// The Audit page's compliance parts: export buttons (CSV / JSON Lines with the
// page's filters and a time range, capped through the app and saying so) and
// the printable monthly change report of a commons.
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeReport } from '../../contracts/compliance';
import { EXPORT_CAP, countEntries } from '../../src/pages/audit/download';
import { testIds } from '../../src/testIds';
import { auditEntry, problem, whoami } from './support/fixtures';
import { FakeGrafana, type RecordedCall } from './support/grafana';
import { renderApp } from './support/render';

const URL_ = '/a/gen3-dcoc-app/audit';
let g: FakeGrafana;
let saved: { parts: BlobPart[]; type: string }[];
let downloads: string[];
let clicks: { mockRestore(): void };
beforeEach(() => {
  downloads = [];
  // jsdom cannot navigate: record the file name a click would save as.
  clicks = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push(this.download);
  });
  g = new FakeGrafana().install().on('GET', 'whoami', { data: whoami('operator') }).on('GET', 'audit', { data: { items: [auditEntry(1)] } });
  saved = [];
  // jsdom has no object URLs: record what would be saved.
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }));
  const RealBlob = Blob;
  vi.stubGlobal(
    'Blob',
    class extends RealBlob {
      constructor(parts: BlobPart[], opts?: BlobPropertyBag) {
        super(parts, opts);
        saved.push({ parts, type: opts?.type ?? '' });
      }
    },
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  clicks.mockRestore();
});

const CSV = 'id,seq,at,actor\r\n1,1,2026-11-02T00:00:00.000Z,"a, b"\r\n2,2,2026-11-03T00:00:00.000Z,"two\r\nlines"\r\n';

describe('audit export', () => {
  it('exports CSV with the filters and the days chosen (the last day included), and says how many entries', async () => {
    g.on('GET', 'audit/export', { data: CSV });
    renderApp(URL_);
    await screen.findByTestId(testIds.audit.row(1));
    await userEvent.type(screen.getByTestId(testIds.audit.actorFilter), 'editor-user');
    fireEvent.change(screen.getByTestId(testIds.audit.exportFrom), { target: { value: '2026-11-01' } });
    fireEvent.change(screen.getByTestId(testIds.audit.exportTo), { target: { value: '2026-11-30' } });
    await waitFor(() => expect(g.callsTo('GET', 'audit').at(-1)?.params).toMatchObject({ actor: 'editor-user' }));
    await userEvent.click(screen.getByTestId(testIds.audit.exportCsv));
    expect(await screen.findByTestId(testIds.audit.exportStatus)).toHaveTextContent('Exported 2 entries');
    expect(g.callsTo('GET', 'audit/export').at(-1)?.params).toEqual({ format: 'csv', actor: 'editor-user', since: '2026-11-01T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z', limit: EXPORT_CAP });
    expect(saved.at(-1)).toEqual({ parts: [CSV], type: 'text/csv' });
    expect(downloads).toEqual([expect.stringMatching(/^dcoc-audit-[\d-]+\.csv$/)]);
  });

  it('says when the cap cut the export, and what to do', async () => {
    g.on('GET', 'audit/export', { data: '{"id":1}\n'.repeat(EXPORT_CAP) });
    renderApp(URL_);
    await userEvent.click(await screen.findByTestId(testIds.audit.exportJsonl));
    expect(await screen.findByTestId(testIds.audit.exportStatus)).toHaveTextContent(/cut at 20,000 entries.*dcoc-control audit export/);
  });

  it('shows a refusal in the server words', async () => {
    g.on('GET', 'audit/export', { status: 422, data: JSON.stringify({ ...problem(422, 'Invalid request', '1 field(s) are invalid: query.until'), errors: [{ field: 'query.until', message: 'must be after since' }] }) });
    renderApp(URL_);
    await userEvent.click(await screen.findByTestId(testIds.audit.exportCsv));
    const alert = await screen.findByTestId(testIds.state.error);
    expect(alert).toHaveTextContent('query.until: must be after since');
  });

  it('counts CSV records, not lines', () => {
    expect(countEntries(CSV, 'csv')).toBe(2);
    expect(countEntries('a\nb\n', 'jsonl')).toBe(2);
  });
});

const report: ChangeReport = {
  commons: 'midrc',
  month: '2026-11',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  generatedAt: '2026-12-04T10:00:00.000Z',
  deploys: [{ at: '2026-11-03T10:00:00.000Z', deployment: 'd-1', kind: 'upgrade', release: '2026.07', revision: 4, who: 'alice', reason: 'monthly release', result: 'succeeded' }],
  configChanges: [{ at: '2026-11-05T10:00:00.000Z', who: 'bob', reason: 'new banner', keys: ['BANNER_TEXT'], outcome: 'accepted', result: 'succeeded' }],
  operations: [{ at: '2026-11-06T10:00:00.000Z', action: 'service.restart', service: 'fence', who: 'bob', outcome: 'accepted', result: 'succeeded', detail: {} }],
  approvals: [],
  people: [
    { who: 'bob', deploys: 0, configChanges: 1, operations: 1, approvals: 0, refused: 0, total: 2 },
    { who: 'alice', deploys: 1, configChanges: 0, operations: 0, approvals: 0, refused: 1, total: 1 },
  ],
  auditHead: `42:${'a'.repeat(64)}`,
};

describe('change report', () => {
  it('shows a month of a commons: deploys, config keys, restarts, who, and prints', async () => {
    g.on('GET', 'commons/midrc/change-report', (c: RecordedCall) => ({ data: { ...report, month: String(c.params.month) } }));
    const print = vi.fn();
    vi.stubGlobal('print', print);
    renderApp(URL_);
    await userEvent.click(await screen.findByTestId(testIds.audit.tabReport));
    expect(screen.getByTestId(testIds.state.empty)).toHaveTextContent('Name a commons');
    await userEvent.type(screen.getByTestId(testIds.audit.reportCommons), 'midrc');
    fireEvent.change(screen.getByTestId(testIds.audit.reportMonth), { target: { value: '2026-11' } });
    const shown = await screen.findByTestId(testIds.audit.report);
    await waitFor(() => expect(g.callsTo('GET', 'commons/midrc/change-report').at(-1)?.params).toEqual({ month: '2026-11' }));
    expect(shown).toHaveTextContent('Changes to midrc in 2026-11');
    expect(shown).toHaveTextContent('2026.07');
    expect(shown).toHaveTextContent('monthly release');
    expect(shown).toHaveTextContent('BANNER_TEXT');
    expect(screen.getByTestId(testIds.audit.reportOperation(0))).toHaveTextContent(/service\.restart.*fence.*bob.*accepted → succeeded/);
    expect(shown).toHaveTextContent('Approvals (0)');
    await userEvent.click(screen.getByTestId(testIds.audit.reportPrint));
    expect(print).toHaveBeenCalled();
  });

  it('shows forbidden for a role without audit:read', async () => {
    g.on('GET', 'commons/midrc/change-report', { status: 403, data: problem(403, 'Forbidden', 'role viewer lacks audit:read') });
    renderApp(URL_);
    await userEvent.click(await screen.findByTestId(testIds.audit.tabReport));
    await userEvent.type(screen.getByTestId(testIds.audit.reportCommons), 'midrc');
    expect(await screen.findByTestId(testIds.state.forbidden)).toHaveTextContent('audit:read');
  });
});

// Export buttons for the Audit page: the log with the page's filters and a
// time range, as CSV or JSON Lines, saved as a file.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { AuditFilters } from '../../data/keys';
import { testIds } from '../../testIds';
import { EXPORT_CAP, type ExportFormat, exportAudit } from './download';

/** A date input's day as the UTC instant it starts; `next` for the day after (an inclusive end). */
export function dayStart(day: string, next = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime())) return undefined;
  if (next) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

export function ExportBar({ filters, save }: { filters: AuditFilters; save?: (text: string, filename: string, type: string) => void }) {
  const s = useStyles2(styles);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [result, setResult] = useState<{ entries: number; truncated: boolean } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const run = async (format: ExportFormat) => {
    setBusy(format);
    setError(null);
    setResult(null);
    try {
      setResult(await exportAudit({ format, ...filters, since: dayStart(from), until: dayStart(to, true) }, save));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className={s.bar}>
      <Field label="From (UTC day)" className={s.day}>
        <Input type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} data-testid={testIds.audit.exportFrom} />
      </Field>
      <Field label="To (UTC day, inclusive)" className={s.day}>
        <Input type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid={testIds.audit.exportTo} />
      </Field>
      <div className={s.buttons}>
        <Button variant="secondary" icon="download-alt" disabled={busy !== null} onClick={() => void run('csv')} data-testid={testIds.audit.exportCsv}>
          {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
        </Button>
        <Button variant="secondary" icon="download-alt" disabled={busy !== null} onClick={() => void run('jsonl')} data-testid={testIds.audit.exportJsonl}>
          {busy === 'jsonl' ? 'Exporting…' : 'Export JSON Lines'}
        </Button>
      </div>
      <div className={s.status} data-testid={testIds.audit.exportStatus}>
        {result &&
          (result.truncated ? (
            <Alert severity="warning" title={`The export was cut at ${EXPORT_CAP.toLocaleString('en-US')} entries`}>
              Narrow the time range or the filters, or export everything with an API token (GET /api/v1/audit/export) or `dcoc-control audit export`.
            </Alert>
          ) : (
            <span>
              Exported {result.entries} entr{result.entries === 1 ? 'y' : 'ies'}, with the filters above, oldest first, each with its seq and hash in the audit chain.
            </span>
          ))}
        {error ? <ErrorAlert error={error} action="Exporting the audit log" /> : null}
      </div>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  bar: css({ display: 'flex', gap: theme.spacing(2), flexWrap: 'wrap', alignItems: 'flex-end', marginBottom: theme.spacing(2) }),
  day: css({ width: 200, marginBottom: 0 }),
  buttons: css({ display: 'flex', gap: theme.spacing(1) }),
  status: css({ flexBasis: '100%', color: theme.colors.text.secondary }),
});

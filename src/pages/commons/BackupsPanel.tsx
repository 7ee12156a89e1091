// A commons' Gen3 database backups: how old the last good one is (against
// what its schedule allows), the schedule, and each backup with its status,
// trigger, time and size; operators "Back up now", admins restore one
// service's dump (with a reason) into an empty database.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, Modal, RadioButtonGroup, TextArea, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import type { BackupList, BackupView } from '../../../contracts/backups';
import { dataTable } from '../../components/dataTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { useBackUpNow, useRestoreBackup } from '../../data/useBackups';
import { testIds } from '../../testIds';
import { heldText } from '../approvals/Held';
import { bytes } from './ResourceCells';

/** 36 h, 2 d 4 h, 45 min. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  const d = Math.floor(s / 86400);
  const h = Math.round((s % 86400) / 3600);
  return h ? `${d} d ${h} h` : `${d} d`;
}

function LastGood({ list, nowMs }: { list: BackupList; nowMs: number }) {
  const s = useStyles2(styles);
  const age = list.lastSuccessAt ? (nowMs - Date.parse(list.lastSuccessAt)) / 1000 : null;
  const stale = age === null ? !!list.schedule : age > list.maxAgeSeconds;
  return (
    <div className={s.summary} data-testid={testIds.commons.backupLastGood} data-stale={stale}>
      <span>
        Last good backup: <strong>{age === null ? 'none yet' : `${formatAge(age)} ago`}</strong>
        {stale && <span className={s.stale}> (older than the {formatAge(list.maxAgeSeconds)} allowed)</span>}
      </span>
      <span className={s.weak}>
        {list.schedule
          ? `Scheduled: ${list.schedule.cron} (${list.schedule.timeZone}), next ${new Date(list.schedule.next[0] ?? '').toLocaleString()}`
          : 'No schedule: backups run when started here or through the API.'}
      </span>
    </div>
  );
}

export function BackupsPanel({ commonsId, commonsName, list, canBackUp, canRestore }: { commonsId: string; commonsName: string; list: BackupList; canBackUp: boolean; canRestore: boolean }) {
  const s = useStyles2(styles);
  const now = useBackUpNow(commonsId);
  const restore = useRestoreBackup(commonsId);
  const [started, setStarted] = useState<string | null>(null);
  const [asking, setAsking] = useState<BackupView | null>(null);
  const [service, setService] = useState('');
  const [secret, setSecret] = useState('');
  const [reason, setReason] = useState('');

  const open = (b: BackupView) => {
    restore.reset();
    setAsking(b);
    setService(b.databases[0]?.service ?? '');
    setSecret('');
    setReason('');
  };
  const confirm = () => {
    if (!asking) return;
    const b = asking;
    restore.mutate(
      { backupId: b.id, service, secret: secret.trim() || undefined, reason: reason.trim() },
      {
        onSuccess: (r) => {
          setAsking(null);
          setStarted('approval' in r ? heldText(r.approval) : `Restore of ${service} from backup ${b.id} started (command ${r.command.id})`);
        },
      },
    );
  };

  return (
    <div data-testid={testIds.commons.backups}>
      <div className={s.head}>
        <LastGood list={list} nowMs={Date.now()} />
        {canBackUp && (
          <Button
            icon="save"
            disabled={now.isPending}
            data-testid={testIds.commons.backupNow}
            onClick={() => {
              now.reset();
              now.mutate(undefined, { onSuccess: (r) => setStarted('approval' in r ? heldText(r.approval) : `Backup ${r.backup.id} of ${r.backup.databases.map((d) => d.service).join(', ')} started`) });
            }}
          >
            Back up now
          </Button>
        )}
      </div>
      {started && (
        <Alert severity="info" title={started} data-testid={testIds.commons.backupStarted} onRemove={() => setStarted(null)} />
      )}
      {now.error && <ErrorAlert error={now.error} action="Backup" />}
      {list.items.length === 0 ? (
        <p className={s.weak}>No backups yet: backups of this commons&apos; databases show here once one has been started.</p>
      ) : (
        <table className={s.table} aria-label={`Backups of ${commonsName}`}>
          <thead>
            <tr>
              <th>Started</th>
              <th>Trigger</th>
              <th>Status</th>
              <th>Databases</th>
              <th>Size</th>
              {canRestore && <th />}
            </tr>
          </thead>
          <tbody>
            {list.items.map((b) => (
              <tr key={b.id} data-testid={testIds.commons.backupRow(b.id)}>
                <td>
                  <TimeAgo at={b.startedAt} />
                  <div className={s.weak}>{b.id}</div>
                </td>
                <td>
                  {b.trigger === 'schedule' ? 'scheduled' : 'on demand'}
                  <div className={s.weak}>by {b.requestedBy}</div>
                </td>
                <td>
                  <StatusBadge status={b.status} />
                  {b.message && <div className={s.weak}>{b.message}</div>}
                  {!b.retained && <div className={s.weak}>removed from the claim by a newer backup&apos;s retention</div>}
                </td>
                <td>{b.databases.map((d) => d.service).join(', ')}</td>
                <td>{b.totalBytes === null ? '—' : bytes(b.totalBytes)}</td>
                {canRestore && (
                  <td>
                    {b.status === 'succeeded' && b.retained && (
                      <Button size="sm" variant="secondary" icon="history" onClick={() => open(b)} data-testid={testIds.commons.backupRestore(b.id)}>
                        Restore…
                      </Button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Modal title={asking ? `Restore from backup ${asking.id}?` : ''} isOpen={!!asking} onDismiss={() => setAsking(null)}>
        {asking && (
          <>
            <p>
              Runs pg_restore of one service&apos;s dump into the database its Secret names, in one transaction. The database must be empty: a restore into one that
              is not stops at the first existing table and changes nothing. See docs/operating.md, &quot;Backups and restore&quot;.
            </p>
            <Field label="Service">
              <RadioButtonGroup
                options={asking.databases.map((d) => ({ label: d.service, value: d.service }))}
                value={service}
                onChange={setService}
                data-testid={testIds.commons.backupRestoreService}
              />
            </Field>
            <Field label="Target Secret" description={`A Secret with host, port, username, password and database keys; empty: ${service}-dbcreds, the service's own database.`}>
              <Input value={secret} placeholder={`${service}-dbcreds`} onChange={(e) => setSecret(e.currentTarget.value)} data-testid={testIds.commons.backupRestoreSecret} />
            </Field>
            <Field label="Reason" description="Required: it goes in the audit log." invalid={!reason.trim()} error={reason.trim() ? undefined : 'Say why you restore'}>
              <TextArea rows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid={testIds.commons.backupRestoreReason} />
            </Field>
            {restore.error && <ErrorAlert error={restore.error} action="Restore" />}
            <Modal.ButtonRow>
              <Button variant="secondary" fill="outline" onClick={() => setAsking(null)}>
                Cancel
              </Button>
              <Button variant="destructive" icon="history" disabled={!reason.trim() || !service || restore.isPending} onClick={confirm} data-testid={testIds.commons.backupRestoreConfirm}>
                {`Restore ${service}`}
              </Button>
            </Modal.ButtonRow>
          </>
        )}
      </Modal>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css(dataTable(theme)),
  head: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: theme.spacing(2), marginBottom: theme.spacing(1) }),
  summary: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  stale: css({ color: theme.colors.error.text }),
});

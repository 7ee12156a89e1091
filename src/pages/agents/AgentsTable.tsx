// Agents with connection state, version and certificate expiry; revoke for admins.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ConfirmModal, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import type { AgentView } from '../../../contracts/api';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { testIds } from '../../testIds';
import { dataTable } from '../../components/dataTable';

function certificateNote(expiresAt: string): string {
  const ms = Date.parse(expiresAt) - Date.now();
  if (ms <= 0) return 'expired';
  const h = ms / 3_600_000;
  return h < 48 ? `in ${Math.round(h)} h` : `in ${Math.round(h / 24)} days`;
}

export function AgentsTable({ agents, onRevoke }: { agents: AgentView[]; onRevoke?: (id: string) => void }) {
  const s = useStyles2(styles);
  const [revoking, setRevoking] = useState<AgentView | null>(null);
  return (
    <>
      <table className={s.table}>
        <thead>
          <tr>
            <th>Commons</th>
            <th>State</th>
            <th>Version</th>
            <th>Last seen</th>
            <th>Certificate expires</th>
            <th>Enrolled</th>
            {onRevoke && <th aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.id} data-testid={testIds.agents.row(a.id)}>
              <td>
                <strong>{a.commons ?? 'not yet reported'}</strong>
                <div className={s.weak}>
                  {a.hostname ?? '—'} · agent {a.id.slice(0, 8)}
                </div>
              </td>
              <td>
                <StatusBadge status={a.revoked ? 'revoked' : a.connected ? 'connected' : 'disconnected'} />
              </td>
              <td>{a.version ?? '—'}</td>
              <td>
                <TimeAgo at={a.lastSeen} />
              </td>
              <td title={a.certificateExpiresAt}>{certificateNote(a.certificateExpiresAt)}</td>
              <td>
                <TimeAgo at={a.enrolledAt} />
              </td>
              {onRevoke && (
                <td>
                  {!a.revoked && (
                    <Button size="sm" variant="destructive" fill="outline" icon="ban" onClick={() => setRevoking(a)} data-testid={testIds.agents.revoke(a.id)}>
                      Revoke
                    </Button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmModal
        isOpen={revoking !== null}
        title="Revoke agent?"
        body={`Revoke the agent of ${revoking?.commons ?? revoking?.id ?? ''}? Its connection is cut and it is refused from then on; the commons shows as unknown until a new agent enrolls.`}
        confirmText="Revoke"
        onConfirm={() => {
          if (revoking && onRevoke) onRevoke(revoking.id);
          setRevoking(null);
        }}
        onDismiss={() => setRevoking(null)}
      />
    </>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css(dataTable(theme, 'middle')),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});

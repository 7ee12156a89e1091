// The policies, per group; admins create, edit (as JSON, checked against the
// contract before it is sent) and delete them.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ConfirmModal, Field, Input, Modal, TextArea, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import { PolicyName, PolicySpec, type PolicyView } from '../../../contracts/policies';
import { dataTable } from '../../components/dataTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Empty, queryStateView } from '../../components/QueryState';
import { TimeAgo } from '../../components/TimeAgo';
import { useDeletePolicy, usePolicies, usePutPolicy } from '../../data/useApprovals';
import { testIds } from '../../testIds';
import { rulesText } from './rules-text';

const EXAMPLE = {
  group: 'production',
  description: 'Production: a second operator approves deploys and config changes',
  rules: { requireReason: true, approval: { kinds: ['deploy', 'config'], approvers: 'operator' }, minRole: {}, allowedReleases: null },
};

interface Editing {
  name: string;
  text: string;
  existing: boolean;
}

/** What is wrong with the edited policy, field by field; empty when it can be sent. */
function problems(e: Editing): string[] {
  const out: string[] = [];
  if (!PolicyName.safeParse(e.name).success) out.push('name: a DNS label (lower case letters, digits and -)');
  let json: unknown;
  try {
    json = JSON.parse(e.text);
  } catch (err) {
    return [...out, `not JSON: ${(err as Error).message}`];
  }
  const parsed = PolicySpec.safeParse(json);
  if (!parsed.success) out.push(...parsed.error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`));
  return out;
}

export function PoliciesSection({ canManage }: { canManage: boolean }) {
  const s = useStyles2(styles);
  const policies = usePolicies();
  const put = usePutPolicy();
  const del = useDeletePolicy();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const issues = editing ? problems(editing) : [];

  const edit = (p: PolicyView) => setEditing({ name: p.name, existing: true, text: JSON.stringify({ group: p.group, description: p.description, rules: p.rules }, null, 2) });
  const save = () => {
    if (!editing || issues.length) return;
    put.mutate({ name: editing.name, spec: PolicySpec.parse(JSON.parse(editing.text)) }, { onSuccess: () => setEditing(null) });
  };

  const state = queryStateView(policies, 'the policies');
  return (
    <div data-testid={testIds.approvals.policies}>
      <div className={s.head}>
        <h3>Policies</h3>
        {canManage && (
          <Button
            icon="plus"
            variant="secondary"
            onClick={() => {
              put.reset();
              setEditing({ name: '', existing: false, text: JSON.stringify(EXAMPLE, null, 2) });
            }}
            data-testid={testIds.approvals.newPolicy}
          >
            New policy
          </Button>
        )}
      </div>
      {del.error ? <ErrorAlert error={del.error} action="Deleting the policy" /> : null}
      {state ??
        (policies.data && policies.data.length === 0 ? (
          <Empty message="No policy yet: every change is made at once by anyone whose role allows it">{canManage ? 'Use "New policy" to hold changes on a group for approval.' : 'An administrator sets policies.'}</Empty>
        ) : (
          <table className={s.table}>
            <thead>
              <tr>
                <th>Policy</th>
                <th>Group</th>
                <th>Rules</th>
                <th>Changed</th>
                {canManage && <th />}
              </tr>
            </thead>
            <tbody>
              {(policies.data ?? []).map((p) => (
                <tr key={p.name} data-testid={testIds.approvals.policyRow(p.name)}>
                  <td>
                    {p.name}
                    {p.description && <div className={s.weak}>{p.description}</div>}
                  </td>
                  <td>{p.group}</td>
                  <td>{rulesText(p.rules)}</td>
                  <td className={s.weak}>
                    <TimeAgo at={p.updatedAt} /> by {p.updatedBy}
                  </td>
                  {canManage && (
                    <td className={s.actions}>
                      <Button size="sm" variant="secondary" icon="pen" onClick={() => edit(p)} data-testid={testIds.approvals.editPolicy(p.name)}>
                        Edit
                      </Button>
                      <Button size="sm" variant="destructive" fill="outline" icon="trash-alt" onClick={() => setDeleting(p.name)}>
                        Delete
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      <Modal title={editing?.existing ? `Edit policy ${editing.name}` : 'New policy'} isOpen={!!editing} onDismiss={() => setEditing(null)}>
        {editing && (
          <>
            <Field label="Name" description="A DNS label; the same name replaces the policy">
              <Input value={editing.name} disabled={editing.existing} onChange={(e) => setEditing({ ...editing, name: e.currentTarget.value.trim() })} data-testid={testIds.approvals.policyName} />
            </Field>
            <Field
              label="Policy"
              description="group; rules: requireReason, approval {kinds, approvers}, minRole per change kind, allowedReleases (null: any)"
              invalid={issues.length > 0}
              error={issues.length ? issues.join('; ') : undefined}
            >
              <TextArea rows={14} className={s.mono} value={editing.text} onChange={(e) => setEditing({ ...editing, text: e.currentTarget.value })} data-testid={testIds.approvals.policyJson} />
            </Field>
            {put.error ? <ErrorAlert error={put.error} action="Saving the policy" /> : null}
            <Modal.ButtonRow>
              <Button variant="secondary" fill="outline" onClick={() => setEditing(null)}>
                Cancel
              </Button>
              <Button disabled={issues.length > 0 || put.isPending} onClick={save} data-testid={testIds.approvals.savePolicy}>
                Save policy
              </Button>
            </Modal.ButtonRow>
          </>
        )}
      </Modal>
      <ConfirmModal
        isOpen={!!deleting}
        title={`Delete policy ${deleting ?? ''}?`}
        body="Changes on its group are no longer held or refused by it. Approvals it already opened stay as they are."
        confirmText="Delete"
        onConfirm={() => {
          if (deleting) del.mutate(deleting);
          setDeleting(null);
        }}
        onDismiss={() => setDeleting(null)}
      />
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  head: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginTop: theme.spacing(4) }),
  table: css(dataTable(theme)),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  actions: css({ whiteSpace: 'nowrap', display: 'flex', gap: theme.spacing(1) }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});

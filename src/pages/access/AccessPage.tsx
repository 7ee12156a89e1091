// Access: what the signed-in user may do (their global DCOC role from
// Grafana, their Grafana teams and each team grant with the commons it covers
// now), and for admins the team grants themselves: a Grafana team (name or
// id) holds a DCOC role on the commons of a saved group.
import { PluginPage } from '@grafana/runtime';
import { Button, ConfirmButton, Field, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import { useState } from 'react';
import { ROLES, type Role } from '../../../contracts/roles';
import type { EffectiveGrant } from '../../../contracts/scopes';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Empty, queryStateView } from '../../components/QueryState';
import { Section } from '../../components/Section';
import { useAccess, useDeleteTeamGrant, usePutTeamGrant, useTeamGrants } from '../../data/useAccess';
import { allows, useWhoami } from '../../data/useWhoami';
import { testIds } from '../../testIds';

const ROLE_OPTIONS = ROLES.map((r) => ({ label: r, value: r }));

export function AccessPage() {
  const me = useWhoami();
  const access = useAccess(me.data);
  const isAdmin = allows(me.data, 'access:manage');
  const state = queryStateView(me, 'your DCOC role');
  return (
    <PluginPage subTitle="Who may do what: your DCOC role, your Grafana teams, and the roles teams hold on groups of commons">
      <div data-testid={testIds.access.page}>
        {state ?? (
          <>
            <Section title="Your access">
              <div data-testid={testIds.access.mine}>
                <p data-testid={testIds.access.globalRole}>
                  {me.data?.role ? `Role ${me.data.role} on every commons (from Grafana).` : 'No DCOC role of your own: you see and change only the commons your teams are granted.'}
                </p>
                <p>Grafana teams: {me.data?.teams?.length ? me.data.teams.join(', ') : 'none'}</p>
                {me.data?.teams?.length ? (queryStateView(access, 'your team grants') ?? <MyGrants grants={access.data?.grants ?? []} />) : null}
              </div>
            </Section>
            {isAdmin && <TeamGrants />}
          </>
        )}
      </div>
    </PluginPage>
  );
}

function MyGrants({ grants }: { grants: readonly EffectiveGrant[] }) {
  if (grants.length === 0) return <Empty message="No team grant">None of your teams holds a role on a group of commons.</Empty>;
  return (
    <table className="filter-table">
      <thead>
        <tr>
          <th>Team</th>
          <th>Group</th>
          <th>Role</th>
          <th>Commons</th>
        </tr>
      </thead>
      <tbody>
        {grants.map((g) => (
          <tr key={`${g.team}/${g.group}`} data-testid={testIds.access.myGrant(g.team, g.group)}>
            <td>{g.team}</td>
            <td>{g.group}</td>
            <td>{g.role}</td>
            <td>{g.commons.join(', ') || 'none now'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TeamGrants() {
  const grants = useTeamGrants();
  const put = usePutTeamGrant();
  const del = useDeleteTeamGrant();
  const [team, setTeam] = useState('');
  const [group, setGroup] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const save = () => put.mutate({ team: team.trim(), group: group.trim(), role }, { onSuccess: () => setTeam('') });
  return (
    <Section title="Team grants">
      {queryStateView(grants, 'the team grants') ??
        (grants.data?.length === 0 ? (
          <Empty message="No team grant yet">Grant a Grafana team a role on a group: its members then see and change that group's commons.</Empty>
        ) : (
          <table className="filter-table" data-testid={testIds.access.grants}>
            <thead>
              <tr>
                <th>Team</th>
                <th>Group</th>
                <th>Role</th>
                <th>Commons now</th>
                <th>Changed by</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {grants.data?.map((g) => (
                <tr key={`${g.team}/${g.group}`} data-testid={testIds.access.grant(g.team, g.group)}>
                  <td>{g.team}</td>
                  <td>{g.group}</td>
                  <td>{g.role}</td>
                  <td>{g.commons.join(', ') || 'none (the group picks nothing)'}</td>
                  <td>{g.updatedBy}</td>
                  <td>
                    <ConfirmButton size="sm" confirmText="Remove" confirmVariant="destructive" onConfirm={() => del.mutate({ team: g.team, group: g.group })}>
                      Remove
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {del.error && <ErrorAlert error={del.error} action="Removing the grant" />}
      <h4>Grant a team a role on a group</h4>
      <Stack gap={2} alignItems="flex-end" wrap="wrap">
        <Field label="Grafana team" description="Its name, or its numeric id (an id survives a rename).">
          <Input value={team} onChange={(e) => setTeam(e.currentTarget.value)} data-testid={testIds.access.team} placeholder="midrc-ops" />
        </Field>
        <Field label="Group" description="A saved group (Groups page).">
          <Input value={group} onChange={(e) => setGroup(e.currentTarget.value)} data-testid={testIds.access.group} placeholder="midrc" />
        </Field>
        <Field label="Role">
          {/* A wrapper carries the test id: RadioButtonGroup passes it on in some Grafana versions only (not in 12.3). */}
          <div data-testid={testIds.access.role}>
            <RadioButtonGroup options={ROLE_OPTIONS} value={role} onChange={(v) => setRole(v)} />
          </div>
        </Field>
        <Button onClick={save} disabled={!team.trim() || !group.trim() || put.isPending} data-testid={testIds.access.save}>
          Grant
        </Button>
      </Stack>
      {put.error && <ErrorAlert error={put.error} action="Saving the grant" />}
    </Section>
  );
}

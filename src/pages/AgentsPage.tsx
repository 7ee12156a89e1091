// Agents: who reports, from where, with which certificate; enroll and revoke for admins.
import { PluginPage } from '@grafana/runtime';
import { ErrorAlert } from '../components/ErrorAlert';
import { Empty, queryStateView } from '../components/QueryState';
import { useAgents, useRevokeAgent } from '../data/useAgents';
import { allows, useWhoami } from '../data/useWhoami';
import { testIds } from '../testIds';
import { AgentsTable } from './agents/AgentsTable';
import { EnrollAgent } from './agents/EnrollAgent';

export function AgentsPage() {
  const me = useWhoami();
  const agents = useAgents();
  const revoke = useRevokeAgent();
  const canManage = allows(me.data, 'agents:manage');
  const state = queryStateView(me, 'your DCOC role') ?? queryStateView(agents, 'the agents');
  return (
    <PluginPage subTitle="The agent in each commons that reports to DCOC">
      <div data-testid={testIds.agents.page}>
        {/* In the page body, not PluginPage's actions: those are not rendered by every Grafana chrome. */}
        {canManage && (
          <div style={{ display: 'flex', justifyContent: 'flex-end', marginBottom: 16 }}>
            <EnrollAgent />
          </div>
        )}
        {revoke.error && <ErrorAlert error={revoke.error} action="Revoking the agent" />}
        {state ??
          (agents.data && agents.data.length === 0 ? (
            <Empty message="No agent has enrolled yet">{canManage ? 'Use "Enroll agent" to make a token for the first one.' : 'An administrator enrolls agents.'}</Empty>
          ) : (
            <AgentsTable agents={agents.data ?? []} onRevoke={canManage ? (id) => revoke.mutate(id) : undefined} />
          ))}
      </div>
    </PluginPage>
  );
}

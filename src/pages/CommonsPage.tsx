// One commons: summary panels, services with restart/scale, its CronJobs
// with their last runs, commands with live progress, live events, deployment
// revisions with their diffs and rollback, and config, each shown as far as
// the role allows.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, useStyles2 } from '@grafana/ui';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { ErrorAlert } from '../components/ErrorAlert';
import { Empty, Forbidden, queryStateView } from '../components/QueryState';
import { pageUrl, ROUTES } from '../constants';
import { useCommands } from '../data/useCommands';
import { useCommons } from '../data/useCommons';
import { useCommonsJobs } from '../data/useCommonsJobs';
import { useRestartService, useScaleService } from '../data/useServiceActions';
import { allows, useWhoami } from '../data/useWhoami';
import { Section } from '../components/Section';
import { testIds } from '../testIds';
import { CommandsPanel } from './commons/CommandsPanel';
import { CommonsHeader } from './commons/CommonsHeader';
import { CommonsPanels } from './commons/CommonsPanels';
import { ConfigPanel } from './commons/ConfigPanel';
import { EventsPanel } from './commons/EventsPanel';
import { JobsPanel } from './commons/JobsPanel';
import { RevisionsPanel } from './commons/RevisionsPanel';
import { ServicesTable } from './commons/ServicesTable';
import { useCommonsLive } from './commons/useCommonsLive';

export function CommonsPage() {
  const { id = '' } = useParams<{ id: string }>();
  const s = useStyles2(styles);
  const me = useWhoami();
  const commons = useCommons(id);
  const jobs = useCommonsJobs(id);
  const canDetails = allows(me.data, 'details:read');
  const canEvents = allows(me.data, 'events:read');
  const canOperate = allows(me.data, 'services:operate');
  const canDeploy = allows(me.data, 'deployments:write');
  const { live, events } = useCommonsLive(id, canEvents);
  const commands = useCommands(id, { enabled: canEvents, live: live === 'connected' });
  const restart = useRestartService(id);
  const scale = useScaleService(id);
  const [started, setStarted] = useState<string | null>(null);

  const name = commons.data?.name ?? id;
  const pageNav = { text: name, subTitle: commons.data?.hostname, parentItem: { text: 'Fleet', url: pageUrl(ROUTES.fleet) } };
  const state = queryStateView(me, 'your DCOC role') ?? queryStateView(commons, `commons ${id}`);
  const actionError = restart.error ?? scale.error;

  return (
    <PluginPage pageNav={pageNav}>
      <div data-testid={testIds.commons.page}>
        {state ??
          (commons.data && (
            <>
              <CommonsHeader commons={commons.data} />
              <CommonsPanels commons={commons.data} />
              {started && (
                <Alert severity="info" title={started} data-testid={testIds.commons.actionResult} onRemove={() => setStarted(null)}>
                  {canEvents ? 'Its progress shows under Commands.' : 'Ask for the developer role to follow its progress here.'}
                </Alert>
              )}
              {actionError && <ErrorAlert error={actionError} action={restart.error ? 'Restart' : 'Scale'} />}
              <Section title="Services" className={s.grow}>
                {commons.data.services.length === 0 ? (
                  <Empty message="No services reported yet">The commons&apos; agent has not sent its first snapshot; it shows here when it does.</Empty>
                ) : (
                <ServicesTable
                  commonsName={`${name} (${id})`}
                  services={commons.data.services}
                  actions={
                    canOperate
                      ? {
                          busy: restart.isPending || scale.isPending,
                          onRestart: (service) => {
                            scale.reset();
                            restart.mutate(service, { onSuccess: (r) => setStarted(`Restart of ${service} started (command ${r.command.id})`) });
                          },
                          onScale: (service, replicas) => {
                            restart.reset();
                            scale.mutate({ service, replicas }, {
                                onSuccess: (r) =>
                                  setStarted(
                                    'command' in r
                                      ? `Scaling ${service} to ${replicas} started (command ${r.command.id})`
                                      : `Scaling ${service} to ${replicas} committed to GitOps for ArgoCD to apply (deployment ${r.deployment.id})`,
                                  ),
                              });
                          },
                        }
                      : undefined
                  }
                />
                )}
              </Section>
              <Section title="CronJobs" className={s.grow}>
                {queryStateView(jobs, 'CronJobs') ?? (jobs.data && <JobsPanel jobs={jobs.data} commonsId={id} commonsName={`${name} (${id})`} live={live === 'connected'} />)}
              </Section>
              <div className={s.columns}>
                <Section title="Commands" className={s.grow}>
                  {canEvents ? (queryStateView(commands, 'commands') ?? <CommandsPanel commands={commands.data ?? []} />) : <Forbidden what="command history" detail="It needs the DCOC developer role." />}
                </Section>
                <Section title="Events" className={s.grow}>{canEvents ? <EventsPanel events={events} live={live} /> : <Forbidden what="live events" detail="They need the DCOC developer role." />}</Section>
              </div>
              {canDetails && (
                <Section title="Deployments and revisions" className={s.grow}>
                  <RevisionsPanel commons={commons.data} canDeploy={canDeploy} live={live} />
                </Section>
              )}
              {canDetails && (
                <Section title="Config" className={s.grow}>
                  <ConfigPanel commons={commons.data} />
                </Section>
              )}
            </>
          ))}
      </div>
    </PluginPage>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  grow: css({ flex: '1 1 420px', minWidth: 0 }),
  columns: css({ display: 'flex', gap: theme.spacing(3), flexWrap: 'wrap' }),
});

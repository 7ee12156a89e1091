// One commons: summary panels, services with restart/scale and their CPU and
// memory, a log viewer over their pods (?logs=service:<name> or job:<name>
// opens it on one), its CronJobs with their last runs, Kubernetes events,
// external checks, database backups, commands with live progress, live events, deployment
// revisions with their diffs and rollback, and config, each shown as far as
// the role allows.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, useStyles2 } from '@grafana/ui';
import { useEffect, useRef, useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../components/ErrorAlert';
import { heldText } from './approvals/Held';
import { Empty, Forbidden, queryStateView } from '../components/QueryState';
import { pageUrl, ROUTES } from '../constants';
import { useCommands } from '../data/useCommands';
import { useCommons } from '../data/useCommons';
import { useBackups } from '../data/useBackups';
import { useCommonsJobs } from '../data/useCommonsJobs';
import { useResources } from '../data/useResources';
import { useRestartService, useScaleService } from '../data/useServiceActions';
import { useAccess } from '../data/useAccess';
import { allowsOn, useWhoami } from '../data/useWhoami';
import { Section } from '../components/Section';
import { testIds } from '../testIds';
import { BackupsPanel } from './commons/BackupsPanel';
import { CommandsPanel } from './commons/CommandsPanel';
import { CommonsHeader } from './commons/CommonsHeader';
import { CommonsPanels } from './commons/CommonsPanels';
import { ConfigPanel } from './commons/ConfigPanel';
import { EventsPanel } from './commons/EventsPanel';
import { ExternalChecksPanel } from './commons/ExternalChecksPanel';
import { KubeEventsPanel } from './commons/KubeEventsPanel';
import { LogViewer } from './commons/logs/LogViewer';
import { LOGS_PARAM, logTargetParam, parseLogTarget, type LogTarget } from './commons/logs/target';
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
  const backups = useBackups(id);
  // What the user may do here: their global role, or a team grant on a group with this commons.
  const access = useAccess(me.data);
  const may = (p: Parameters<typeof allowsOn>[2]) => allowsOn(me.data, access.data, p, id);
  const canDetails = may('details:read');
  const canEvents = may('events:read');
  const canOperate = may('services:operate');
  const canDeploy = may('deployments:write');
  const canLogs = may('logs:read');
  const resources = useResources(id, { enabled: canDetails });
  const [search, setSearch] = useSearchParams();
  const logTarget = parseLogTarget(search.get(LOGS_PARAM));
  const [kubeService, setKubeService] = useState<string | undefined>(undefined);
  const logsRef = useRef<HTMLDivElement>(null);
  const showLogs = (t: LogTarget) => {
    setSearch((prev) => {
      const next = new URLSearchParams(prev);
      next.set(LOGS_PARAM, logTargetParam(t));
      return next;
    }, { replace: true });
    logsRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  // Opened from a link to a Job's or a service's logs: go to the viewer once it is there.
  const linkedLogs = !!logTarget && canLogs && !!commons.data;
  useEffect(() => {
    if (linkedLogs) logsRef.current?.scrollIntoView({ block: 'start' });
  }, [linkedLogs]);
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
                  resources={canDetails ? { data: resources.data, error: resources.error, loading: resources.isPending } : undefined}
                  onLogs={canLogs ? (service) => showLogs({ kind: 'service', name: service }) : undefined}
                  actions={
                    canOperate
                      ? {
                          busy: restart.isPending || scale.isPending,
                          onRestart: (service) => {
                            scale.reset();
                            restart.mutate(service, { onSuccess: (r) => setStarted('approval' in r ? heldText(r.approval) : `Restart of ${service} started (command ${r.command.id})`) });
                          },
                          onScale: (service, replicas) => {
                            restart.reset();
                            scale.mutate({ service, replicas }, {
                                onSuccess: (r) =>
                                  setStarted(
                                    'approval' in r
                                      ? heldText(r.approval)
                                      : 'command' in r
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
              {canLogs && (
                <div ref={logsRef}>
                  <Section title="Logs" className={s.grow}>
                    <LogViewer commons={id} services={commons.data.services.map((x) => x.name).sort()} target={logTarget} onTarget={showLogs} />
                  </Section>
                </div>
              )}
              <Section title="CronJobs" className={s.grow}>
                {queryStateView(jobs, 'CronJobs') ?? (jobs.data && <JobsPanel jobs={jobs.data} commonsId={id} commonsName={`${name} (${id})`} live={live === 'connected'} />)}
              </Section>
              <Section title="Database backups" className={s.grow}>
                {queryStateView(backups, 'backups') ??
                  (backups.data && (
                    <BackupsPanel
                      commonsId={id}
                      commonsName={`${name} (${id})`}
                      list={backups.data}
                      canBackUp={may('backups:write')}
                      canRestore={may('backups:restore')}
                    />
                  ))}
              </Section>
              <div className={s.columns}>
                <Section title="Commands" className={s.grow}>
                  {canEvents ? (queryStateView(commands, 'commands') ?? <CommandsPanel commands={commands.data ?? []} />) : <Forbidden what="command history" detail="It needs the DCOC developer role." />}
                </Section>
                <Section title="Events" className={s.grow}>{canEvents ? <EventsPanel events={events} live={live} /> : <Forbidden what="live events" detail="They need the DCOC developer role." />}</Section>
              </div>
              <div className={s.columns}>
                <Section title="Kubernetes events" className={s.grow}>
                  {canEvents ? (
                    <KubeEventsPanel commons={id} services={commons.data.services.map((x) => x.name).sort()} service={kubeService} onService={setKubeService} />
                  ) : (
                    <Forbidden what="Kubernetes events" detail="They need the DCOC developer role." />
                  )}
                </Section>
                <Section title="External checks" className={s.grow}>
                  <ExternalChecksPanel commons={id} />
                </Section>
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

// The pods of the simulated commons' Jobs: each Job the CronJobs start runs
// one pod `<job>-<5 chars>` (as the Job controller names it) that writes a
// few lines and ends, with the events the CronJob and Job controllers and the
// kubelet record (kubernetes pkg/controller/cronjob "Created job %v", "Saw
// completed job: %s, status: %v"; pkg/controller/job "Created pod: %v", "Job
// completed"). Observed from the model's CronJobs' recent runs each tick; a CronJob keeps
// its last JOB_HISTORY Jobs and their pods, as successfulJobsHistoryLimit does.
import { GEN3_HELM_CRONJOBS } from '../gen3/cronjobs';
import { asctime, cdis } from './service-logs';
import type { SimCommons } from './model';
import { SimActivity } from './sim-activity';
import type { SimEvents } from './sim-events';

const JOB_HISTORY = 5;

interface JobPod {
  job: string;
  cronjob: string;
  chart: string;
  pod: string;
  container: string;
  startedAt: number;
  ended: boolean;
}

/** The container and lines of each CronJob's pod: helm/<chart>/templates/<cronjob template> at gen3-helm 42cc46bc for names and echo lines; the rest is not verified. */
function jobScript(cronjob: string): { container: string; start: (ms: number) => string[]; end: (ms: number) => string[] } {
  switch (cronjob) {
    case 'hatchery-reaper':
      // hatchery-reaper-cronjob.yaml: container awshelper, its own echo lines.
      return { container: 'awshelper', start: () => ['Using Jupyter namespace: jupyter-pods'], end: () => ['Finished hatchery-based reaping.'] };
    case 'es-garbage':
      // es-garbage-collect-cronjob.yaml: container awshelper; `echo $ESHOST`, then the lock, then "Exit code: $?".
      return { container: 'awshelper', start: () => ['esproxy-service:9200'], end: () => ['Exit code: 0'] };
    case 'arborist-rm-expired-access':
      // arborist-expired-access-cronjob.yaml: container arborist runs jobs/delete_expired_access (its output not verified).
      return { container: 'arborist', start: (ms) => [`${asctime(ms).slice(0, 19).replace(/-/g, '/')} deleting expired access`], end: () => [] };
    case 'fence-delete-expired-clients':
    case 'usersync':
    case 'fence-visa-update':
    case 'fence-cleanup-expired-ga4gh-info': {
      // fence-create (fence's cdislogging format); the messages are not verified.
      const container = cronjob === 'usersync' ? 'usersync' : 'fence';
      return {
        container,
        start: (ms) => [cdis(ms, 'fence_create', 'INFO', `Starting ${cronjob}`)],
        end: (ms) => [cdis(ms, 'fence_create', 'INFO', `Done: ${cronjob}`)],
      };
    }
    default:
      return { container: cronjob.split('-')[0]!, start: (ms) => [`${new Date(ms).toISOString()} ${cronjob}: started`], end: (ms) => [`${new Date(ms).toISOString()} ${cronjob}: done`] };
  }
}

export class SimJobPods {
  private readonly jobs = new Map<string, JobPod>();

  constructor(
    private readonly sim: SimCommons,
    private readonly events: SimEvents,
  ) {
    this.observe();
    sim.on('tick', (now?: number) => this.observe(now));
  }

  /** The pods of a Job of the commons, or null for a Job it does not have (the SimLogSource's jobPods). */
  podsOf = (job: string): string[] | null => {
    this.observe();
    const j = this.jobs.get(job);
    return j ? [j.pod] : null;
  };

  /** Looks at each CronJob's recent runs: a new Job gets its pod; a Job that ended writes its last lines. */
  observe(now = Date.now()): void {
    for (const c of this.sim.cronjobs(now)) {
      // Oldest first: each Job's pod starts, and its events are recorded, in the order the Jobs started.
      for (const run of [...(c.recentRuns ?? (c.lastRun ? [c.lastRun] : []))].reverse()) {
        if (!run.startedAt) continue;
        let j = this.jobs.get(run.name);
        if (!j) {
          // Jobs of this CronJob that were still running end where the next one starts.
          for (const other of this.jobs.values()) if (other.cronjob === c.name && !other.ended) this.end(other, Date.parse(run.startedAt));
          j = this.start(c.name, run.name, Date.parse(run.startedAt));
        }
        if (!j.ended && run.finishedAt) this.end(j, Date.parse(run.finishedAt));
      }
    }
  }

  private start(cronjob: string, job: string, atMs: number): JobPod {
    const script = jobScript(cronjob);
    // The service whose chart renders the CronJob ('' for one of a chart without a service, e.g. etl).
    const rendered = GEN3_HELM_CRONJOBS.find((c) => c.name === cronjob)?.chart ?? '';
    const chart = this.sim.has(rendered) ? rendered : '';
    const j: JobPod = { job, cronjob, chart, pod: `${job}-${SimActivity.suffix(5)}`, container: script.container, startedAt: atMs, ended: false };
    this.jobs.set(job, j);
    const e = (objectKind: string, objectName: string, source: string, reason: string, message: string) =>
      this.events.record({ type: 'Normal', objectKind, objectName, service: chart, source, reason, message }, atMs);
    e('CronJob', cronjob, 'cronjob-controller', 'SuccessfulCreate', `Created job ${job}`);
    e('Job', job, 'job-controller', 'SuccessfulCreate', `Created pod: ${j.pod}`);
    e('Pod', j.pod, 'kubelet', 'Created', `Created container: ${j.container}`);
    e('Pod', j.pod, 'kubelet', 'Started', `Started container ${j.container}`);
    for (const text of script.start(atMs)) this.sim.logs.append(j.pod, j.container, text, atMs);
    // History: the oldest Jobs of this CronJob go, with their pods.
    const mine = [...this.jobs.values()].filter((x) => x.cronjob === cronjob).sort((a, b) => b.startedAt - a.startedAt);
    for (const old of mine.slice(JOB_HISTORY)) {
      this.jobs.delete(old.job);
      this.sim.logs.remove(old.pod);
    }
    return j;
  }

  private end(j: JobPod, atMs: number): void {
    j.ended = true;
    for (const text of jobScript(j.cronjob).end(atMs)) this.sim.logs.append(j.pod, j.container, text, atMs);
    this.events.record({ type: 'Normal', objectKind: 'Job', objectName: j.job, service: j.chart, source: 'job-controller', reason: 'Completed', message: 'Job completed' }, atMs);
    this.events.record(
      { type: 'Normal', objectKind: 'CronJob', objectName: j.cronjob, service: j.chart, source: 'cronjob-controller', reason: 'SawCompletedJob', message: `Saw completed job: ${j.job}, status: Complete` },
      atMs,
    );
  }
}

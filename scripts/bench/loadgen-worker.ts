// One load generator process of `npm run bench`: holds a range of enrolled
// agents, each its own certificate and mutual-TLS stream, speaking the agent
// protocol leanly (no simulated cluster): hello and a snapshot of 20 Gen3
// services, a heartbeat at the interval the control service's welcome names,
// a status delta every ~4 s, 50 health-latency samples every 15 s, timers
// jittered so agents do not fire together, and a no-op answer (running, then
// succeeded) to every command. Each agent's channel uses a local subchannel
// pool: grpc-js's global pool searches linearly per channel created, which
// made one process holding 3,000+ agents quadratic.
//
// Reads a JSON job on stdin ({ agents: [{ i, dir, gatewayAddr }], deltaMs,
// samplesMs, samples }), prints JSON lines on stdout: stats every second.
import * as grpc from '@grpc/grpc-js';
import { loadIdentity } from '../../agent/protocol/identity';
import { AgentGatewayClient, type AgentMessage, type ControlMessage, type ServiceState } from '../../contracts/pb/agent';

interface Job {
  agents: { i: number; dir: string; gatewayAddr: string }[];
  deltaMs: number;
  samplesMs: number;
  samples: number;
}

// Services of a Gen3 commons deployed by gen3-helm's umbrella chart (helm/gen3/Chart.yaml dependencies).
const SERVICES = ['ambassador', 'arborist', 'argo-wrapper', 'audit', 'aws-es-proxy', 'fence', 'guppy', 'hatchery', 'indexd', 'manifestservice', 'metadata', 'peregrine', 'pidgin', 'portal', 'requestor', 'revproxy', 'sheepdog', 'ssjdispatcher', 'wts', 'sower'];

const stats = { firstConnectAt: 0, connected: 0, welcomed: 0, reconnects: 0, errors: 0, sent: { heartbeat: 0, delta: 0, metrics: 0, command_update: 0 }, commands: 0, reasons: {} as Record<string, number> };

/** Why streams ended, counted (at most 20 distinct reasons). */
function reason(why: string): void {
  if (stats.reasons[why] !== undefined || Object.keys(stats.reasons).length < 20) stats.reasons[why] = (stats.reasons[why] ?? 0) + 1;
}

function service(name: string, tick: number): ServiceState {
  const ready = tick % 7 === 0 ? 1 : 2;
  return {
    name,
    status: ready === 2 ? 'healthy' : 'degraded',
    deployment: `${name}-deployment`,
    desired_replicas: 2,
    ready_replicas: ready,
    updated_replicas: 2,
    image: `quay.io/cdis/${name}:2026.07`,
    version: '2026.07',
    reason: '',
    health: { url: `http://${name}-service/_status`, http_status: 200, latency_ms: 5 + (tick % 20), checked_at_ms: Date.now(), ok: true, detail: '' },
    restarted_at: '',
    restart_count: 0,
    rollout: '',
    gitops_owner: '',
  };
}

class LeanAgent {
  private call: grpc.ClientDuplexStream<AgentMessage, ControlMessage> | null = null;
  private seq = 0;
  private tick = 0;
  private timers: NodeJS.Timeout[] = [];
  private welcomed = false;
  /** Reconnect attempts since the last welcome: the backoff doubles with each (as a real agent's does), with full jitter. */
  private attempts = 0;
  private readonly client: AgentGatewayClient;
  private readonly agentId: string;
  private readonly commons: { hostname: string; environment: string; name: string; namespace: string };

  constructor(
    private readonly job: Job,
    i: number,
    dir: string,
    gatewayAddr: string,
  ) {
    const id = loadIdentity(dir);
    if (!id) throw new Error(`no enrolled identity in ${dir}`);
    this.agentId = id.agentId;
    this.commons = { hostname: `c${i}.bench.gen3.org`, environment: `bench${i % 10}`, name: `Bench ${i}`, namespace: `bench${i}` };
    this.client = new AgentGatewayClient(gatewayAddr, grpc.credentials.createSsl(Buffer.from(id.caPem), Buffer.from(id.keyPem), Buffer.from(id.certPem)), {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
    });
  }

  private send(m: Omit<AgentMessage, 'seq'>, kind?: keyof typeof stats.sent): void {
    if (!this.call) return;
    this.call.write({ seq: ++this.seq, ...m });
    if (kind) stats.sent[kind]++;
  }

  connect(): void {
    const call = this.client.connect();
    this.call = call;
    this.seq = 0;
    stats.connected++;
    call.on('data', (m: ControlMessage) => this.onMessage(m));
    const lost = () => {
      if (this.call !== call) return;
      this.call = null;
      stats.connected--;
      if (this.welcomed) stats.welcomed--;
      this.welcomed = false;
      this.timers.forEach(clearInterval);
      this.timers = [];
      stats.reconnects++;
      this.attempts++;
      setTimeout(() => this.connect(), Math.random() * Math.min(30_000, 1000 * 2 ** this.attempts));
    };
    call.on('error', (e: grpc.ServiceError) => {
      stats.errors++;
      reason(`${grpc.status[e.code] ?? e.code}: ${String(e.details).slice(0, 80)}`);
      lost();
    });
    call.on('end', () => {
      reason('stream ended by the server');
      lost();
    });
    this.send({ hello: { agent_id: this.agentId, agent_version: 'bench-lean', capabilities: ['executor:scale', 'executor:restart'], commons: this.commons, finished: [] } });
    this.send({ snapshot: { commons: this.commons, release: '2026.07', services: SERVICES.map((s) => service(s, 1)), config: null, taken_at_ms: Date.now(), cronjobs: null } });
  }

  private onMessage(m: ControlMessage): void {
    if (m.welcome) {
      if (!this.welcomed) stats.welcomed++;
      this.welcomed = true;
      this.attempts = 0;
      this.startTimers(m.welcome.config?.heartbeat_interval_ms || 10_000);
    } else if (m.command) {
      const id = m.command.id;
      stats.commands++;
      const update = (state: string, message: string, percent: number) => ({ command_id: id, state, message, percent, at_ms: Date.now(), result_json: '' });
      this.send({ command_update: update('running', `${m.command.kind} started`, 0) }, 'command_update');
      this.send({ command_update: update('succeeded', 'no change: already at the target', 100) }, 'command_update');
    }
  }

  private startTimers(heartbeatMs: number): void {
    this.timers.forEach(clearInterval);
    const every = (ms: number, fn: () => void) => {
      // The first one at a random point of the period, so agents spread out.
      const t = setTimeout(() => {
        fn();
        this.timers.push(setInterval(fn, ms));
      }, Math.random() * ms);
      this.timers.push(t);
    };
    every(heartbeatMs, () => this.send({ heartbeat: { sent_at_ms: Date.now() } }, 'heartbeat'));
    every(this.job.deltaMs, () => {
      this.tick++;
      const name = SERVICES[this.tick % SERVICES.length];
      this.send({ delta: { services: [service(name, this.tick)], removed_services: [], config: null, release: '', taken_at_ms: Date.now(), cronjobs: null } }, 'delta');
    });
    every(this.job.samplesMs, () => {
      const now = Date.now();
      const samples = Array.from({ length: this.job.samples }, (_, k) => ({
        name: 'dcoc_health_check_latency_seconds',
        labels: { service: SERVICES[k % SERVICES.length] },
        value: 0.002 + 0.001 * ((this.tick + k) % 40),
        timestamp_ms: now,
      }));
      this.send({ metrics: { samples } }, 'metrics');
    });
  }
}

async function readJob(): Promise<Job> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text) as Job;
}

async function main(): Promise<void> {
  const job = await readJob();
  const agents = job.agents.map((a) => new LeanAgent(job, a.i, a.dir, a.gatewayAddr));
  // Connect time counts from here: loading 2,500 identities takes this process seconds of its own.
  stats.firstConnectAt = Date.now();
  // Connect in slices, yielding between them, so the TLS handshakes of one process do not come as one burst.
  for (let k = 0; k < agents.length; k++) {
    agents[k].connect();
    if (k % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  setInterval(() => process.stdout.write(`${JSON.stringify({ ...stats, at: Date.now() })}\n`), 1000);
}

process.on('SIGTERM', () => process.exit(0));
main().catch((e: Error) => {
  process.stderr.write(`loadgen worker failed: ${e.stack ?? e.message}\n`);
  process.exit(1);
});

// The command queue. A command is written to the store (with its audit
// entry, in one transaction) before anything is sent; it is then sent to the
// commons' agent whenever one is connected (again after every reconnect and
// after a control-service restart) until the agent reports a final state or
// the deadline passes. Agents treat commands as target states, so a repeat
// has no second effect.
import { randomUUID } from 'node:crypto';
import { type CommandSpec, commandSpec } from '../../contracts/commands';
import { AGENT_REPORTED_STATES, COMMAND, type CommandState } from '../../contracts/states';
import type { ActingPrincipal } from '../auth/principal';
import type { Logger } from '../../lib/logger';
import type { EventBus } from '../events/bus';
import type { Fleet } from '../fleet/fleet';
import { boundedMessage, boundedPercent, checkResult } from '../gateway/command-results';
import type { CommandUpdateMsg } from '../../contracts/agent-messages';
import type { AgentSessions } from '../gateway/sessions';
import type { Metrics } from '../metrics/registry';
import type { CommandRow, Store } from '../store/store';
import type { Cluster } from '../cluster/cluster';

/** A command to create: its kind with that kind's target (contracts/commands.ts), and who asked for what. */
export type NewCommand = CommandSpec & {
  commonsId: string;
  service: string | null;
  principal: ActingPrincipal;
  action: string;
  detail: Record<string, unknown>;
  configRevision?: { revision: number; data: Record<string, string> };
  /** Fixed in advance by a caller that records it first (a deployment), so a retry finds the same command. */
  id?: string;
  /** Overrides DCOC_COMMAND_DEADLINE_S (a deploy may wait for a new commons' agent). */
  deadlineMs?: number;
};

const isAgentReported = (s: string): s is CommandState => (AGENT_REPORTED_STATES as readonly string[]).includes(s);

export class CommandService {
  constructor(
    private readonly store: Store,
    private readonly fleet: Fleet,
    private readonly events: EventBus,
    private readonly metrics: Metrics,
    private readonly sessions: AgentSessions,
    private readonly log: Logger,
    private readonly deadlineMs: number,
    private readonly cluster: Cluster,
  ) {}

  async create(c: NewCommand): Promise<CommandRow> {
    const now = new Date();
    const at = now.toISOString();
    const id = c.id ?? randomUUID();
    const row = await this.store.createCommand(
      {
        id,
        kind: c.kind,
        commons_id: c.commonsId,
        service: c.service,
        target_json: JSON.stringify(c.target),
        state: COMMAND.initial[0],
        message: 'queued',
        percent: 0,
        actor: c.principal.actor,
        created_at: at,
        updated_at: at,
        deadline: new Date(now.getTime() + (c.deadlineMs ?? this.deadlineMs)).toISOString(),
        attempts: 0,
        result_json: null,
      },
      {
        at,
        actor: c.principal.actor,
        actor_kind: c.principal.kind,
        role: c.principal.role,
        action: c.action,
        commons_id: c.commonsId,
        service: c.service,
        detail_json: JSON.stringify(c.detail),
        outcome: 'accepted',
        command_id: id,
      },
      c.configRevision && {
        commons_id: c.commonsId,
        revision: c.configRevision.revision,
        data_json: JSON.stringify(c.configRevision.data),
        author: c.principal.actor,
        created_at: at,
        command_id: id,
        state: 'pending',
      },
    );
    this.metrics.commandsCreated.inc({ kind: c.kind });
    this.publish(row);
    await this.dispatch(row);
    return row;
  }

  /**
   * Sends a command to the commons' agent if one is connected here; with other
   * replicas, the one holding the agent is told to send it. Otherwise it waits
   * for the agent (sent again on every connect).
   */
  async dispatch(row: CommandRow): Promise<void> {
    const session = this.sessions.forCommons(row.commons_id);
    if (!session) {
      if (this.cluster.shared) await this.tellOthers({ kind: 'dispatch', commons: row.commons_id, command: row.id });
      return;
    }
    const sent = session.send({
      command: {
        id: row.id,
        kind: row.kind,
        service: row.service ?? '',
        target_json: row.target_json,
        deadline_ms: Date.parse(row.deadline),
        created_at_ms: Date.parse(row.created_at),
      },
    });
    if (!sent) return;
    const at = new Date().toISOString();
    // Only a queued command moves: one already dispatched or running is sent again as it is (after a reconnect).
    const moved = await this.store.moveCommand(
      row.id,
      'dispatched',
      { message: `sent to agent ${session.agentId}`, attempts: row.attempts + 1, updated_at: at },
      { at, message: `sent to agent ${session.agentId}`, percent: 0 },
      ['queued'],
    );
    if (moved) this.publish(moved);
  }

  /** After an agent (re)connects or the service restarts: everything not final goes out again. */
  async redispatch(commonsId: string): Promise<number> {
    const open = await this.store.listOpenCommands(commonsId);
    for (const row of open) await this.dispatch(row);
    return open.length;
  }

  /** Records what an agent reported. Returns true once it is durable (the agent may then forget it). */
  async applyUpdate(commonsId: string, u: CommandUpdateMsg): Promise<boolean> {
    const state = u.state;
    if (!isAgentReported(state)) {
      this.log.warn({ commonsId, command: u.command_id, state: u.state }, 'agent sent an unknown command state; ignored');
      return false;
    }
    const existing = await this.store.getCommand(u.command_id);
    if (!existing || existing.commons_id !== commonsId) {
      this.log.warn({ commonsId, command: u.command_id }, 'update for a command this commons does not own; ignored');
      return true;
    }
    const at = new Date(Number.isFinite(u.at_ms) && u.at_ms > 0 ? u.at_ms : Date.now()).toISOString();
    const message = boundedMessage(u.message);
    const percent = boundedPercent(u.percent);
    let result: string | undefined;
    if (u.result_json) {
      const checked = checkResult(existing.kind, u.result_json);
      // The state still counts; a result that cannot be read later is not kept.
      if (checked.ok) result = checked.json;
      else this.log.warn({ commonsId, command: u.command_id, why: checked.why }, 'agent sent a result that is not valid; dropped');
    }
    const row = await this.store.moveCommand(u.command_id, state, { message, percent, updated_at: at, ...(result ? { result_json: result } : {}) }, { at, message, percent });
    if (!row) return true; // already final (a repeat, or it expired first): nothing changes
    this.publish(row);
    if (COMMAND.isFinal(row.state)) await this.finished(row);
    return true;
  }

  async cancel(row: CommandRow, reason: string): Promise<CommandRow | undefined> {
    const moved = await this.finish(row.id, 'cancelled', reason);
    if (moved) await this.sendCancel(row, reason);
    return moved;
  }

  /** A command another replica accepted, or cancelled, for an agent connected here. */
  async fromOtherReplica(msg: { kind: 'dispatch' | 'cancel'; commons: string; command: string; reason?: string }): Promise<void> {
    const session = this.sessions.forCommons(msg.commons);
    if (!session) return;
    if (msg.kind === 'cancel') {
      session.send({ cancel: { command_id: msg.command, reason: msg.reason ?? 'cancelled' } });
      return;
    }
    const row = await this.store.getCommand(msg.command);
    if (row && row.commons_id === msg.commons && !COMMAND.isFinal(row.state)) await this.dispatch(row);
  }

  private async sendCancel(row: CommandRow, reason: string): Promise<void> {
    const session = this.sessions.forCommons(row.commons_id);
    if (session) session.send({ cancel: { command_id: row.id, reason } });
    else if (this.cluster.shared) await this.tellOthers({ kind: 'cancel', commons: row.commons_id, command: row.id, reason });
  }

  /** The command is durable already: a lost message only delays it until the agent's next connect or the holder's resync. */
  private async tellOthers(msg: Parameters<Cluster['tell']>[0]): Promise<void> {
    await this.cluster.tell(msg).catch((e: Error) => this.log.warn({ err: e.message, kind: msg.kind }, 'could not tell the other replicas; the command goes out at the next resync'));
  }

  /** Expires what is past its deadline; runs on a timer, on one replica (the sweeper role). */
  async sweepDeadlines(now = Date.now()): Promise<void> {
    // Only the due ones, through the (state, deadline) index: not every open command each second.
    for (const row of await this.store.listDueCommands(new Date(now).toISOString())) {
      const c = this.fleet.get(row.commons_id);
      const seen = c?.agent.lastSeenMs ? `agent last seen ${new Date(c.agent.lastSeenMs).toISOString()}` : 'agent never seen';
      const reason = `no result from the commons agent before the deadline (${seen}, state was ${row.state}); check the agent and re-issue the command`;
      const moved = await this.finish(row.id, 'expired', reason);
      if (moved) await this.sendCancel(row, 'deadline passed');
    }
  }

  private async finish(id: string, state: 'cancelled' | 'expired', message: string): Promise<CommandRow | undefined> {
    const at = new Date().toISOString();
    const row = await this.store.moveCommand(id, state, { message, updated_at: at }, { at, message, percent: 0 });
    if (row) {
      this.publish(row);
      await this.finished(row);
    }
    return row;
  }

  private async finished(row: CommandRow): Promise<void> {
    this.metrics.commandsFinished.inc({ commons: row.commons_id, environment: this.fleet.get(row.commons_id)?.environment ?? '', kind: row.kind, state: row.state });
    this.metrics.commandDuration.observe({ kind: row.kind, state: row.state }, (Date.parse(row.updated_at) - Date.parse(row.created_at)) / 1000);
    if (row.kind !== 'config') return;
    const spec = commandSpec(row.kind, row.target_json);
    if (spec.kind !== 'config') return;
    const { revision, data } = spec.target;
    if (row.state === 'succeeded') {
      await this.store.moveConfigRevision(row.commons_id, revision, 'applied');
      await this.store.updateCommons(row.commons_id, { config_revision: revision, config_json: JSON.stringify(data), updated_at: row.updated_at });
      this.fleet.applyConfig(row.commons_id, { revision, data });
    } else {
      await this.store.moveConfigRevision(row.commons_id, revision, 'failed');
    }
  }

  private publish(row: CommandRow): void {
    this.events.publish({
      type: 'command.updated',
      commons: row.commons_id,
      command: row.id,
      kind: row.kind,
      service: row.service,
      state: row.state,
      message: row.message,
      percent: row.percent,
    });
  }
}

// Rollouts and their per-commons targets: the queries behind backend/rollouts.
import type { Kysely, Selectable } from 'kysely';
import type { Database, RolloutTargetsTable, RolloutsTable } from './schema';
import { ConflictError, type DeploymentLink, type NewAudit } from './store';
import type { AuditedWrite } from './groups-store';
import type { RolloutState, TargetState } from '../../contracts/rollouts';

export type RolloutRow = Selectable<RolloutsTable>;
export type RolloutTargetRow = Selectable<RolloutTargetsTable>;
export type NewRolloutTarget = Omit<RolloutTargetRow, 'attempts'>;

/** Rollouts that may still have something to do (the engine's work list). */
export const OPEN_ROLLOUT_STATES: readonly RolloutState[] = ['running', 'paused', 'paused-on-failure', 'aborted', 'rolling-back'];

export class RolloutsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audited: AuditedWrite,
  ) {}

  create(rollout: RolloutRow, targets: NewRolloutTarget[], audit: NewAudit): Promise<void> {
    return this.audited(audit, async (db) => {
      await db.insertInto('rollouts').values(rollout).execute();
      for (const t of targets) await db.insertInto('rollout_targets').values(t).execute();
    });
  }

  get(id: string): Promise<RolloutRow | undefined> {
    return this.db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(limit: number): Promise<RolloutRow[]> {
    return this.db.selectFrom('rollouts').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  }

  /** Rollouts the engine has work in: all but finished ones, and aborted ones only while a commons of theirs is in flight. */
  listOpen(): Promise<RolloutRow[]> {
    return this.db
      .selectFrom('rollouts')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('state', 'in', OPEN_ROLLOUT_STATES.filter((s) => s !== 'aborted')),
          eb.and([
            eb('state', '=', 'aborted'),
            eb.exists(eb.selectFrom('rollout_targets as t').select('t.commons_id').whereRef('t.rollout_id', '=', 'rollouts.id').where('t.state', 'in', ['deploying', 'soaking'])),
          ]),
        ]),
      )
      .orderBy('created_at')
      .execute();
  }

  targets(rolloutId: string): Promise<RolloutTargetRow[]> {
    return this.db.selectFrom('rollout_targets').selectAll().where('rollout_id', '=', rolloutId).orderBy('wave').orderBy('position').execute();
  }

  /** Moves the rollout from one of `from` to `to`; false when it was in none of them. With an audit entry, in one transaction. */
  async move(id: string, from: readonly RolloutState[], to: RolloutState, patch: { message: string; failure_json?: string | null }, audit?: NewAudit): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const r = await db
        .updateTable('rollouts')
        .set({ state: to, message: patch.message, ...(patch.failure_json !== undefined ? { failure_json: patch.failure_json } : {}), updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .where('state', 'in', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    });
  }

  /** Moves a target from `from` to `to` with the patch; false when it was not in `from` (someone else moved it). */
  async moveTarget(
    rolloutId: string,
    commonsId: string,
    from: readonly TargetState[],
    to: TargetState,
    patch: Partial<Pick<RolloutTargetRow, 'message' | 'soak_since' | 'deployment_id' | 'rollback_deployment_id'>> = {},
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('rollout_targets')
      .set({ state: to, ...patch, updated_at: new Date().toISOString() })
      .where('rollout_id', '=', rolloutId)
      .where('commons_id', '=', commonsId)
      .where('state', 'in', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * The link a deployment of a target writes in its own transaction: the
   * target moves from `from` to deploying (or rolling-back) with the
   * deployment's id, or the deployment is undone when the target was not
   * waiting for one (another replica or an earlier run already made it).
   */
  linkDeployment(rolloutId: string, commonsId: string, step: 'deploy' | 'rollback', from: readonly TargetState[]): DeploymentLink {
    return async (db, made) => {
      // A pause, abort or rollback that landed since the engine decided: nothing new starts.
      const rollout = await db.selectFrom('rollouts').select('state').where('id', '=', rolloutId).executeTakeFirst();
      if (rollout?.state !== (step === 'deploy' ? 'running' : 'rolling-back')) throw new ConflictError(`rollout ${rolloutId} is ${rollout?.state ?? 'gone'}; ${commonsId} is not started`);
      const at = new Date().toISOString();
      const set =
        step === 'deploy'
          ? { state: 'deploying', deployment_id: made.deploymentId, from_revision: made.baseRevision, to_revision: made.revision, soak_since: null, message: `deploying revision ${made.revision}`, updated_at: at }
          : { state: 'rolling-back', rollback_deployment_id: made.deploymentId, message: `rolling back (revision ${made.revision})`, updated_at: at };
      const q = db.updateTable('rollout_targets').set(set).where('rollout_id', '=', rolloutId).where('commons_id', '=', commonsId).where('state', 'in', from);
      const r = await (step === 'deploy' ? q.set((eb) => ({ attempts: eb('attempts', '+', 1) })) : q).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new ConflictError(`${commonsId} of rollout ${rolloutId} is no longer waiting for a ${step}`);
    };
  }
}

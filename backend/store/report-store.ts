// The rows a monthly change report is made of: a commons' deployments and its
// audit entries in a time range, each with its command's state now.
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export interface ReportDeploymentRow {
  id: string;
  created_at: string;
  kind: string;
  revision: number;
  release: string | null;
  actor: string;
  reason: string;
  phase: string;
  command_state: string | null;
}

export interface ReportAuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  service: string | null;
  outcome: string;
  detail_json: string;
  command_state: string | null;
}

export class ReportStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The commons' deployments created in [from, to), oldest first. */
  deployments(commonsId: string, from: string, to: string): Promise<ReportDeploymentRow[]> {
    return this.db
      .selectFrom('deployments')
      .leftJoin('revisions', (j) => j.onRef('revisions.commons_id', '=', 'deployments.commons_id').onRef('revisions.revision', '=', 'deployments.revision'))
      .leftJoin('commands', 'commands.id', 'deployments.command_id')
      .select(['deployments.id', 'deployments.created_at', 'deployments.kind', 'deployments.revision', 'revisions.release', 'deployments.actor', 'deployments.reason', 'deployments.phase', 'commands.state as command_state'])
      .where('deployments.commons_id', '=', commonsId)
      .where('deployments.created_at', '>=', from)
      .where('deployments.created_at', '<', to)
      .orderBy('deployments.created_at')
      .orderBy('deployments.revision')
      .execute();
  }

  /** The commons' audit entries written in [from, to), oldest first. */
  audit(commonsId: string, from: string, to: string): Promise<ReportAuditRow[]> {
    return this.db
      .selectFrom('audit')
      .leftJoin('commands', 'commands.id', 'audit.command_id')
      .select(['audit.id', 'audit.at', 'audit.actor', 'audit.action', 'audit.service', 'audit.outcome', 'audit.detail_json', 'commands.state as command_state'])
      .where('audit.commons_id', '=', commonsId)
      .where('audit.at', '>=', from)
      .where('audit.at', '<', to)
      .orderBy('audit.at')
      .orderBy('audit.id')
      .execute();
  }
}

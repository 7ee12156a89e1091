// /api/v1/audit: who did what, when, and how it ended.
import { Router } from 'express';
import type { AuditEntry, CommandState } from '../../../contracts/api';
import type { Role } from '../../../contracts/roles';
import { ROUTES } from '../../../contracts/routes';
import type { Store } from '../../store/store';
import { mount } from '../mount';

export interface AuditRoutesDeps {
  store: Store;
}

export function auditRouter({ store }: AuditRoutesDeps): Router {
  const r = Router();
  mount(r, ROUTES.listAudit, store, async ({ query, access }) => {
    // A caller scoped by team grants: only its commons' entries, so the limit counts what it sees.
    const rows = await store.listAudit({ ...query, commonsIn: access.visibleCommons(ROUTES.listAudit.permission) ?? undefined });
    // The result of an accepted command is the command's state now.
    const results = new Map<string, CommandState>();
    for (const id of new Set(rows.map((r) => r.command_id).filter((x): x is string => !!x))) {
      const c = await store.getCommand(id);
      if (c) results.set(id, c.state as CommandState);
    }
    const items: AuditEntry[] = rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      actorKind: row.actor_kind as AuditEntry['actorKind'],
      role: row.role as Role | null,
      action: row.action,
      commons: row.commons_id,
      service: row.service,
      detail: JSON.parse(row.detail_json) as Record<string, unknown>,
      outcome: row.outcome as AuditEntry['outcome'],
      commandId: row.command_id,
      result: row.command_id ? (results.get(row.command_id) ?? null) : (row.outcome as AuditEntry['outcome']),
    }));
    return { status: 200, body: { items } };
  });
  return r;
}

// /api/v1/audit: who did what, when, and how it ended.
import { Router } from 'express';
import { type AuditEntry, AuditListQuery } from '../../../contracts/api';
import type { Role } from '../../../contracts/roles';
import { requirePermission } from '../auth';
import type { ApiContext } from '../context';
import { parse } from '../validate';

export function auditRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get('/audit', async (req, res) => {
    await requirePermission(req, ctx.store, 'audit:read');
    const q = parse(AuditListQuery, req.query, 'query');
    const rows = await ctx.store.listAudit(q);
    // The result of an accepted command is the command's state now.
    const results = new Map<string, string>();
    for (const id of new Set(rows.map((r) => r.command_id).filter((x): x is string => !!x))) {
      const c = await ctx.store.getCommand(id);
      if (c) results.set(id, c.state);
    }
    const items: (AuditEntry & { result: string | null })[] = rows.map((row) => ({
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
      result: row.command_id ? (results.get(row.command_id) ?? null) : row.outcome,
    }));
    res.json({ items });
  });
  return r;
}

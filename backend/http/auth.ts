// Authentication and permission checks for /api/v1. Refusals of mutating
// calls are audited too, with whoever the caller claimed to be.
import type { NextFunction, Request, Response } from 'express';
import { AuthError, type Authenticator } from '../auth/authenticate';
import type { Principal } from '../auth/principal';
import { PERMISSIONS, type Permission, can } from '../contracts/roles';
import type { Store } from '../store/store';
import { HttpProblem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function authenticate(auth: Authenticator, store: Store) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      req.principal = await auth.authenticate(req.headers.authorization);
      next();
    } catch (e) {
      if (!(e instanceof AuthError)) return next(e);
      if (req.method !== 'GET') {
        await store.appendAudit({
          at: new Date().toISOString(),
          actor: 'anonymous',
          actor_kind: 'anonymous',
          role: null,
          action: `${req.method} ${req.path}`,
          commons_id: null,
          service: null,
          detail_json: JSON.stringify({ reason: e.message, ip: req.ip }),
          outcome: 'rejected',
          command_id: null,
        });
      }
      next(new HttpProblem(401, 'Unauthenticated', e.message));
    }
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new HttpProblem(401, 'Unauthenticated', 'no credential');
  return req.principal;
}

export interface DenialContext {
  action: string;
  commons?: string | null;
  service?: string | null;
}

/** Throws 403 unless the caller's role has the permission; audits the refusal of an action. */
export async function requirePermission(req: Request, store: Store, permission: Permission, audit?: DenialContext): Promise<Principal> {
  const p = principalOf(req);
  if (can(p.role, permission)) return p;
  if (audit) {
    await store.appendAudit({
      at: new Date().toISOString(),
      actor: p.actor,
      actor_kind: p.kind,
      role: p.role,
      action: audit.action,
      commons_id: audit.commons ?? null,
      service: audit.service ?? null,
      detail_json: JSON.stringify({ reason: `role ${p.role} lacks ${permission}` }),
      outcome: 'denied',
      command_id: null,
    });
  }
  throw new HttpProblem(403, 'Forbidden', `${p.actor} has role ${p.role}; ${permission} needs ${PERMISSIONS[permission]} or higher. Ask a DCOC admin for access.`);
}

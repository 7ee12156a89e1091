// Authentication and permission checks for /api/v1. Refusals of mutating
// calls are audited too, with whoever the caller claimed to be.
import type { NextFunction, Request, Response } from 'express';
import { AuthError, type Authenticator } from '../auth/authenticate';
import type { Principal } from '../auth/principal';
import { PERMISSIONS, type Permission, can } from '../../contracts/roles';
import { audit } from '../audit/record';
import type { Store } from '../store/store';
import { HttpProblem } from './problem';
import { AnonymousRefusals } from './refusal-audit';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function authenticate(auth: Authenticator, store: Store) {
  const anonymous = new AnonymousRefusals(store);
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      req.principal = await auth.authenticate(req.headers.authorization);
      next();
    } catch (e) {
      if (!(e instanceof AuthError)) return next(e);
      if (req.method !== 'GET') await anonymous.record(req, e.message);
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
export async function requirePermission(req: Request, store: Store, permission: Permission, denial?: DenialContext): Promise<Principal> {
  const p = principalOf(req);
  if (can(p.role, permission)) return p;
  if (denial) {
    await audit(store, p, { action: denial.action, outcome: 'denied', commons: denial.commons, service: denial.service, detail: { reason: `role ${p.role} lacks ${permission}` } });
  }
  throw new HttpProblem(403, 'Forbidden', `${p.actor} has role ${p.role}; ${permission} needs ${PERMISSIONS[permission]} or higher. Ask a DCOC admin for access.`);
}

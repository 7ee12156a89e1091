// Authentication and permission checks for /api/v1. Refusals of mutating
// calls are audited too, with whoever the caller claimed to be.
import type { NextFunction, Request, Response } from 'express';
import { AuthError, type Authenticator } from '../auth/authenticate';
import type { Principal } from '../auth/principal';
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

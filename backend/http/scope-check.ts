// The permission check of every route, per commons: the route's scope
// (contracts/scopes.ts) says where its commons is; the caller's role on that
// commons (global role or a team grant) must have the route's permission.
// A refused change is audited, naming the commons.
import type { Request } from 'express';
import type { ApiRoute } from '../../contracts/routes';
import { PERMISSIONS, type Permission, type Role } from '../../contracts/roles';
import { SCOPE, type RouteScope } from '../../contracts/scopes';
import { audit } from '../audit/record';
import { Access, type AccessResolver } from '../auth/access';
import type { Principal } from '../auth/principal';
import type { Store } from '../store/store';
import { type DenialContext, principalOf } from './auth';
import { HttpProblem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    /** The caller's access, resolved at most once per request. */
    access?: Promise<Access>;
  }
}

/** Resolves the caller's grants lazily: only routes that need them pay for them. */
export function attachAccess(resolver: AccessResolver) {
  return (req: Request, _res: unknown, next: () => void) => {
    let memo: Promise<Access> | undefined;
    Object.defineProperty(req, 'access', { configurable: true, get: () => (memo ??= resolver.of(principalOf(req))) });
    next();
  };
}

/** Without a resolver (a router mounted on its own), the caller has their global role only. */
export function accessOf(req: Request): Promise<Access> {
  return req.access ?? Promise.resolve(new Access(principalOf(req), []));
}

export function scopeOf(route: ApiRoute): RouteScope {
  // Undeclared is the narrowest: the global role alone.
  return route.scope ?? SCOPE.global;
}

export interface Authorized {
  /** The caller with the role it acts with here: the role on the route's commons, else the highest it holds. */
  principal: Principal & { role: Role };
  access: Access;
}

const rolePhrase = (role: Role | null) => (role ? `role ${role}` : 'no role');

/**
 * Checks a route with a permission. `body` is called only for a route whose
 * commons is named in its body, after the caller is known to hold the
 * permission somewhere (a caller with no access is refused before the body is read).
 */
export async function authorize(req: Request, store: Store, route: ApiRoute & { permission: Permission }, params: unknown, body: () => unknown, denial?: DenialContext): Promise<Authorized> {
  const access = await accessOf(req);
  const permission = route.permission;
  const scope = scopeOf(route);
  const refuse = async (role: Role | null, where: string | null): Promise<never> => {
    const p = access.principal;
    // Without team grants the role is the same everywhere: say it as before scoped roles.
    const on = access.grants.length === 0 ? '' : where ? ` on commons ${where}` : ' globally';
    if (denial) await audit(store, p, { action: denial.action, outcome: 'denied', commons: where ?? denial.commons, service: denial.service, detail: { reason: `${rolePhrase(role)}${on} lacks ${permission}` } });
    const ask = where && access.grants.length ? `Ask a DCOC admin for a team grant on a group with ${where}, or a global role.` : 'Ask a DCOC admin for access.';
    throw new HttpProblem(403, 'Forbidden', `${p.actor} has ${rolePhrase(role)}${on}; ${permission} needs ${PERMISSIONS[permission]} or higher. ${ask}`);
  };
  const acting = (role: Role | null): Authorized => ({ principal: { ...access.principal, role: role as Role }, access });
  const global = async () => (access.canGlobally(permission) ? acting(access.global) : refuse(access.global, null));
  const onCommons = async (commonsId: string | null | undefined) => {
    if (!commonsId) return global();
    return access.can(permission, commonsId) ? acting(access.roleOn(commonsId)) : refuse(access.roleOn(commonsId), commonsId);
  };
  const anywhere = async () => (access.canAnywhere(permission) ? acting(access.highest()) : refuse(access.highest(), null));

  switch (scope.kind) {
    case 'global':
      return global();
    case 'none':
    case 'anywhere':
    case 'list':
      return anywhere();
    case 'commons': {
      if (scope.from === 'path') return onCommons(field(params, scope.field));
      await anywhere();
      return onCommons(field(body(), scope.field));
    }
    case 'record': {
      const id = field(params, 'id');
      const commons = !id ? undefined : scope.record === 'approval' ? await store.getApprovalCommons(id) : (await (scope.record === 'command' ? store.getCommand(id) : store.getDeployment(id)))?.commons_id;
      // An unknown record: the handler answers 404, to a caller who may see some of them.
      return commons ? onCommons(commons) : anywhere();
    }
  }
}

function field(from: unknown, name: string): string | undefined {
  const v = from && typeof from === 'object' ? (from as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** A list route's answer with only the items the caller may see (items[field] names each one's commons). */
export function filterItems(body: unknown, scope: RouteScope, access: Access, permission: Permission): unknown {
  if (scope.kind !== 'list' || access.canGlobally(permission)) return body;
  if (!body || typeof body !== 'object' || !Array.isArray((body as { items?: unknown }).items)) return body;
  const items = (body as { items: unknown[] }).items.filter((item) => access.sees(permission, field(item, scope.field) ?? null));
  return { ...body, items };
}

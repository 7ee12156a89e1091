// Registers a route of the table (contracts/routes.ts) on an express router:
// parses its path parameters, checks its permission on the commons its scope
// names (auditing a refused change; scope-check.ts), parses its query and body
// with the entry's schemas, then calls the handler with them; a list route's
// items are cut to the commons the caller may see. A handler can only exist for an entry of the table, and
// what it answers is typed by the entry's response schemas.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { ApiRoute, SuccessStatus } from '../../contracts/routes';
import type { Access } from '../auth/access';
import type { Principal } from '../auth/principal';
import type { Role } from '../../contracts/roles';
import type { Store } from '../store/store';
import type { DenialContext } from './auth';
import { accessOf, authorize, filterItems, scopeOf } from './scope-check';
import { jsonBody, parse } from './validate';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type Responses<R extends ApiRoute> = R['responses'];

/** The statuses the route answers with and, for each, the body its schema takes. */
export type Answer<R extends ApiRoute> = {
  [S in keyof Responses<R> & SuccessStatus]: { status: S; body: Responses<R>[S] extends z.ZodType ? z.input<Responses<R>[S]> : undefined; location?: string };
}[keyof Responses<R> & SuccessStatus];

export interface Inputs<R extends ApiRoute> {
  params: Out<R['params']>;
  query: Out<R['query']>;
  body: Out<R['body']>;
  /** The authenticated caller, with the role it acts with on the route's commons; none on a public route. */
  principal: R['public'] extends true ? undefined : R['permission'] extends null ? Principal : Principal & { role: Role };
  /** What the caller may see and change (a stream filters its events with access.sees). */
  access: R['public'] extends true ? undefined : Access;
}

export interface MountOptions<R extends ApiRoute> {
  /** What a refused change is audited as (mutating routes). */
  denial?: (req: Request, params: Out<R['params']>) => DenialContext;
}

export function mount<R extends ApiRoute>(
  router: Router,
  route: R,
  /** Where a refused change is audited. */
  store: Store,
  handler: (input: Inputs<R>, req: Request, res: Response) => Promise<Answer<R> | void> | Answer<R> | void,
  opts: MountOptions<R> = {},
): void {
  router[route.method](route.path, async (req: Request, res: Response) => {
    const params = (route.params ? parse(route.params, req.params, 'path') : undefined) as Out<R['params']>;
    // No body at all is an empty one where the route allows it; any other body must be JSON.
    let body: Out<R['body']> | undefined;
    const bodyOf = () => {
      if (body === undefined && route.body) body = parse(route.body, route.bodyOptional && req.body === undefined ? {} : jsonBody(req), 'body') as Out<R['body']>;
      return body;
    };
    let principal: Principal | undefined;
    let access: Access | undefined;
    if (!route.public) {
      if (route.permission) ({ principal, access } = await authorize(req, store, { ...route, permission: route.permission }, params, bodyOf, opts.denial?.(req, params)));
      else access = await accessOf(req).then((a) => ((principal = a.principal), a));
    }
    const query = (route.query ? parse(route.query, req.query, 'query') : undefined) as Out<R['query']>;
    bodyOf();
    const answer = await handler({ params, query, body: body as Out<R['body']>, principal, access } as Inputs<R>, req, res);
    if (!answer) return;
    res.status(answer.status);
    if (answer.location) res.location(answer.location);
    if (answer.body === undefined) res.end();
    else res.json(access && route.permission ? filterItems(answer.body, scopeOf(route), access, route.permission) : answer.body);
  });
}

// Registers a route of the table (contracts/routes.ts) on an express router:
// parses its path parameters, checks its permission (auditing a refused
// change), parses its query and body with the entry's schemas, then calls the
// handler with them. A handler can only exist for an entry of the table, and
// what it answers is typed by the entry's response schemas.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { ApiRoute, SuccessStatus } from '../../contracts/routes';
import type { Principal } from '../auth/principal';
import type { Store } from '../store/store';
import { type DenialContext, principalOf, requirePermission } from './auth';
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
  /** The authenticated caller; none on a public route. */
  principal: R['public'] extends true ? undefined : Principal;
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
    const principal = (route.public ? undefined : route.permission ? await requirePermission(req, store, route.permission, opts.denial?.(req, params)) : principalOf(req)) as Inputs<R>['principal'];
    const query = (route.query ? parse(route.query, req.query, 'query') : undefined) as Out<R['query']>;
    // No body at all is an empty one where the route allows it; any other body must be JSON.
    const raw = route.body && (req.body === undefined && route.bodyOptional ? {} : jsonBody(req));
    const body = (route.body ? parse(route.body, raw, 'body') : undefined) as Out<R['body']>;
    const answer = await handler({ params, query, body, principal }, req, res);
    if (!answer) return;
    res.status(answer.status);
    if (answer.location) res.location(answer.location);
    if (answer.body === undefined) res.end();
    else res.json(answer.body);
  });
}

// Bodies the API would otherwise read wrongly or not at all: a body in a
// content type express.json does not parse would be ignored by a route that
// takes no body (a restart answered 202 whatever it carried), and JSON nested
// thousands deep would overflow the recursive code that walks values. Both are
// refused here, before any route runs, naming the body.
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problem';

/** Deeper than any real request (deploy overrides are a handful of levels). */
export const MAX_BODY_DEPTH = 64;

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Nesting depth of a parsed JSON value, without recursion (the value may be hostile). */
export function depthOf(value: unknown, limit = MAX_BODY_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > deepest) deepest = d;
    if (deepest > limit) return deepest;
    if (v && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

export function bodyGuard(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || !hasBody(req)) return next();
  if (!req.is('application/json')) {
    return next(new HttpProblem(415, 'Unsupported media type', `send the body as JSON with "Content-Type: application/json" (got ${req.headers['content-type'] ?? 'none'})`, [{ field: 'body', message: 'not JSON' }]));
  }
  if (depthOf(req.body) > MAX_BODY_DEPTH) {
    return next(new HttpProblem(422, 'Invalid request', `the body is nested deeper than ${MAX_BODY_DEPTH} levels`, [{ field: 'body', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }]));
  }
  next();
}

// zod at the edge: parse or throw a problem that names the fields.
import type { Request } from 'express';
import type { z } from 'zod';
import { HttpProblem, validationProblem } from './problem';

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'path'): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationProblem(r.error, where);
  return r.data;
}

/** A route that takes a JSON body refuses other content types. */
export function jsonBody(req: Request): unknown {
  if (!req.is('application/json')) {
    throw new HttpProblem(415, 'Unsupported media type', 'send the body as JSON with "Content-Type: application/json"');
  }
  return req.body;
}

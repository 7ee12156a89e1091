// RFC 9457 problem details: every error the API returns has this shape and
// says what to do next; `errors` names the field at fault.
import type { NextFunction, Request, Response } from 'express';
import type { ZodError } from 'zod';
import type { Problem } from '../../contracts/api';
import { DomainError } from '../domain/errors';
import { storeFault } from '../store/faults';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: Problem['errors'],
    /** Already in the audit log (a refusal of the change gate, audited as denied): not audited again as rejected. */
    readonly audited = false,
  ) {
    super(detail);
  }
}

const TYPES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'validation-failed',
  500: 'internal',
  503: 'unavailable',
};

export function sendProblem(res: Response, p: HttpProblem): void {
  const body: Problem = {
    type: `urn:gen3-dcoc:problem:${TYPES[p.status] ?? 'error'}`,
    title: p.title,
    status: p.status,
    detail: p.detail,
    ...(p.errors ? { errors: p.errors } : {}),
  };
  if (p.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="dcoc"');
  res.status(p.status).type('application/problem+json').send(JSON.stringify(body));
}

export function validationProblem(error: ZodError, where: 'body' | 'query' | 'path'): HttpProblem {
  const errors = error.issues.flatMap((i) => {
    const base = [where, ...i.path.map(String)].join('.');
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: `${base}.${k}`, message: 'unknown field' }));
    return [{ field: base, message: i.message }];
  });
  return new HttpProblem(422, 'Invalid request', `${errors.length} field(s) are invalid: ${errors.map((e) => e.field).join(', ')}`, errors);
}

export const notFound = (what: string) => new HttpProblem(404, 'Not found', `${what} does not exist`);

const STATUS_OF: Record<DomainError['kind'], number> = { 'not-found': 404, conflict: 409, refused: 409, invalid: 422 };

/** The problem an error is answered with: an HttpProblem as it is, a domain error mapped to its status; undefined for anything else. */
export function problemOf(err: unknown): HttpProblem | undefined {
  if (err instanceof HttpProblem) return err;
  if (err instanceof DomainError) return new HttpProblem(STATUS_OF[err.kind], err.summary, err.detail, err.fields.length ? err.fields : undefined);
  return undefined;
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/** The last middleware: anything thrown becomes a problem response. */
export function problemHandler(log: { error: (o: object, m: string) => void; warn: (o: object, m: string) => void }) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    // A refusal sent before the body was read (no credential, too large) closes the
    // connection: the rest of that body is never read, however slowly it comes.
    if (!req.complete) res.setHeader('Connection', 'close');
    const problem = problemOf(err);
    if (problem) return sendProblem(res, problem);
    const e = err as BodyParserError;
    if (e?.type === 'entity.too.large') {
      return sendProblem(res, new HttpProblem(413, 'Request body too large', 'the body exceeds the limit (DCOC_MAX_BODY_BYTES); send less'));
    }
    if (e?.type === 'entity.parse.failed') {
      return sendProblem(res, new HttpProblem(400, 'Malformed JSON', `the body is not valid JSON: ${e.message}`, [{ field: 'body', message: 'malformed JSON' }]));
    }
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      return sendProblem(res, new HttpProblem(415, 'Unsupported encoding', e.message));
    }
    // The router's own refusals: a path parameter that is not valid percent-encoding.
    if (err instanceof URIError || (e?.status === 400 && /decode param/i.test(e.message ?? ''))) {
      return sendProblem(res, new HttpProblem(400, 'Bad path', `a path parameter is not valid percent-encoding (${e.message}); escape "%" as %25`, [{ field: 'path', message: 'not valid percent-encoding' }]));
    }
    // body-parser's other refusals (a body whose Content-Encoding does not decode, ...) carry their 4xx.
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendProblem(res, new HttpProblem(e.status, 'Bad request body', `${e.message}; send the body as plain or correctly encoded JSON`, [{ field: 'body', message: e.message }]));
    }
    const fault = storeFault(err);
    if (fault) {
      log.warn({ fault, path: req.path }, 'request refused: the store cannot be written');
      res.setHeader('Retry-After', '5');
      return sendProblem(res, new HttpProblem(503, 'Store unavailable', `${fault}; nothing was changed. Check the disk and permissions of the control service's data directory (DCOC_DATA_DIR), then retry`));
    }
    log.error({ err }, 'unhandled error in API request');
    sendProblem(res, new HttpProblem(500, 'Internal error', 'the control service failed; see its log for the request and try again'));
  };
}

// The OpenAPI 3.1 description of /api/v1, built from the route table
// (contracts/routes.ts): the zod schemas the routes validate their inputs with
// and describe their answers with, so the document cannot disagree with them.
import { z } from 'zod';
import * as contracts from '../../contracts/api';
import { Problem } from '../../contracts/api';
import { PERMISSIONS } from '../../contracts/roles';
import { API_PREFIX, API_ROUTES, type ApiRoute, type ProblemStatus, type SuccessStatus, successStatuses, templatePath } from '../../contracts/routes';

export { API_PREFIX };
export const openApiPath = templatePath;


const PROBLEMS: Record<ProblemStatus, [name: string, description: string]> = {
  400: ['BadRequest', 'Malformed JSON, or a path parameter that is not valid percent-encoding'],
  401: ['Unauthenticated', 'No valid credential'],
  403: ['Forbidden', "The caller's role lacks the permission"],
  404: ['NotFound', 'Nothing with that id'],
  409: ['Conflict', 'The resource moved on (stale revision, already finished, exists); reload and retry'],
  413: ['PayloadTooLarge', 'The body exceeds DCOC_MAX_BODY_BYTES'],
  415: ['UnsupportedMediaType', 'The body is not application/json'],
  422: ['ValidationFailed', 'A field is invalid or unknown; errors[] names each'],
  503: ['Unavailable', 'The store cannot be written; nothing was changed. Retry after Retry-After'],
};

const SUCCESS: Record<SuccessStatus, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted; follow Location to watch it', 204: 'Done; no content' };

type Json = Record<string, unknown>;

/**
 * Draft 2020-12 JSON Schema of what a client sends (io input: defaults
 * optional, coercions as their input) or of what it gets back (io output).
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  // Transforms, refinements and pipes have no JSON Schema: they become {} / their input type.
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** A schema exported by contracts/api.ts is a named component (its export name); others are inlined. */
function schemaRef(schema: z.ZodType, io: 'input' | 'output', schemas: Record<string, Json>): Json {
  const name = Object.entries(contracts).find(([, v]) => v === schema)?.[0];
  if (!name) return jsonSchema(schema, io);
  schemas[name] ??= jsonSchema(schema, io);
  return { $ref: `#/components/schemas/${name}` };
}

/** The statuses an operation can refuse with, from what it takes. */
export function problemsOf(op: ApiRoute): ProblemStatus[] {
  const s = new Set<ProblemStatus>(op.problems);
  if (!op.public) s.add(401);
  if (op.permission) s.add(403);
  if (op.params) s.add(404).add(400);
  if (op.body) s.add(400).add(413).add(415);
  if (op.params || op.query || op.body) s.add(422);
  if (op.method !== 'get') s.add(503);
  return [...s].sort((a, b) => a - b);
}

function parameters(op: ApiRoute): Json[] {
  const list = (where: 'path' | 'query', schema?: z.ZodObject) => {
    if (!schema) return [];
    const js = jsonSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
    return Object.entries(js.properties ?? {}).map(([name, { description, ...s }]) => ({
      name,
      in: where,
      required: where === 'path' || (js.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: s,
    }));
  };
  return [...list('path', op.params), ...list('query', op.query)];
}

function operation(op: ApiRoute, schemas: Record<string, Json>): Json {
  const responses: Json = {};
  for (const status of successStatuses(op)) {
    const body = op.responses[status];
    const media = [op.mediaType ?? 'application/json'].flat();
    if (status === 204) responses[status] = { description: SUCCESS[status] };
    else responses[status] = { description: SUCCESS[status], content: Object.fromEntries(media.map((m) => [m, body ? { schema: schemaRef(body, 'output', schemas) } : {}])) };
  }
  for (const status of problemsOf(op)) responses[status] = { $ref: `#/components/responses/${PROBLEMS[status][0]}` };

  let requestBody: Json | undefined;
  if (op.body) {
    requestBody = { required: !op.bodyOptional, content: { 'application/json': { schema: schemaRef(op.body, 'input', schemas) } } };
  }
  const params = parameters(op);
  const strictQuery = op.query ? ' Unknown query parameters are refused (422).' : '';
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: (op.permission ? `Needs ${op.permission} (role ${PERMISSIONS[op.permission]} or higher).` : 'Any authenticated caller.') + strictQuery,
    tags: [op.path.split('/')[1]],
    ...(op.public ? { security: [] } : {}),
    ...(op.permission ? { 'x-permission': op.permission } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** The document. serverUrl is the API's base (default API_PREFIX, relative to where the document is served). */
export function openApiDocument(opts: { version?: string; serverUrl?: string } = {}): Json {
  const schemas: Record<string, Json> = { Problem: jsonSchema(Problem, 'output') };
  const paths: Record<string, Json> = {};
  for (const op of API_ROUTES) (paths[openApiPath(op.path)] ??= {})[op.method] = operation(op, schemas);
  const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
  const responses = Object.fromEntries(
    Object.entries(PROBLEMS).map(([status, [name, description]]) => [
      name,
      {
        description,
        ...(status === '401' ? { headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer realm="dcoc"' } } } : {}),
        ...(status === '503' ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds' } } } : {}),
        content: problem,
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gen3 DCOC control service',
      version: opts.version ?? '1',
      description: 'Operate Gen3 data commons: fleet status, service actions, config, deployments, audit. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: opts.serverUrl ?? API_PREFIX }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (dcoc_…, from POST /tokens) or a Grafana plugin identity assertion.' },
      },
      schemas,
      responses,
    },
  };
}

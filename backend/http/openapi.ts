// The OpenAPI 3.1 description of /api/v1, built from the zod schemas the
// routes validate with, so the document cannot disagree with what the API
// accepts. One table entry per route; test/unit/openapi.test.ts fails when the
// table and the express routers list different routes.
import { z } from 'zod';
import * as contracts from '../../contracts/api';
import {
  ApiTokenRequest,
  AuditListQuery,
  CommandListQuery,
  CommonsPath,
  ConfigRequest,
  DeploymentListQuery,
  DeploymentRequest,
  EnrollmentTokenRequest,
  EventsQuery,
  JobPath,
  type Problem,
  ReleaseImportRequest,
  ReleasePath,
  RestartRequest,
  RevisionPath,
  RollbackRequest,
  RunJobRequest,
  ScaleRequest,
  ServicePath,
  TokenPath,
  UuidPath,
} from '../../contracts/api';
import { PERMISSIONS, type Permission } from '../../contracts/roles';

export const API_PREFIX = '/api/v1';

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503;
type SuccessStatus = 200 | 201 | 202 | 204;

export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style, relative to API_PREFIX: '/commons/:id'. */
  path: string;
  operationId: string;
  summary: string;
  /** Parsed from req.params, req.query and the JSON body. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The route accepts no body at all as well as its schema (restart, run-job, enrollment tokens). */
  bodyOptional?: boolean;
  /** null: any authenticated caller. */
  permission: Permission | null;
  /** No credential needed (the document's global bearer requirement is lifted). */
  public?: boolean;
  /** Several when the body decides (a deployment plan is 200, an apply 202). */
  success: SuccessStatus | readonly SuccessStatus[];
  /** The success body's media type when not JSON. */
  mediaType?: string;
  /** Refusals beyond those implied by the entry's inputs (see problemsOf). */
  problems?: readonly ProblemStatus[];
}

export const API_OPERATIONS: readonly ApiOperation[] = [
  // agents.ts
  { method: 'get', path: '/agents', operationId: 'listAgents', summary: 'List enrolled agents', permission: 'fleet:read', success: 200 },
  { method: 'post', path: '/enrollment-tokens', operationId: 'createEnrollmentToken', summary: 'Mint a one-time agent enrollment token (shown once)', body: EnrollmentTokenRequest, bodyOptional: true, permission: 'agents:manage', success: 201 },
  { method: 'delete', path: '/agents/:id', operationId: 'revokeAgent', summary: "Revoke an agent's certificate and close its session", params: UuidPath, permission: 'agents:manage', success: 204 },
  // audit.ts
  { method: 'get', path: '/audit', operationId: 'listAudit', summary: 'Audit log, newest first', query: AuditListQuery, permission: 'audit:read', success: 200 },
  // commands.ts
  { method: 'get', path: '/commands', operationId: 'listCommands', summary: 'Command history', query: CommandListQuery, permission: 'events:read', success: 200 },
  { method: 'get', path: '/commands/:id', operationId: 'getCommand', summary: 'One command with its progress', params: UuidPath, permission: 'events:read', success: 200 },
  { method: 'post', path: '/commands/:id/cancel', operationId: 'cancelCommand', summary: 'Cancel a command that has not finished', params: UuidPath, permission: 'services:operate', success: 200, problems: [409] },
  // commons.ts
  { method: 'get', path: '/commons', operationId: 'listCommons', summary: 'The fleet: every commons with a status summary', permission: 'fleet:read', success: 200 },
  { method: 'get', path: '/commons/:id', operationId: 'getCommons', summary: 'One commons with its services (config data needs details:read)', params: CommonsPath, permission: 'fleet:read', success: 200 },
  { method: 'delete', path: '/commons/:id', operationId: 'removeCommons', summary: 'Remove a commons whose agent is revoked', params: CommonsPath, permission: 'agents:manage', success: 204, problems: [409] },
  { method: 'get', path: '/commons/:id/config/revisions', operationId: 'listConfigRevisions', summary: 'Revisions of the manifest-global config', params: CommonsPath, permission: 'details:read', success: 200 },
  { method: 'post', path: '/commons/:id/services/:service/restart', operationId: 'restartService', summary: 'Restart a service (rolling); queues a command', params: ServicePath, body: RestartRequest, bodyOptional: true, permission: 'services:operate', success: 202 },
  { method: 'post', path: '/commons/:id/services/:service/scale', operationId: 'scaleService', summary: 'Scale a service; queues a command, or where ArgoCD owns the commons records a revision committed to GitOps (202 with the deployment)', params: ServicePath, body: ScaleRequest, permission: 'services:operate', success: 202 },
  { method: 'get', path: '/commons/:id/jobs', operationId: 'listJobs', summary: "The commons' CronJobs as its agent reports them: schedule, suspended, last run and its result", params: CommonsPath, permission: 'fleet:read', success: 200 },
  { method: 'post', path: '/commons/:id/jobs/:cronjob/run', operationId: 'runJob', summary: 'Run a Job from one of the commons\' CronJobs (404 naming path.cronjob for one it does not have); queues a command', params: JobPath, body: RunJobRequest, bodyOptional: true, permission: 'services:operate', success: 202 },
  { method: 'put', path: '/commons/:id/config', operationId: 'updateConfig', summary: 'Replace the manifest-global config data; queues a command', params: CommonsPath, body: ConfigRequest, permission: 'config:write', success: 202, problems: [409] },
  // deployments.ts
  { method: 'get', path: '/releases', operationId: 'listReleases', summary: 'Gen3 releases (built-in and imported)', permission: 'details:read', success: 200 },
  { method: 'get', path: '/releases/:version', operationId: 'getRelease', summary: 'One release with its images', params: ReleasePath, permission: 'details:read', success: 200 },
  { method: 'post', path: '/releases', operationId: 'importRelease', summary: 'Import a release from a manifest.json or gen3-helm values', body: ReleaseImportRequest, permission: 'deployments:write', success: 201, problems: [409] },
  { method: 'get', path: '/templates', operationId: 'listTemplates', summary: 'Deployment templates', permission: 'details:read', success: 200 },
  { method: 'get', path: '/profiles', operationId: 'listProfiles', summary: 'Sizing profiles', permission: 'details:read', success: 200 },
  { method: 'post', path: '/deployments', operationId: 'createDeployment', summary: 'Plan (200, changes nothing) or apply (202) a deployment', body: DeploymentRequest, permission: 'deployments:write', success: [200, 202], problems: [404, 409] },
  { method: 'get', path: '/deployments', operationId: 'listDeployments', summary: 'Deployments, newest first', query: DeploymentListQuery, permission: 'details:read', success: 200 },
  { method: 'get', path: '/deployments/:id', operationId: 'getDeployment', summary: 'One deployment with its progress', params: UuidPath, permission: 'details:read', success: 200 },
  { method: 'post', path: '/deployments/:id/cancel', operationId: 'cancelDeployment', summary: 'Cancel a deployment that has not finished', params: UuidPath, permission: 'deployments:write', success: 200, problems: [409] },
  { method: 'get', path: '/commons/:id/revisions', operationId: 'listRevisions', summary: "A commons' deployment revisions", params: CommonsPath, permission: 'details:read', success: 200 },
  { method: 'get', path: '/commons/:id/revisions/:n', operationId: 'getRevision', summary: 'One revision with its values and diff', params: RevisionPath, permission: 'details:read', success: 200 },
  { method: 'post', path: '/commons/:id/rollback', operationId: 'rollback', summary: 'Roll a commons back to an earlier revision', params: CommonsPath, body: RollbackRequest, permission: 'deployments:write', success: 202, problems: [409] },
  // events.ts
  { method: 'get', path: '/events', operationId: 'streamEvents', summary: 'Server-Sent Events of status changes and command progress (honors Last-Event-ID)', query: EventsQuery, permission: 'events:read', success: 200, mediaType: 'text/event-stream' },
  // tokens.ts
  { method: 'post', path: '/tokens', operationId: 'createApiToken', summary: 'Mint a role-bound API token (shown once)', body: ApiTokenRequest, permission: 'tokens:manage', success: 201 },
  { method: 'get', path: '/tokens', operationId: 'listApiTokens', summary: 'API tokens (never their secrets)', permission: 'tokens:manage', success: 200 },
  { method: 'delete', path: '/tokens/:id', operationId: 'revokeApiToken', summary: 'Revoke an API token', params: TokenPath, permission: 'tokens:manage', success: 204 },
  { method: 'get', path: '/openapi.json', operationId: 'openApiDocument', summary: 'This document', permission: null, public: true, success: 200 },
  { method: 'get', path: '/whoami', operationId: 'whoami', summary: 'The caller as the API sees it (actor, role)', permission: null, success: 200 },
];

/** '/commons/:id/services/:service' → '/commons/{id}/services/{service}'. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

// What sendProblem writes; typed against the contract's Problem interface.
const ProblemSchema: z.ZodType<Problem> = z.object({
  type: z.string().describe('urn:gen3-dcoc:problem:<kind>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().describe('What went wrong and what to do next'),
  errors: z.array(z.object({ field: z.string().describe('body.x, query.y or path.z'), message: z.string() })).optional(),
});

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

/** Draft 2020-12 JSON Schema of what a client sends (io: input: defaults optional, coercions as their input). */
export function jsonSchema(schema: z.ZodType): Json {
  // Transforms, refinements and pipes have no JSON Schema: they become {} / their input type.
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

/** The statuses an operation can refuse with, from what it takes. */
export function problemsOf(op: ApiOperation): ProblemStatus[] {
  const s = new Set<ProblemStatus>(op.problems);
  if (!op.public) s.add(401);
  if (op.permission) s.add(403);
  if (op.params) s.add(404).add(400);
  if (op.body) s.add(400).add(413).add(415);
  if (op.params || op.query || op.body) s.add(422);
  if (op.method !== 'get') s.add(503);
  return [...s].sort((a, b) => a - b);
}

function parameters(op: ApiOperation): Json[] {
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

function operation(op: ApiOperation, schemas: Record<string, Json>): Json {
  const responses: Json = {};
  for (const status of [op.success].flat()) {
    responses[status] = status === 204 ? { description: SUCCESS[status] } : { description: SUCCESS[status], content: { [op.mediaType ?? 'application/json']: {} } };
  }
  for (const status of problemsOf(op)) responses[status] = { $ref: `#/components/responses/${PROBLEMS[status][0]}` };

  let requestBody: Json | undefined;
  if (op.body) {
    // A body schema exported by contracts/api.ts is a named component (its export name); others are inlined.
    const name = Object.entries(contracts).find(([, v]) => v === op.body)?.[0];
    if (name) schemas[name] ??= jsonSchema(op.body);
    requestBody = { required: !op.bodyOptional, content: { 'application/json': { schema: name ? { $ref: `#/components/schemas/${name}` } : jsonSchema(op.body) } } };
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
  const schemas: Record<string, Json> = { Problem: jsonSchema(ProblemSchema) };
  const paths: Record<string, Json> = {};
  for (const op of API_OPERATIONS) (paths[openApiPath(op.path)] ??= {})[op.method] = operation(op, schemas);
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

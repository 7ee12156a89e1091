// backend/http/openapi.ts: the OpenAPI document lists exactly the routes the
// express app registers, describes each request and response body with the
// route table's schemas, and is self-consistent (refs resolve, path params
// declared, ids unique).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as contracts from '../../contracts/api';
import { jsonSchema, openApiDocument, openApiPath } from '../../backend/http/openapi';
import { controlApp, registeredRoutes as expressRoutes } from '../support/express-routes';
import { API_ROUTES as API_OPERATIONS, ROUTES } from '../../contracts/routes';

type Json = Record<string, unknown>;
/** Every `method path` the app routes under API_PREFIX (path relative to it). */
function registeredRoutes(): Set<string> {
  return new Set(expressRoutes(controlApp()).map((r) => r.replace(/^\S+/, (m) => m.toLowerCase())));
}

/** Every `<router>.<method>(` call in the files that define API routes: a route registered around the table. */
function unmountedRoutes(): string[] {
  const dir = 'backend/http/routes';
  const out: string[] = [];
  for (const file of [...readdirSync(dir).map((f) => join(dir, f)), 'backend/http/app.ts']) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\b(r|api)\.(get|post|put|patch|delete)\(/g)) out.push(`${file}: ${m[0]}`);
  }
  return out;
}

const doc = openApiDocument();
const paths = doc.paths as Record<string, Record<string, Json>>;

function resolve(ref: string): unknown {
  assert.match(ref, /^#\//, `external or relative $ref ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

const bodySchemaOf = (operation: Json) => {
  const schema = ((operation.requestBody as Json).content as Record<string, Json>)['application/json'].schema as Json;
  return (schema.$ref ? resolve(schema.$ref as string) : schema) as Json;
};

describe('OpenAPI document', () => {
  it('lists exactly the routes the app registers under /api/v1', () => {
    const routes = registeredRoutes();
    const documented = new Set(API_OPERATIONS.map((o) => `${o.method} ${o.path}`));
    const undocumented = [...routes].filter((r) => !documented.has(r));
    const stale = [...documented].filter((r) => !routes.has(r));
    assert.deepEqual(undocumented, [], `routes missing from API_OPERATIONS in backend/http/openapi.ts: ${undocumented.join(', ')}`);
    assert.deepEqual(stale, [], `API_OPERATIONS entries with no route: ${stale.join(', ')}`);
    assert.equal(documented.size, API_OPERATIONS.length, 'an operation is listed twice');
    assert.ok(routes.size >= 30, `only ${routes.size} routes found; is the router walk still right?`);
  });

  it('registers every API route through mount(), so its inputs are parsed with the schemas the table names', () => {
    assert.deepEqual(unmountedRoutes(), []);
    for (const [name, route] of Object.entries(ROUTES)) assert.equal(route.operationId, name, `ROUTES.${name} has operationId ${route.operationId}`);
  });

  it('describes each success body with the route\'s response schema', () => {
    const components = (doc.components as { schemas: Record<string, Json> }).schemas;
    const audit = ((paths['/audit'].get.responses as Json)['200'] as { content: Record<string, { schema: Json }> }).content['application/json'].schema;
    assert.deepEqual(audit, { $ref: '#/components/schemas/AuditList' });
    const entry = (components.AuditList as { properties: { items: { items: Json } } }).properties.items.items as { properties: Json };
    assert.ok('result' in entry.properties, 'AuditEntry describes result');
    for (const op of API_OPERATIONS) {
      for (const [status, schema] of Object.entries(op.responses)) {
        const response = (paths[openApiPath(op.path)][op.method].responses as Record<string, { content?: Record<string, { schema?: Json }> }>)[status];
        assert.ok(response, `${op.method} ${op.path}: no ${status} response`);
        if (schema) assert.ok(Object.values(response.content ?? {})[0]?.schema, `${op.method} ${op.path} ${status}: no body schema`);
      }
    }
  });

  it('puts the zod-generated body schema in each requestBody', () => {
    for (const op of API_OPERATIONS.filter((o) => o.body)) {
      const operation = paths[openApiPath(op.path)][op.method];
      assert.deepEqual(bodySchemaOf(operation), jsonSchema(op.body!), `${op.method} ${op.path}`);
      assert.equal((operation.requestBody as Json).required, !op.bodyOptional, `${op.method} ${op.path} requestBody.required`);
    }
    const scale = bodySchemaOf(paths['/commons/{id}/services/{service}/scale'].post);
    assert.deepEqual(scale.required, ['replicas']);
    assert.equal(scale.additionalProperties, false);
    assert.deepEqual((scale.properties as Json).replicas, { type: 'integer', minimum: 0, maximum: 100 });
    // Every change takes an optional reason (a policy may require it), the approval it was granted, and an admin's override of a deny window.
    assert.deepEqual(Object.keys(scale.properties as Json).sort(), ['approvalId', 'override', 'reason', 'replicas']);
    assert.equal((paths['/commons/{id}/services/{service}/restart'].post.requestBody as Json).required, false);
  });

  it('is JSON, its $refs resolve, its path parameters are declared, its operationIds unique', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
    assert.equal(doc.openapi, '3.1.0');
    for (const ref of refs(doc)) assert.ok(resolve(ref) !== undefined, `unresolved $ref ${ref}`);
    const ids: string[] = [];
    for (const [template, item] of Object.entries(paths)) {
      const inTemplate = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(item)) {
        const params = (operation.parameters ?? []) as { name: string; in: string; required: boolean }[];
        const inPath = params.filter((p) => p.in === 'path');
        assert.deepEqual(inPath.map((p) => p.name).sort(), inTemplate, `${method} ${template}: path parameters`);
        assert.ok(inPath.every((p) => p.required), `${method} ${template}: path parameters must be required`);
        const responses = operation.responses as Json;
        assert.ok(Object.keys(responses).some((s) => s.startsWith('2')), `${method} ${template}: no success response`);
        const isPublic = API_OPERATIONS.some((o) => o.public && o.method === method && openApiPath(o.path) === template);
        assert.equal(!!responses['401'], !isPublic, `${method} ${template}: a 401 exactly when a credential is needed`);
        ids.push(operation.operationId as string);
      }
    }
    assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
    assert.equal(ids.length, API_OPERATIONS.length);
  });

  it('describes /events as text/event-stream and 204s without content', () => {
    assert.ok(((paths['/events'].get.responses as Json)['200'] as Json & { content: Json }).content['text/event-stream']);
    assert.equal(((paths['/agents/{id}'].delete.responses as Json)['204'] as Json).content, undefined);
    const query = (paths['/commands'].get.parameters as { name: string; in: string; required: boolean; schema: Json }[]).filter((p) => p.in === 'query');
    assert.deepEqual(query.map((p) => p.name), ['commons', 'status', 'since', 'limit']);
    assert.ok(query.every((p) => !p.required), 'query parameters with defaults are optional');
  });

  it('has schemas a draft 2020-12 validator compiles, and that agree with zod', () => {
    // ajv 8 comes with ajv-formats (a dependency of copy-webpack-plugin, a devDependency); the top-level ajv is eslint's v6.
    const require = createRequire(import.meta.url);
    const formats = require.resolve('ajv-formats');
    type Validate = (data: unknown) => boolean;
    const Ajv2020 = createRequire(formats)('ajv/dist/2020').default as new (o: object) => { compile(s: object): Validate };
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    (require('ajv-formats').default as (a: unknown) => void)(ajv);
    const compile = (s: object) => ajv.compile(s);
    const components = (doc.components as { schemas: Record<string, Json> }).schemas;
    for (const schema of Object.values(components)) compile(schema);
    for (const item of Object.values(paths)) {
      for (const op of Object.values(item)) for (const p of (op.parameters ?? []) as { schema: Json }[]) compile(p.schema);
    }
    const samples: [keyof typeof contracts, unknown][] = [
      ['ScaleRequest', { replicas: 3 }],
      ['ScaleRequest', { replicas: '3' }],
      ['ScaleRequest', { replicas: 3.5 }],
      ['ScaleRequest', { replicas: 3, extra: 1 }],
      ['ConfigRequest', { data: { 'a.b': 'x' }, baseRevision: 0, reason: 'why' }],
      ['ConfigRequest', { data: { 'a b': 'x' }, baseRevision: 0, reason: 'why' }],
      ['ApiTokenRequest', { name: 'ci', role: 'operator' }],
      ['ApiTokenRequest', { name: 'ci', role: 'root' }],
      ['RollbackRequest', { toRevision: 2, reason: 'bad', baseRevision: null }],
    ];
    for (const [name, value] of samples) {
      assert.ok(components[name], `no component schema ${name}`);
      const byZod = (contracts[name] as { safeParse(v: unknown): { success: boolean } }).safeParse(value).success;
      assert.equal(compile(components[name])(value), byZod, `${name} ${JSON.stringify(value)}`);
    }
  });
});

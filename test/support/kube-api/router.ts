// HTTP front: parses Kubernetes REST paths
// (/api/v1/namespaces/{ns}/{resource}/{name}/{subresource},
//  /apis/{group}/{version}/...), records the request, applies injected
// failures, dispatches to the registry / watch hub, and answers errors as
// Status objects.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { apiVersions, groupList, resourceList, versionInfo } from './discovery';
import { errors, KubeError } from './errors';
import { readPodLog, type PodLogs } from './pod-logs';
import type { DeleteOptions, Registry } from './registry';
import { decodeProtobufObject, PROTOBUF } from './protobuf';
import type { FailureInjector, RecordedRequest, RequestLog } from './request-log';
import { apiGroups, apiVersionOf, findType, type ResourceType } from './resources';
import { getScale, patchScale, replaceScale } from './scale';
import { isObject, type KubeObject } from './types';
import type { WatchHub } from './watch-hub';

export interface RouterDeps {
  registry: Registry;
  hub: WatchHub;
  log: RequestLog;
  failures: FailureInjector;
  podLogs: PodLogs;
  serverAddress(): string;
}

const BODY_TYPES = ['application/json', 'application/yaml', PROTOBUF];

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function mediaType(ct: string | undefined): string {
  return (ct ?? '').split(';')[0].trim().toLowerCase();
}

function tryParse(raw: string, ct: string | undefined): unknown {
  if (!raw) return undefined;
  try {
    return mediaType(ct).includes('yaml') ? parseYaml(raw) : JSON.parse(raw);
  } catch {
    return raw;
  }
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Audit-Id': randomUUID(), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof KubeError ? e : errors.internal(e instanceof Error ? e.message : String(e));
  if (!(e instanceof KubeError)) console.error('kube-api test server: unexpected error', e);
  if (res.headersSent) {
    res.end();
    return;
  }
  const retry = err.status.details?.retryAfterSeconds;
  if (retry !== undefined) res.setHeader('Retry-After', String(retry));
  sendJson(res, err.code, err.status);
}

/** Create/update bodies: JSON or YAML; anything else is 415 like the apiserver. */
function objectBody(raw: string, ct: string | undefined): KubeObject {
  const type = mediaType(ct);
  if (type !== 'application/json' && type !== 'application/yaml' && type !== PROTOBUF) throw errors.unsupportedMediaType(type, BODY_TYPES);
  // Protobuf bodies arrive here already decoded to their JSON text (see the request handler).
  let body: unknown;
  try {
    body = type === 'application/yaml' ? parseYaml(raw) : JSON.parse(raw);
  } catch (e) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
  if (!isObject(body)) throw errors.badRequest('Object is not a JSON object');
  return body as KubeObject;
}

/** List responses: items carry no apiVersion/kind (the list does), as from the apiserver. */
function listBody(t: ResourceType, r: { items: KubeObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number }) {
  const metadata: Record<string, unknown> = { resourceVersion: r.resourceVersion };
  if (r.continue) metadata.continue = r.continue;
  if (r.remainingItemCount !== undefined) metadata.remainingItemCount = r.remainingItemCount;
  const items = r.items.map((o) => {
    const copy: KubeObject = { ...o };
    delete copy.apiVersion;
    delete copy.kind;
    return copy;
  });
  return { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata, items };
}

interface Target {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

function parseTarget(group: string, version: string, rest: string[]): Target {
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  let parts = rest;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findType(group, version, rest[2])?.namespaced) {
    namespace = rest[1];
    parts = rest.slice(2);
  }
  if (parts.length === 0 || parts.length > 3) throw errors.noRoute();
  const type = findType(group, version, parts[0]);
  if (!type) throw errors.noRoute();
  const [, name, subresource] = parts;
  if (type.namespaced && name && !namespace) throw errors.noRoute();
  if (!type.namespaced && namespace) throw errors.noRoute();
  if (subresource && !(type.subresources as string[]).includes(subresource)) throw errors.noRoute();
  return { type, namespace, name, subresource, watchPath };
}

function deleteOptions(q: Record<string, string>, body: unknown): DeleteOptions {
  const b = isObject(body) ? body : {};
  const o: DeleteOptions = {};
  const policy = q.propagationPolicy ?? b.propagationPolicy;
  if (policy !== undefined) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground')
      throw errors.badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(policy)}"`);
    o.propagationPolicy = policy;
  } else if (b.orphanDependents === true || q.orphanDependents === 'true') o.propagationPolicy = 'Orphan';
  const grace = q.gracePeriodSeconds ?? b.gracePeriodSeconds;
  if (grace !== undefined) o.gracePeriodSeconds = Number(grace);
  if (isObject(b.preconditions)) o.preconditions = b.preconditions as DeleteOptions['preconditions'];
  if (q.dryRun === 'All' || (Array.isArray(b.dryRun) && b.dryRun.includes('All'))) o.dryRun = true;
  return o;
}

export function createRouter(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { registry, hub } = deps;

  function route(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest): void {
    const parts = rec.path.split('/').filter(Boolean).map(decodeURIComponent);
    const q = rec.query;
    const method = rec.method;
    if (parts.length === 1 && ['healthz', 'livez', 'readyz'].includes(parts[0])) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE')
      throw errors.methodNotAllowed(method);
    if (parts.length === 1 && parts[0] === 'version') return sendJson(res, 200, versionInfo());

    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      if (parts.length === 1) return sendJson(res, 200, apiVersions(deps.serverAddress()));
      [group, version, rest] = ['', parts[1], parts.slice(2)];
    } else if (parts[0] === 'apis') {
      if (parts.length === 1) return sendJson(res, 200, groupList());
      if (parts.length === 2) {
        const g = apiGroups().find((x) => x.group === parts[1]);
        if (!g) throw errors.noRoute();
        const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
        return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', name: g.group, versions, preferredVersion: versions[0] });
      }
      [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
    } else throw errors.noRoute();
    if (rest.length === 0) {
      const doc = resourceList(group, version);
      if (!doc) throw errors.noRoute();
      return sendJson(res, 200, doc);
    }

    const target = parseTarget(group, version, rest);
    const { type: t, namespace: ns, name, subresource: sub } = target;
    const manager = q.fieldManager || (rec.userAgent ?? 'unknown').split('/')[0] || 'unknown';
    const dryRun = q.dryRun === 'All';
    const wantsWatch = target.watchPath || q.watch === 'true' || q.watch === '1';

    if (!name) {
      if (method === 'GET' && wantsWatch) {
        hub.serve(req, res, {
          type: t,
          namespace: ns,
          labelSelector: q.labelSelector,
          fieldSelector: q.fieldSelector,
          resourceVersion: q.resourceVersion,
          allowWatchBookmarks: q.allowWatchBookmarks === 'true',
          timeoutSeconds: q.timeoutSeconds ? Number(q.timeoutSeconds) : undefined,
          sendInitialEvents: q.sendInitialEvents === 'true',
        });
        return;
      }
      if (method === 'GET') {
        const r = registry.list(t, ns, {
          labelSelector: q.labelSelector,
          fieldSelector: q.fieldSelector,
          limit: q.limit ? Number(q.limit) : undefined,
          continue: q.continue,
          resourceVersion: q.resourceVersion,
          resourceVersionMatch: q.resourceVersionMatch,
        });
        return sendJson(res, 200, listBody(t, r));
      }
      if (method === 'POST') {
        if (t.namespaced && !ns) throw errors.methodNotAllowed(method);
        const created = registry.create(t, ns, objectBody(rec.rawBody, rec.contentType), { manager, dryRun });
        return sendJson(res, 201, created);
      }
      if (method === 'DELETE') {
        const opts = deleteOptions(q, rec.body);
        for (const o of registry.list(t, ns, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }).items)
          registry.delete(t, o.metadata.namespace, o.metadata.name!, opts);
        return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
      }
      throw errors.methodNotAllowed(method);
    }

    if (sub === 'log') {
      if (method !== 'GET') throw errors.methodNotAllowed(method);
      const text = readPodLog(registry, t, deps.podLogs, ns!, name, q);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(text);
      return;
    }
    if (sub === 'scale') {
      if (method === 'GET') return sendJson(res, 200, getScale(registry, t, ns!, name));
      if (method === 'PUT') return sendJson(res, 200, replaceScale(registry, t, ns!, name, objectBody(rec.rawBody, rec.contentType), { manager, dryRun }));
      if (method === 'PATCH') return sendJson(res, 200, patchScale(registry, t, ns!, name, rec.contentType ?? '', rec.rawBody, { manager, dryRun }));
      throw errors.methodNotAllowed(method);
    }
    const subresource = sub === 'status' ? 'status' : undefined;
    switch (method) {
      case 'GET':
        return sendJson(res, 200, registry.get(t, ns, name));
      case 'PUT':
        return sendJson(res, 200, registry.update(t, ns, name, objectBody(rec.rawBody, rec.contentType), { manager, dryRun, subresource }));
      case 'PATCH': {
        // Apply must name its manager; other patches fall back to the User-Agent, like the apiserver.
        const isApply = mediaType(rec.contentType) === 'application/apply-patch+yaml';
        const r = registry.patch(t, ns, name, rec.contentType ?? '', rec.rawBody, {
          manager: isApply ? q.fieldManager : manager,
          dryRun,
          subresource,
          force: q.force === 'true',
        });
        return sendJson(res, r.created ? 201 : 200, r.object);
      }
      case 'DELETE': {
        if (subresource) throw errors.methodNotAllowed(method);
        const r = registry.delete(t, ns, name, deleteOptions(q, rec.body));
        return sendJson(res, 200, r.object ?? r.status);
      }
    }
    throw errors.methodNotAllowed(method);
  }

  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const bytes = await readBody(req);
      const isProtobuf = mediaType(req.headers['content-type']) === PROTOBUF && bytes.length > 0;
      let raw: string;
      try {
        raw = isProtobuf ? JSON.stringify(decodeProtobufObject(bytes)) : bytes.toString('utf8');
      } catch (e) {
        return sendError(res, e);
      }
      const rec: RecordedRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers['content-type'],
        rawBody: raw,
        body: isProtobuf ? JSON.parse(raw) : tryParse(raw, req.headers['content-type']),
        userAgent: req.headers['user-agent'],
        time: new Date(),
      };
      deps.log.record(rec);
      try {
        const injected = deps.failures.take(rec);
        if (injected) throw injected;
        route(req, res, rec);
      } catch (e) {
        sendError(res, e);
      }
      rec.status = res.statusCode;
    })().catch((e: unknown) => sendError(res, e));
  };
}

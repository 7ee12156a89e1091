// The resource routes the app's pages call (…/api/plugins/gen3-dcoc-app/resources/<path>)
// and the control service route each one forwards to. Only these paths and
// methods are forwarded: the app is not an open proxy to the control service.

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface RouteSpec {
  /** The resource path, with {param} segments; also the metric label. */
  path: string;
  methods: readonly Method[];
  /** The control service path (below /api/v1) it forwards to; undefined for routes the app answers itself. */
  control?: string;
}

export const RESOURCE_ROUTES: readonly RouteSpec[] = [
  { path: 'commons', methods: ['GET'], control: '/commons' },
  { path: 'commons/{id}', methods: ['GET', 'DELETE'], control: '/commons/{id}' },
  { path: 'commons/{id}/config/revisions', methods: ['GET'], control: '/commons/{id}/config/revisions' },
  { path: 'commons/{id}/config', methods: ['PUT'], control: '/commons/{id}/config' },
  { path: 'commons/{id}/services/{service}/restart', methods: ['POST'], control: '/commons/{id}/services/{service}/restart' },
  { path: 'commons/{id}/services/{service}/scale', methods: ['POST'], control: '/commons/{id}/services/{service}/scale' },
  { path: 'commons/{id}/jobs', methods: ['GET'], control: '/commons/{id}/jobs' },
  { path: 'commons/{id}/jobs/{cronjob}/run', methods: ['POST'], control: '/commons/{id}/jobs/{cronjob}/run' },
  { path: 'commons/{id}/revisions', methods: ['GET'], control: '/commons/{id}/revisions' },
  { path: 'commons/{id}/revisions/{n}', methods: ['GET'], control: '/commons/{id}/revisions/{n}' },
  { path: 'commons/{id}/rollback', methods: ['POST'], control: '/commons/{id}/rollback' },
  { path: 'releases', methods: ['GET'], control: '/releases' },
  { path: 'releases/{version}', methods: ['GET'], control: '/releases/{version}' },
  { path: 'templates', methods: ['GET'], control: '/templates' },
  { path: 'profiles', methods: ['GET'], control: '/profiles' },
  { path: 'deployments', methods: ['GET', 'POST'], control: '/deployments' },
  { path: 'deployments/{id}', methods: ['GET'], control: '/deployments/{id}' },
  { path: 'deployments/{id}/cancel', methods: ['POST'], control: '/deployments/{id}/cancel' },
  { path: 'commands', methods: ['GET'], control: '/commands' },
  { path: 'commands/{id}', methods: ['GET'], control: '/commands/{id}' },
  { path: 'commands/{id}/cancel', methods: ['POST'], control: '/commands/{id}/cancel' },
  { path: 'agents', methods: ['GET'], control: '/agents' },
  { path: 'agents/{id}', methods: ['DELETE'], control: '/agents/{id}' },
  { path: 'enrollment-tokens', methods: ['POST'], control: '/enrollment-tokens' },
  { path: 'audit', methods: ['GET'], control: '/audit' },
  { path: 'whoami', methods: ['GET'] },
];

/** A path parameter: ids, DNS labels and UUIDs only; never "..", never an encoded slash. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export type RouteMatch =
  | { kind: 'found'; route: RouteSpec; method: Method; params: Record<string, string>; controlPath?: string }
  | { kind: 'method-not-allowed'; route: RouteSpec }
  | { kind: 'not-found' };

export function matchRoute(method: string, rawPath: string): RouteMatch {
  const segments = rawPath.replace(/^\/+|\/+$/g, '').split('/');
  for (const route of RESOURCE_ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((p, i) => {
      const m = /^\{(\w+)\}$/.exec(p);
      if (!m) return p === segments[i];
      if (!SEGMENT.test(segments[i]) || segments[i].includes('..')) return false;
      params[m[1]] = segments[i];
      return true;
    });
    if (!fits) continue;
    const upper = method.toUpperCase() as Method;
    if (!route.methods.includes(upper)) return { kind: 'method-not-allowed', route };
    const controlPath = route.control
      ? `/api/v1${route.control.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name]))}`
      : undefined;
    return { kind: 'found', route, method: upper, params, controlPath };
  }
  return { kind: 'not-found' };
}

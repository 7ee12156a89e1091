// The resource routes the app's pages call (…/api/plugins/gen3-dcoc-app/resources/<path>)
// and the control service route each one forwards to, derived from the route
// table (contracts/routes.ts): only the routes it marks app: 'forward' are
// forwarded, so the app is not an open proxy to the control service.
import { API_ROUTES, APP_ROUTES, type ApiRoute, templatePath } from '../../contracts/routes';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** The order methods are listed in (the Allow header of a 405). */
const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'DELETE'];

export interface RouteSpec {
  /** The resource path, with {param} segments; also the metric label. */
  path: string;
  methods: readonly Method[];
  /** The control service path (below /api/v1) it forwards to; undefined for routes the app answers itself. */
  control?: string;
}

/** The allow-list: the table's forwarded routes grouped by path, and the routes the app answers itself. */
export function resourceRoutes(table: readonly Pick<ApiRoute, 'method' | 'path' | 'app'>[], own: readonly { method: string; path: string }[]): RouteSpec[] {
  const byPath = new Map<string, RouteSpec>();
  const add = (method: string, path: string, control: string | undefined) => {
    const spec = byPath.get(path) ?? { path, methods: [], control };
    const methods = [...spec.methods, method.toUpperCase() as Method].sort((a, b) => METHODS.indexOf(a) - METHODS.indexOf(b));
    byPath.set(path, { ...spec, methods });
  };
  for (const r of table) if (r.app === 'forward') add(r.method, templatePath(r.path).slice(1), templatePath(r.path));
  for (const r of own) add(r.method, templatePath(r.path).slice(1), undefined);
  return [...byPath.values()];
}

export const RESOURCE_ROUTES: readonly RouteSpec[] = resourceRoutes(API_ROUTES, Object.values(APP_ROUTES));

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

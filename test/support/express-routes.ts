// The routes an express app really registers, read from its router stack:
// what the route-table and OpenAPI tests compare the table against.
import assert from 'node:assert/strict';
import type express from 'express';
import { createApp } from '../../backend/http/app';
import type { ApiContext } from '../../backend/http/context';
import { API_PREFIX } from '../../contracts/routes';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** The express app the control service runs; routers only register handlers when built, so a stub context will do. */
export function controlApp(): express.Express {
  // Change routes register how a held change is replayed once approved.
  const ctx = new Proxy({ env: {}, approvals: { onApproved: () => undefined } } as Record<string, unknown>, { get: (t, k: string) => t[k] ?? {} }) as unknown as ApiContext;
  return createApp(ctx);
}

/** Every `METHOD /path` an express app routes under API_PREFIX (path relative to it). */
export function registeredRoutes(app: express.Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) for (const [method, on] of Object.entries(layer.route.methods)) if (on) out.push(`${method.toUpperCase()} ${prefix}${path}`);
      } else if (layer.handle?.stack) {
        assert.equal(typeof layer.rawPath, 'string', 'a router is mounted on a non-string path; teach this walk about it');
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : (layer.rawPath as string)));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out.filter((r) => r.split(' ')[1].startsWith(`${API_PREFIX}/`)).map((r) => r.replace(` ${API_PREFIX}/`, ' /'));
}

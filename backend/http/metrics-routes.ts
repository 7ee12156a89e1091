// Prometheus metrics, without credentials like the probes: the fleet-level
// /metrics, one commons' per-service detail at /metrics/commons/{id}, and
// /metrics/sd (HTTP service discovery) listing the commons whose detail
// Prometheus should scrape (backend/metrics/; docs/operating.md, "Metrics").
import express from 'express';
import { z } from 'zod';
import { CommonsPath } from '../../contracts/api';
import { GroupName, LabelSelector, parseSelector } from '../../contracts/groups';
import type { Env } from '../config/env';
import { DomainError } from '../domain/errors';
import type { Fleet } from '../fleet/fleet';
import type { GroupDirectory } from '../groups/directory';
import type { Metrics } from '../metrics/registry';
import { sdTargets } from '../metrics/sd';
import { HttpProblem, notFound, validationProblem } from './problem';

const MetricsSdQuery = z.strictObject({ group: GroupName.optional(), selector: z.string().max(2000).optional() });
const SD_ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/** About 1 MB of the fleet body written per turn of the event loop. */
const SLICE = 1 << 20;

/**
 * Writes a large text body a slice at a time, cut at line ends (never inside
 * a character), yielding the event loop between slices; no ETag, which would
 * hash all 7 MB of it at 10,000 commons in one go (Prometheus does not use it).
 */
function sendInSlices(res: express.Response, contentType: string, body: string): void {
  res.status(200).type(contentType).setHeader('Content-Length', Buffer.byteLength(body));
  let at = 0;
  const next = () => {
    if (res.destroyed) return;
    let end = at + SLICE;
    if (end < body.length) {
      // After the last line end in the slice; a line longer than a slice goes whole.
      const nl = body.lastIndexOf('\n', end - 1);
      end = nl >= at ? nl + 1 : body.indexOf('\n', end) + 1 || body.length;
    }
    const slice = body.slice(at, end);
    at = end;
    if (at >= body.length) return void res.end(slice);
    res.write(slice);
    setImmediate(next);
  };
  next();
}

export function metricsRouter(d: {
  metrics: Pick<Metrics, 'contentType' | 'renderFleet' | 'renderCommons'>;
  fleet: Pick<Fleet, 'unsorted'>;
  groups: Pick<GroupDirectory, 'commonsIn' | 'matching'>;
  env: Pick<Env, 'DCOC_METRICS_SD_ADDRESS'>;
}): express.Router {
  const r = express.Router();
  // Fleet-level metrics: bounded, plus a few series per commons (backend/metrics/registry.ts).
  r.get('/metrics', async (_req, res) => {
    sendInSlices(res, d.metrics.contentType, await d.metrics.renderFleet());
  });
  // One commons' per-service detail, found by Prometheus through /metrics/sd.
  r.get('/metrics/commons/:id', (req, res) => {
    const path = CommonsPath.safeParse(req.params);
    if (!path.success) throw validationProblem(path.error, 'path');
    const text = d.metrics.renderCommons(path.data.id);
    if (text === undefined) throw notFound(`commons ${path.data.id}`);
    res.type(d.metrics.contentType).send(text);
  });
  r.get('/metrics/sd', async (req, res) => {
    const q = MetricsSdQuery.safeParse(req.query);
    if (!q.success) throw validationProblem(q.error, 'query');
    let selector: LabelSelector | undefined;
    if (q.data.selector !== undefined) {
      let parsed: unknown;
      try {
        parsed = parseSelector(q.data.selector);
      } catch (e) {
        throw new HttpProblem(422, 'Invalid request', `query.selector: ${(e as Error).message}`, [{ field: 'query.selector', message: (e as Error).message }]);
      }
      const checked = LabelSelector.safeParse(parsed);
      if (!checked.success) throw new HttpProblem(422, 'Invalid request', `query.selector: ${checked.error.issues[0].message}`, [{ field: 'query.selector', message: checked.error.issues.map((i) => i.message).join('; ') }]);
      selector = checked.data;
    }
    const address = d.env.DCOC_METRICS_SD_ADDRESS ?? req.headers.host;
    if (!address || !SD_ADDRESS.test(address)) throw new HttpProblem(400, 'Bad request', 'header.host: /metrics/sd needs a Host header (host[:port]) to name the targets; or set DCOC_METRICS_SD_ADDRESS', [{ field: 'header.host', message: 'must be host[:port]' }]);
    let ids: Set<string> | undefined;
    const narrow = (picked: string[]) => (ids = new Set(ids ? picked.filter((id) => ids!.has(id)) : picked));
    if (q.data.group !== undefined) {
      // An unknown group is a bad filter value: 422 naming query.group, as GET /api/v1/commons?group= answers.
      const name = q.data.group;
      const picked = await d.groups.commonsIn(name).catch((e: unknown) => {
        if (e instanceof DomainError && e.kind === 'not-found') throw new HttpProblem(422, 'Unknown group', `query.group: no saved group ${name}`, [{ field: 'query.group', message: `no saved group ${name} (GET /api/v1/groups lists them)` }]);
        throw e;
      });
      narrow(picked);
    }
    if (selector) narrow(await d.groups.matching(selector));
    const commons = [...d.fleet.unsorted()].filter((c) => !ids || ids.has(c.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    res.json(sdTargets(commons, address));
  });
  return r;
}

// The control service's HTTP API (express): probes and metrics unauthenticated
// on the loopback-bound listener, everything under /api/v1 authenticated.
import express, { type NextFunction, type Request, type Response } from 'express';
import { authenticate } from './auth';
import { bodyGuard } from './body-guard';
import { ROUTES } from '../../contracts/routes';
import { CommonsPath } from '../../contracts/api';
import { GroupName, LabelSelector, parseSelector } from '../../contracts/groups';
import { z } from 'zod';
import { sdTargets } from '../metrics/sd';
import { DomainError } from '../domain/errors';
import type { ApiContext } from './context';
import { mount } from './mount';
import { openApiDocument } from './openapi';
import { HttpProblem, notFound, problemHandler, sendProblem, validationProblem } from './problem';
import { auditRefusals } from './refusal-audit';
import { agentsRouter } from './routes/agents';
import { auditRouter } from './routes/audit';
import { commandsRouter } from './routes/commands';
import { commonsRouter } from './routes/commons';
import { complianceRouter } from './routes/compliance';
import { deploymentsRouter } from './routes/deployments';
import { eventsRouter } from './routes/events';
import { externalChecksRouter } from './routes/external-checks';
import { groupsRouter } from './routes/groups';
import { policiesRouter } from './routes/policies';
import { windowsRouter } from './routes/windows';
import { scopesRouter } from './routes/scopes';
import { attachAccess } from './scope-check';
import { backupsRouter } from './routes/backups';
import { kubeEventsRouter } from './routes/kube-events';
import { logsRouter } from './routes/logs';
import { resourcesRouter } from './routes/resources';
import { rolloutsRouter } from './routes/rollouts';
import { tokensRouter } from './routes/tokens';

const MetricsSdQuery = z.strictObject({ group: GroupName.optional(), selector: z.string().max(2000).optional() });
const SD_ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

export function createApp(ctx: ApiContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = ctx.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched', status: String(res.statusCode) }));
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready means able to take a change: started, and the store can be written now.
  app.get('/readyz', async (_req, res) => {
    const notReady = (detail: string) => sendProblem(res, new HttpProblem(503, 'Not ready', detail));
    if (!ctx.ready()) return notReady('starting or stopping');
    const store = await ctx.store.writable();
    if (!store.ok) return notReady(`the store cannot be written: ${store.reason}`);
    res.json({ status: 'ready', agents: ctx.sessions.size, store: 'writable' });
  });
  // Fleet-level metrics: bounded, plus a few series per commons (backend/metrics/registry.ts).
  app.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.contentType).send(await ctx.metrics.renderFleet());
  });
  // One commons' per-service detail, found by Prometheus through /metrics/sd.
  app.get('/metrics/commons/:id', (req, res) => {
    const path = CommonsPath.safeParse(req.params);
    if (!path.success) throw validationProblem(path.error, 'path');
    const text = ctx.metrics.renderCommons(path.data.id);
    if (text === undefined) throw notFound(`commons ${path.data.id}`);
    res.type(ctx.metrics.contentType).send(text);
  });
  app.get('/metrics/sd', async (req, res) => {
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
    const address = ctx.env.DCOC_METRICS_SD_ADDRESS ?? req.headers.host;
    if (!address || !SD_ADDRESS.test(address)) throw new HttpProblem(400, 'Bad request', 'header.host: /metrics/sd needs a Host header (host[:port]) to name the targets; or set DCOC_METRICS_SD_ADDRESS', [{ field: 'header.host', message: 'must be host[:port]' }]);
    let ids: Set<string> | undefined;
    const narrow = (picked: string[]) => (ids = new Set(ids ? picked.filter((id) => ids!.has(id)) : picked));
    if (q.data.group !== undefined) {
      // An unknown group is a bad filter value: 422 naming query.group, as GET /api/v1/commons?group= answers.
      const name = q.data.group;
      const picked = await ctx.groups.commonsIn(name).catch((e: unknown) => {
        if (e instanceof DomainError && e.kind === 'not-found') throw new HttpProblem(422, 'Unknown group', `query.group: no saved group ${name}`, [{ field: 'query.group', message: `no saved group ${name} (GET /api/v1/groups lists them)` }]);
        throw e;
      });
      narrow(picked);
    }
    if (selector) narrow(await ctx.groups.matching(selector));
    const commons = [...ctx.fleet.unsorted()].filter((c) => !ids || ids.has(c.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    res.json(sdTargets(commons, address));
  });

  const api = express.Router();
  // The API's description needs no credential (schemathesis and client generators read it first).
  const openApi = openApiDocument();
  mount(api, ROUTES.openApiDocument, ctx.store, () => ({ status: 200, body: openApi }));
  // Credentials first: a stranger's body is never read, however slowly it arrives.
  api.use(authenticate(ctx.auth, ctx.store));
  // Team grants: every route checks the caller's role on the commons it acts on (mount.ts).
  api.use(attachAccess(ctx.access));
  api.use(express.json({ limit: ctx.env.DCOC_MAX_BODY_BYTES, strict: true }));
  api.use(bodyGuard);
  // Each router gets the services its routes use, nothing else.
  const { store, fleet, commands, deployments, releases, sessions, ca, events, agentEndpoints, externalChecks, requests, groups, gate, approvals, policies } = ctx;
  const changes = { store, gate, approvals };
  api.use(groupsRouter({ store, groups, changes }));
  api.use(scopesRouter({ store, teamGrants: ctx.teamGrants, groups }));
  api.use(commonsRouter({ store, fleet, commands, deployments, groups, changes }));
  api.use(deploymentsRouter({ store, deployments, releases, changes }));
  api.use(policiesRouter({ store, policies, approvals }));
  api.use(windowsRouter({ store, windows: ctx.windows }));
  api.use(backupsRouter({ store, fleet, backups: ctx.backups, commands, changes }));
  api.use(commandsRouter({ store, commands }));
  api.use(agentsRouter({ store, fleet, sessions, ca, agentEndpoints }));
  api.use(tokensRouter({ store }));
  api.use(auditRouter({ store }));
  api.use(complianceRouter({ store, auditLog: ctx.auditLog, reports: ctx.reports, log: ctx.log }));
  api.use(eventsRouter({ store, events }));
  api.use(externalChecksRouter({ store, fleet, externalChecks }));
  api.use(logsRouter({ store, fleet, requests }));
  api.use(kubeEventsRouter({ store, fleet, requests }));
  api.use(resourcesRouter({ store, fleet, requests }));
  api.use(rolloutsRouter({ store, rollouts: ctx.rollouts, approvals }));
  app.use('/api/v1', api);

  app.use((req: Request, _res: Response, next: NextFunction) => next(new HttpProblem(404, 'Not found', `no route ${req.method} ${req.path}`)));
  app.use(auditRefusals(ctx.store));
  app.use(problemHandler(ctx.log));
  return app;
}

// The control service's HTTP API (express): probes and metrics unauthenticated
// on the loopback-bound listener, everything under /api/v1 authenticated.
import express, { type NextFunction, type Request, type Response } from 'express';
import { authenticate } from './auth';
import { bodyGuard } from './body-guard';
import { ROUTES } from '../../contracts/routes';
import type { ApiContext } from './context';
import { mount } from './mount';
import { openApiDocument } from './openapi';
import { HttpProblem, problemHandler, sendProblem } from './problem';
import { auditRefusals } from './refusal-audit';
import { agentsRouter } from './routes/agents';
import { auditRouter } from './routes/audit';
import { commandsRouter } from './routes/commands';
import { commonsRouter } from './routes/commons';
import { fleetSummaryRouter } from './routes/fleet-summary';
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
import { metricsRouter } from './metrics-routes';
import { resourcesRouter } from './routes/resources';
import { rolloutsRouter } from './routes/rollouts';
import { tokensRouter } from './routes/tokens';

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
  // Prometheus: the fleet /metrics, each commons' detail and the HTTP service discovery listing them.
  app.use(metricsRouter({ metrics: ctx.metrics, fleet: ctx.fleet, groups: ctx.groups, env: ctx.env }));

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
  api.use(fleetSummaryRouter({ store, fleet }));
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

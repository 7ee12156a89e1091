// What the HTTP app is built from. createApp hands each router only the
// services its routes use (each router declares its own narrow deps).
import type { AccessResolver } from '../auth/access';
import type { Authenticator } from '../auth/authenticate';
import type { CommandService } from '../commands/command-service';
import type { Env } from '../config/env';
import type { ReleaseCatalog } from '../deployments/release-catalog';
import type { DeploymentService } from '../deployments/service';
import type { Logger } from '../../lib/logger';
import type { EventBus } from '../events/bus';
import type { ExternalChecks } from '../external/checks';
import type { Fleet } from '../fleet/fleet';
import type { GroupDirectory } from '../groups/directory';
import type { ChangeGate } from '../changes/gate';
import type { Approvals } from '../policies/approvals';
import type { Policies } from '../policies/policies';
import type { Windows } from '../windows/windows';
import type { Backups } from '../backups/backups';
import type { AgentSessions } from '../gateway/sessions';
import type { AgentRequests } from '../inspect/agent-requests';
import type { Metrics } from '../metrics/registry';
import type { RolloutService } from '../rollouts/service';
import type { CertificateAuthority } from '../pki/ca';
import type { AuditStore } from '../store/audit-store';
import type { ReportStore } from '../store/report-store';
import type { Store } from '../store/store';
import type { TeamGrantsStore } from '../store/team-grants-store';

export interface ApiContext {
  env: Env;
  store: Store;
  fleet: Fleet;
  events: EventBus;
  commands: CommandService;
  deployments: DeploymentService;
  releases: ReleaseCatalog;
  sessions: AgentSessions;
  /** Logs, Kubernetes events and resources asked of the commons' agents. */
  requests: AgentRequests;
  metrics: Metrics;
  auth: Authenticator;
  ca: CertificateAuthority;
  log: Logger;
  /** Where agents reach the gateway, for install commands. */
  agentEndpoints: { grpc: string; enroll: string };
  ready: () => boolean;
  /** The external checks' last results (GET …/external-checks). */
  externalChecks: ExternalChecks;
  /** Labels on commons and saved groups: what fleet operations target. */
  groups: GroupDirectory;
  /** Every change route asks it before acting (deny windows, policies and approvals). */
  gate: ChangeGate;
  /** Changes held for a second person's approval, and the routes they are replayed through. */
  approvals: Approvals;
  policies: Policies;
  /** Maintenance and deny windows. */
  windows: Windows;
  /** Progressive rollouts of a change to many commons. */
  rollouts: RolloutService;
  /** The audit hash chain (export, head) and the change report's queries. */
  auditLog: AuditStore;
  reports: ReportStore;
  /** Scoped roles: each caller's team grants, resolved per request. */
  access: AccessResolver;
  teamGrants: TeamGrantsStore;
  /** Gen3 database backups and their schedules. */
  backups: Backups;
}

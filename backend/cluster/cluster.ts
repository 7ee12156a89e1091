// Replicas of the control service on one database, and what they tell each
// other. With SQLite there is one replica (LocalCluster: nobody to tell, and it
// always holds the singleton roles); on PostgreSQL they talk through
// LISTEN/NOTIFY and hold roles with advisory locks (postgres-cluster.ts).
import { hostname } from 'node:os';
import { z } from 'zod';
import { DcocEvent } from '../../contracts/events';

const id = z.string().min(1).max(256);
const name = z.string().max(253);

/** What one replica asks of an agent another replica holds (the fields of LogRequest or InspectRequest, contracts/agent.proto). */
export const AgentAsk = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('logs'),
    service: name,
    job: name,
    pod: name,
    previous: z.boolean(),
    follow: z.boolean(),
    since_ms: z.number().int().min(0),
    until_ms: z.number().int().min(0),
    tail_lines: z.number().int().min(0).max(100_000),
    filter: z.string().max(200),
    max_lines: z.number().int().min(0).max(100_000),
    max_bytes: z.number().int().min(0).max(64 * 1024 * 1024),
  }),
  z.object({ type: z.literal('inspect'), kind: z.enum(['events', 'resources']), service: name }),
]);
export type AgentAsk = z.infer<typeof AgentAsk>;

/**
 * What one replica tells the others. Another replica's message is input like
 * any other: checked here, and one that does not parse is dropped.
 */
export const ClusterMessage = z.discriminatedUnion('kind', [
  /** A command for a commons whose agent may be on another replica: its holder sends it. */
  z.object({ kind: z.literal('dispatch'), commons: id, command: id }),
  z.object({ kind: z.literal('cancel'), commons: id, command: id, reason: z.string().max(2000) }),
  /** An event for the other replicas' streams (only kinds no replica derives from its own fleet). */
  z.object({ kind: z.literal('event'), event: DcocEvent }),
  /** These commons' live state changed (read it from commons_live). */
  z.object({ kind: z.literal('live'), commons: z.array(id).max(200) }),
  /** An agent connected here: a replica still holding an older stream of that commons closes it. */
  z.object({ kind: z.literal('session'), commons: id, agent: id }),
  /** Ask the agent of `commons` (on whichever replica holds it) for logs or an inspection; its answer comes back as inspect-part to the asker. */
  z.object({ kind: z.literal('inspect-open'), commons: id, id, ask: AgentAsk }),
  /** The asker went away (a closed follow stream): stop that request. */
  z.object({ kind: z.literal('inspect-stop'), commons: id, id }),
  /** A piece of one answer (a log chunk, an inspect result, a refusal) for replica `to`, in order: JSON split to fit NOTIFY. */
  z.object({ kind: z.literal('inspect-part'), to: id, id, seq: z.number().int().min(0).max(100_000), last: z.boolean(), data: z.string().max(7000) }),
]);
export type ClusterMessage = z.infer<typeof ClusterMessage>;

/** Roles exactly one replica plays at a time (deadline sweeps, dashboards, resuming deployments). */
export type SingletonRole = 'sweeper';

export interface Cluster {
  readonly replicaId: string;
  /** More than one replica may run (PostgreSQL). */
  readonly shared: boolean;
  tell(msg: ClusterMessage): Promise<void>;
  /** Messages from the other replicas (never this one's own). */
  onMessage(fn: (msg: ClusterMessage, from: string) => void): void;
  /** After this replica could not hear the others for a while: what they said meanwhile is lost, so catch up from the store. */
  onResync(fn: () => void): void;
  holds(role: SingletonRole): boolean;
  /** Told when this replica starts or stops playing a role. */
  onRole(fn: (role: SingletonRole, held: boolean) => void): void;
  close(): Promise<void>;
}

export function defaultReplicaId(): string {
  return `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 48)}-${process.pid}`;
}

/** One replica alone (SQLite): it holds every role and has no one to tell. */
export class LocalCluster implements Cluster {
  readonly shared = false;
  constructor(readonly replicaId: string) {}
  tell(): Promise<void> {
    return Promise.resolve();
  }
  onMessage(): void {}
  onResync(): void {}
  holds(): boolean {
    return true;
  }
  onRole(fn: (role: SingletonRole, held: boolean) => void): void {
    fn('sweeper', true);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

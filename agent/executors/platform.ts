// A platform is where the agent's commons lives (the simulation, or a
// Kubernetes namespace): its collectors, executors and identity.
import type { Collector } from '../collectors/collector';
import type { CommonsIdentity, Inspector } from '../core/types';
import type { Executor } from './executor';

export interface Platform {
  readonly name: string;
  identity(): Promise<CommonsIdentity>;
  readonly collectors: Collector[];
  readonly executors: Executor[];
  /** Logs, events and resources on demand; absent: the agent advertises none of them. */
  readonly inspector?: Inspector;
  /** False while the commons' network to the control service is cut (a simulated fault). */
  canReachControl?(): boolean;
  onReachabilityChange?(fn: (reachable: boolean) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// A collector feeds facts about the commons into the agent's observations.
// The agent advertises each as capability "collector:<name>" (and its own `capabilities`).
import type { Observations } from '../core/observations';

export interface Collector {
  readonly name: string;
  /** More capabilities it gives the agent (metrics:requests), advertised as they are. */
  readonly capabilities?: readonly string[];
  start(obs: Observations): Promise<void>;
  stop(): Promise<void>;
  /** The control service may change how often collectors run. */
  setInterval?(ms: number): void;
}

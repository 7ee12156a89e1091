// The simulated commons' container logs: per pod, the current container's
// lines and the previous container's (what `kubectl logs --previous` shows
// after a restart), each a bounded ring as the kubelet's log rotation keeps
// them. Whoever writes a line (a simulated service, the simulated revproxy's
// access log) appends it; followers hear every appended line.
import { EventEmitter } from 'node:events';

export interface SimLogLine {
  pod: string;
  container: string;
  timeMs: number;
  text: string;
}

/** Lines kept per container, as a rotated log file keeps the last part. */
const KEEP = 10_000;
/** Text kept per container: with ~40 pods and their previous containers the whole commons' logs stay within ~80 MiB. */
export const KEEP_BYTES = 1024 * 1024;

interface PodLog {
  container: string;
  current: SimLogLine[];
  currentBytes: number;
  previous: SimLogLine[];
}

export class SimPodLogs extends EventEmitter {
  private readonly pods = new Map<string, PodLog>();

  constructor() {
    super();
    // Every follower of every pod listens here; a commons has at most a few hundred.
    this.setMaxListeners(0);
  }

  /** Writes one line to the pod's current container (emits 'line'). */
  append(pod: string, container: string, text: string, timeMs = Date.now()): void {
    let p = this.pods.get(pod);
    if (!p) {
      p = { container, current: [], currentBytes: 0, previous: [] };
      this.pods.set(pod, p);
    }
    // The runtime stamps lines as they arrive: a container's log never goes back in time.
    const last = p.current.at(-1);
    const line = { pod, container, timeMs: last ? Math.max(timeMs, last.timeMs) : timeMs, text };
    p.current.push(line);
    p.currentBytes += text.length;
    let drop = 0;
    while (p.current.length - drop > KEEP || (p.currentBytes > KEEP_BYTES && p.current.length - drop > 1)) p.currentBytes -= p.current[drop++]!.text.length;
    if (drop) p.current.splice(0, drop);
    this.emit('line', line);
  }

  /** The container restarted: what it wrote becomes the previous container's log. */
  restartContainer(pod: string): void {
    const p = this.pods.get(pod);
    if (!p) return;
    p.previous = p.current;
    p.current = [];
    p.currentBytes = 0;
  }

  /** The pod is gone (scaled down, replaced by a rollout): its logs go with it, as on a node. */
  remove(pod: string): void {
    this.pods.delete(pod);
  }

  /** The lines of a pod's current (or previous) container, oldest first; null when the pod never wrote or had no previous container. */
  read(pod: string, previous = false): SimLogLine[] | null {
    const p = this.pods.get(pod);
    if (!p) return null;
    if (previous) return p.previous.length ? [...p.previous] : null;
    return [...p.current];
  }
}

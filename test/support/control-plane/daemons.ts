// Long-running child processes (etcd, kube-apiserver, ...) for the tests:
// each in its own process group with its output in a log file, killed with
// its whole group by stop(), and by an exit/signal safety net when a test
// process ends without stopping them (a failed before() hook, Ctrl-C, the
// test runner's SIGTERM). A SIGKILL of the test process cannot be caught:
// then the daemons live on.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Daemon {
  name: string;
  pid: number;
  logFile: string;
  /** Set once the process has ended: its exit code or signal. */
  readonly exit: number | string | undefined;
  /** The last `n` lines of its log. */
  tail(n?: number): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process has ended. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // detached: true made the child a group leader; -pid reaches its children too.
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

const teardowns = new Set<() => void>();

/** Kills every running group, then runs the registered teardowns; synchronous, for exit and signals. */
function lastResort(): void {
  for (const c of running) killGroup(c, 'SIGKILL');
  for (const f of teardowns) {
    try {
      f();
    } catch {
      // best effort: the process is ending
    }
  }
}

let netInstalled = false;
function installSafetyNet(): void {
  if (netInstalled) return;
  netInstalled = true;
  process.on('exit', lastResort);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      lastResort();
      // Die of the same signal, as if no handler had been installed.
      process.kill(process.pid, sig);
    });
  }
}

/**
 * Runs `fn` (synchronously) if the process ends with daemons unstopped: on
 * exit or on SIGINT/SIGTERM/SIGHUP, after their groups are killed. Returns
 * the function that unregisters it.
 */
export function atTeardown(fn: () => void): () => void {
  installSafetyNet();
  teardowns.add(fn);
  return () => teardowns.delete(fn);
}

export function tailFile(file: string, n = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch (e) {
    return `(no log: ${(e as Error).message})`;
  }
}

export function startDaemon(name: string, bin: string, args: string[], opts: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv }): Daemon {
  installSafetyNet();
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  running.add(child);
  let exit: number | string | undefined;
  const ended = new Promise<void>((res) => {
    child.once('exit', (code, signal) => {
      exit = code ?? signal ?? -1;
      running.delete(child);
      res();
    });
    child.once('error', (e) => {
      exit = `spawn failed: ${e.message}`;
      running.delete(child);
      res();
    });
  });
  return {
    name,
    pid: child.pid ?? -1,
    logFile: opts.logFile,
    get exit() {
      return exit;
    },
    tail: (n = 40) => tailFile(opts.logFile, n),
    async stop(graceMs = 5000) {
      if (exit !== undefined) return;
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await ended;
      clearTimeout(t);
    },
  };
}

// Starting a plugin executable with node out of reach: PATH leads nowhere (the
// harness's default) and, where this machine allows mount namespaces, every
// node binary at its usual paths is covered by /dev/null for the plugin
// process alone. The wrapper execs, so the plugin keeps the wrapper's PID.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const USUAL_NODE_PATHS = ['/usr/bin/node', '/usr/local/bin/node', '/usr/bin/nodejs', '/bin/node', '/opt/node/bin/node'];

/** Every node binary this machine has at the usual places, on the PATH of the test run, and the one running the tests. */
export function nodeBinaries(): string[] {
  const fromPath = (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => join(d, 'node'));
  // Covering the real file also covers every symlink to it.
  return [...new Set([...USUAL_NODE_PATHS, ...fromPath, process.execPath].filter((p) => existsSync(p)).map((p) => realpathSync(p)))].sort();
}

const tool = (name: string) => ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => join(d, name)).find((p) => existsSync(p));

function maskScript(paths: string[]): string {
  const mount = tool('mount')!;
  return [...paths.map((p) => `${mount} --bind /dev/null '${p}'`), ...paths.map((p) => `! test -x '${p}'`), 'exec "$0"'].join(' && ');
}

/** Whether this machine lets us hide node in a private mount namespace. */
export function canHideNode(): boolean {
  const unshare = tool('unshare');
  const sh = tool('sh');
  if (!unshare || !sh || !tool('mount')) return false;
  const r = spawnSync(unshare, ['--mount', '--propagation', 'private', sh, '-c', maskScript(nodeBinaries()), '/bin/true'], { encoding: 'utf8' });
  return r.status === 0;
}

/** A wrapper script that runs `executable` with every node binary hidden; for GrafanaHost (which spawns it with PATH=/nonexistent). */
export function hiddenNodeLauncher(dir: string, executable: string): string {
  const file = join(dir, `hide-node-${executable.split('/').pop()}`);
  const script = `#!${tool('sh')}\nexec ${tool('unshare')} --mount --propagation private ${tool('sh')} -c "${maskScript(nodeBinaries()).replace(/["$]/g, (c) => `\\${c}`)}" '${executable}'\n`;
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return file;
}

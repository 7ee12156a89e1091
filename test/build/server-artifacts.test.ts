// The production artifacts (npm run build:server) run with their production
// dependencies only: each is built, copied to a directory outside the
// repository (no node_modules above it to fall back on), installed there with
// `npm ci --omit=dev`, and then:
//   - both commands answer --help and --version, and refuse an unknown flag (exit 2);
//   - dcoc-control serves (/readyz 200) and finds its data files (releases,
//     blueprints, the commons dashboard template) inside the artifact;
//   - the enrollment response's installCommand, run as is with `sh -c`,
//     enrolls the dcoc-agent artifact, which then shows as connected;
//   - dcoc-control runs in a root filesystem laid out as its image's (node, the
//     shared libraries it and better-sqlite3 link, /etc/passwd, /app,
//     /var/lib/dcoc, /tmp), read-only, as uid 65532.
// The install (better-sqlite3 compiles here) is done once for the file.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAgentArgs } from '../../agent/cli/flags';
import { ARTIFACTS, type BuiltArtifact, ROOT, buildServerArtifacts } from '../../scripts/package/server/build';
import { eventually } from '../support/fleet';
import { freePort } from '../support/free-port';

const ADMIN = 'dcoc_artifact-test-admin-token-0123';
const UID = 65532;
const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };

/** Why the install cannot run here (no registry client), or undefined. */
function npmMissing(): string | undefined {
  const r = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const why = 'npm is not on PATH';
  if (process.env.CI) throw new Error(`the artifact test cannot run: ${why}`);
  console.warn(`\n*** SKIPPED: the artifact test: ${why} ***\n`);
  return why;
}

function nodeHeaders(): string {
  const r = spawnSync(join(ROOT, '.ci', 'node-headers'), [], { encoding: 'utf8' });
  assert.equal(r.status, 0, `.ci/node-headers: ${r.stderr}`);
  return r.stdout.trim();
}

interface Running {
  child: ChildProcess;
  logs: string[];
  exited: Promise<number | string>;
}

/** Starts a process in its own process group, so stopping it stops what it started (sh -c, unshare). */
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Running {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const logs: string[] = [];
  child.stdout!.on('data', (b: Buffer) => logs.push(b.toString()));
  child.stderr!.on('data', (b: Buffer) => logs.push(b.toString()));
  const exited = new Promise<number | string>((res) => child.once('exit', (code, signal) => res(code ?? signal ?? -1)));
  return { child, logs, exited };
}

async function stop(p: Running | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-p.child.pid!, sig);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const t = setTimeout(() => kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(t);
}

async function getJson<T>(url: string, token?: string): Promise<{ status: number; body: T }> {
  const r = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
}

type Installed = Record<string, BuiltArtifact & { home: string }>;
let shared: Promise<{ work: string; installed: Installed }> | undefined;
const WORK = mkdtempSync(join(tmpdir(), 'dcoc-artifacts-'));
after(() => rmSync(WORK, { recursive: true, force: true }));

/** Builds both artifacts and installs each with --omit=dev in a directory of its own, once for the file. */
function installOnce(): Promise<{ work: string; installed: Installed }> {
  shared ??= (async () => {
    const work = WORK;
    // Nothing above the install may hold node_modules: a missing dependency must fail, not be found there.
    for (let d = work; d !== dirname(d); d = dirname(d)) assert.ok(!existsSync(join(dirname(d), 'node_modules')), `${dirname(d)}/node_modules would mask a missing dependency`);
    const built = await buildServerArtifacts(join(work, 'dist-server'));
    const nodedir = nodeHeaders();
    const installed: Installed = {};
    for (const a of built) {
      const home = join(work, 'install', a.name);
      cpSync(a.dir, home, { recursive: true });
      const r = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
        cwd: home,
        encoding: 'utf8',
        env: { ...process.env, npm_config_nodedir: nodedir, npm_config_update_notifier: 'false' },
        timeout: 15 * 60_000,
      });
      assert.equal(r.status, 0, `npm ci --omit=dev in ${a.name}:\n${r.stdout}\n${r.stderr}`);
      installed[a.name] = { ...a, home, bin: join(home, 'bin', a.name) };
    }
    return { work, installed };
  })();
  return shared;
}

const missing = npmMissing();

describe('the production artifacts, installed with --omit=dev', { skip: missing }, () => {
  let work: string;
  let installed: Installed;
  const running: Running[] = [];

  before(async () => {
    ({ work, installed } = await installOnce());
  });

  after(async () => {
    for (const p of running) await stop(p);
  });

  it('installs only runtime dependencies: no devDependency (tsx, esbuild, typescript, …) in node_modules', () => {
    const control = installed['dcoc-control'];
    const names = (dir: string): string[] =>
      existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).flatMap((n) => (n.startsWith('@') ? readdirSync(join(dir, n)).map((m) => `${n}/${m}`) : [n])) : [];
    const top = names(join(control.home, 'node_modules'));
    assert.ok(top.includes('better-sqlite3') && top.includes('pg'), `runtime dependencies installed: ${top.join(', ')}`);
    for (const dev of [...Object.keys(rootPkg.devDependencies), 'tsx', 'esbuild', 'typescript']) {
      for (const a of Object.values(installed)) assert.ok(!names(join(a.home, 'node_modules')).includes(dev), `${a.name}: devDependency ${dev} installed`);
    }
    // What npm installed is exactly the artifact's lockfile, nothing more.
    const lock = JSON.parse(readFileSync(join(control.home, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    for (const n of top) assert.ok(`node_modules/${n}` in lock.packages, `${n} is not in the artifact's package-lock.json`);
    assert.deepEqual(names(join(installed['dcoc-agent'].home, 'node_modules')), [], 'the agent bundles everything');
    assert.ok(statSync(join(control.home, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')).isFile());
  });

  it('--help and --version exit 0 with the version; an unknown flag exits 2 naming --help', () => {
    for (const spec of ARTIFACTS) {
      const bin = installed[spec.name].bin;
      const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
      assert.equal(v.status, 0, v.stderr);
      assert.equal(v.stdout, `${spec.name} ${rootPkg.version}\n`);
      const h = spawnSync(bin, ['--help'], { encoding: 'utf8' });
      assert.equal(h.status, 0, h.stderr);
      assert.match(h.stdout, new RegExp(`^${spec.name} ${rootPkg.version.replace(/\./g, '\\.')}: `));
      const bad = spawnSync(bin, ['--no-such-flag'], { encoding: 'utf8' });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, new RegExp(`${spec.name}: .*--no-such-flag.*; run ${spec.name} --help`));
    }
    const serveHelp = spawnSync(installed['dcoc-control'].bin, ['serve', '--help'], { encoding: 'utf8' });
    assert.equal(serveHelp.status, 0);
    assert.match(serveHelp.stdout, /DCOC_DATA_DIR=\.data\/control/);
  });

  it('dcoc-control serves from the artifact, and the pasted installCommand enrolls the dcoc-agent artifact', async () => {
    const control = installed['dcoc-control'];
    const [http, grpc, enroll] = [await freePort(), await freePort(), await freePort()];
    const data = join(work, 'control-data');
    const dashboards = join(work, 'dashboards');
    mkdirSync(dashboards);
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const env = {
      PATH: process.env.PATH,
      DCOC_DATA_DIR: data,
      DCOC_ADMIN_TOKEN: ADMIN,
      DCOC_HTTP_ADDR: `127.0.0.1:${http}`,
      DCOC_GRPC_ADDR: `127.0.0.1:${grpc}`,
      DCOC_ENROLL_ADDR: `127.0.0.1:${enroll}`,
      DCOC_DASHBOARDS_DIR: dashboards,
      DCOC_HEARTBEAT_INTERVAL_MS: '500',
      DCOC_HEALTH_INTERVAL_MS: '500',
    };
    const p = start(control.bin, ['serve'], env, cwd);
    running.push(p);
    const url = `http://127.0.0.1:${http}`;
    await eventually(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, { what: `/readyz 200; log:\n${p.logs.join('')}` });
    // The built-in release catalog and the blueprints are read from the artifact's assets.
    const releases = await getJson<{ items: { version: string; source: string }[] }>(`${url}/api/v1/releases`, ADMIN);
    assert.equal(releases.status, 200);
    assert.ok(releases.body.items.some((r) => r.source === 'built-in' && r.version === '2026.07'), 'built-in releases found in the artifact');

    const minted = await fetch(`${url}/api/v1/enrollment-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 600, description: 'artifact test' }),
    });
    assert.equal(minted.status, 201);
    const created = (await minted.json()) as { token: string; caCertificate: string; installCommand: string; helmCommand: string };

    // No cluster here: on PATH, a dcoc-agent that records its arguments and runs
    // the artifact with --kubernetes --namespace NS swapped for a simulated commons.
    const shim = join(work, 'shim');
    mkdirSync(shim);
    const argsFile = join(work, 'agent-args');
    writeFileSync(
      join(shim, 'dcoc-agent'),
      `#!/bin/sh
printf '%s\\n' "$@" > '${argsFile}'
skip=
for a in "$@"; do
  shift
  if [ -n "$skip" ]; then skip=; continue; fi
  case "$a" in
    --kubernetes) set -- "$@" --simulate --hostname artifact.example.org --environment artifact --tick-ms 100 --pod-start-ms 200 ;;
    --namespace) skip=1 ;;
    *) set -- "$@" "$a" ;;
  esac
done
exec '${installed['dcoc-agent'].bin}' "$@"
`,
    );
    chmodSync(join(shim, 'dcoc-agent'), 0o755);
    const agentData = join(work, 'agent-data');
    const agent = start('sh', ['-c', created.installCommand], { PATH: `${shim}:${dirname(process.execPath)}:/usr/bin:/bin`, DCOC_AGENT_DATA_DIR: agentData, DCOC_AGENT_NAMESPACE: 'gen3-artifact' }, cwd);
    running.push(agent);
    await eventually(
      async () => {
        const r = await getJson<{ items: { hostname: string; connected: boolean; version: string | null }[] }>(`${url}/api/v1/agents`, ADMIN);
        return r.body.items.find((x) => x.hostname === 'artifact.example.org' && x.connected);
      },
      { what: `the agent to enroll and connect; agent output:\n${agent.logs.join('')}` },
    );
    // What the pasted command gave dcoc-agent: the agent's own parser accepts it, the CA and token went to 0600 files.
    const given = readFileSync(argsFile, 'utf8').trimEnd().split('\n');
    const a = parseAgentArgs(given, {});
    assert.equal(a.kubernetes, true);
    assert.equal(a.namespace, 'gen3-artifact');
    assert.equal(a['data-dir'], agentData);
    assert.equal(readFileSync(String(a['ca-file']), 'utf8').trim(), created.caCertificate.trim());
    assert.equal(readFileSync(String(a['token-file']), 'utf8'), created.token);
    assert.equal(statSync(String(a['token-file'])).mode & 0o077, 0, 'the token file is private');
    assert.ok(!created.installCommand.includes('DCOC_ENROLL_TOKEN='), 'the token is not put in the environment of a logged command line');
    assert.ok(existsSync(join(agentData, 'agent.crt.pem')), 'the identity is kept in the data directory');
    // The commons' dashboard is generated from the template inside the artifact.
    await eventually(() => readdirSync(dashboards).some((f) => f.startsWith('dcoc-commons-')), { what: 'a generated commons dashboard' });
    assert.match(created.helmCommand, /helm upgrade --install dcoc-agent deploy\/helm\/dcoc-agent .*--set-file ca\.pem=.*--set-file enrollment\.token=/);
  });
});

// ---- dcoc-control in a root filesystem laid out as its image's -------------------

function rootfsMissing(): string | undefined {
  const why = missing
    ? missing
    : !existsSync('/usr/bin/unshare') || !existsSync('/usr/sbin/chroot')
      ? 'no unshare or chroot on this machine'
      : process.getuid?.() !== 0
        ? 'mounting a read-only root filesystem needs root'
        : spawnSync('unshare', ['-m', 'true']).status !== 0
          ? 'unshare -m is not permitted here'
          : undefined;
  if (!why) return undefined;
  if (process.env.CI) throw new Error(`the image root filesystem test cannot run: ${why}; CI runs as root with util-linux`);
  console.warn(`\n*** SKIPPED: dcoc-control in the image's root filesystem: ${why} ***\n`);
  return why;
}

/** The shared libraries a binary links, as absolute paths on this machine. */
function sharedLibraries(file: string): string[] {
  const r = spawnSync('ldd', [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ldd ${file}: ${r.stderr}`);
  return [...r.stdout.matchAll(/(\/[^\s)]+)/g)].map((m) => m[1]);
}

const rootfsSkip = rootfsMissing();

describe("dcoc-control in a root filesystem laid out as its image's, read-only, as uid 65532", { skip: rootfsSkip }, () => {
  let work: string;
  let root: string;
  let varDir: string;
  let tmpDir: string;

  before(async () => {
    const shared = await installOnce();
    work = join(shared.work, 'image');
    root = join(work, 'root');
    cpSync(shared.installed['dcoc-control'].home, join(root, 'app'), { recursive: true });
    // node where the image has it, and every library it and the native addon link.
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    cpSync(process.execPath, join(root, 'usr/local/bin/node'));
    const addon = join(root, 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    for (const lib of new Set([...sharedLibraries(process.execPath), ...sharedLibraries(addon)])) {
      mkdirSync(join(root, dirname(lib)), { recursive: true });
      cpSync(lib, join(root, lib), { dereference: true });
    }
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), `root:x:0:0:root:/root:/usr/sbin/nologin\ndcoc:x:${UID}:${UID}::/nonexistent:/usr/sbin/nologin\n`);
    writeFileSync(join(root, 'etc/group'), `root:x:0:\ndcoc:x:${UID}:\n`);
    for (const d of ['var/lib/dcoc', 'tmp', 'proc', 'dev']) mkdirSync(join(root, d), { recursive: true });
    for (const f of ['null', 'urandom']) writeFileSync(join(root, 'dev', f), '');
    // The volume and the tmpfs: writable by the service only.
    varDir = join(work, 'var-lib-dcoc');
    tmpDir = join(work, 'tmp');
    mkdirSync(varDir, { mode: 0o700 });
    mkdirSync(tmpDir);
    spawnSync('chown', [`${UID}:${UID}`, varDir]);
    chmodSync(tmpDir, 0o1777);
    spawnSync('chown', ['-R', '0:0', root]);
    spawnSync('chmod', ['-R', 'go-w', join(root, 'app')]);
  });

  /** `sh -c` in a new mount namespace: the root filesystem read-only, /var/lib/dcoc, /tmp, /proc and the devices mounted, then `cmd` chrooted as uid 65532. */
  const inImage = (cmd: string[]) => {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const script = [
      `mount --bind ${q(root)} ${q(root)}`,
      `mount -o remount,bind,ro ${q(root)}`,
      `mount --bind ${q(varDir)} ${q(join(root, 'var/lib/dcoc'))}`,
      `mount --bind ${q(tmpDir)} ${q(join(root, 'tmp'))}`,
      `mount -t proc proc ${q(join(root, 'proc'))}`,
      `mount --bind /dev/null ${q(join(root, 'dev/null'))}`,
      `mount --bind /dev/urandom ${q(join(root, 'dev/urandom'))}`,
      `exec chroot --userspec=${UID}:${UID} ${q(root)} ${cmd.map(q).join(' ')}`,
    ].join(' && ');
    return ['unshare', ['-m', 'sh', '-c', script]] as const;
  };

  it('the root filesystem is read-only for the service, /var/lib/dcoc and /tmp are writable', () => {
    const probe = `const fs = require('fs'); const out = {};
for (const p of ['/app/x', '/etc/x', '/var/lib/dcoc/x', '/tmp/x']) { try { fs.writeFileSync(p, ''); out[p] = 'ok'; } catch (e) { out[p] = e.code; } }
out.uid = process.getuid(); console.log(JSON.stringify(out));`;
    const [cmd, args] = inImage(['/usr/local/bin/node', '-e', probe]);
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { '/app/x': 'EROFS', '/etc/x': 'EROFS', '/var/lib/dcoc/x': 'ok', '/tmp/x': 'ok', uid: UID });
  });

  it('serves: /readyz answers 200 and the store is in /var/lib/dcoc', async () => {
    const [http, grpc, enroll] = [await freePort(), await freePort(), await freePort()];
    const [cmd, args] = inImage(['/usr/local/bin/node', '/app/bin/dcoc-control']);
    const p = start(cmd, [...args], {
      NODE_ENV: 'production',
      DCOC_DATA_DIR: '/var/lib/dcoc',
      DCOC_HTTP_ADDR: `127.0.0.1:${http}`,
      DCOC_GRPC_ADDR: `127.0.0.1:${grpc}`,
      DCOC_ENROLL_ADDR: `127.0.0.1:${enroll}`,
      DCOC_ADMIN_TOKEN: ADMIN,
    }, work);
    try {
      await eventually(async () => (await fetch(`http://127.0.0.1:${http}/readyz`).catch(() => undefined))?.status === 200, { what: `/readyz 200; output:\n${p.logs.join('')}` });
      const files = readdirSync(varDir);
      assert.ok(files.includes('dcoc.sqlite') && files.includes('pki'), `the store and CA in /var/lib/dcoc: ${files.join(', ')}`);
      assert.equal(statSync(join(varDir, 'dcoc.sqlite')).uid, UID, 'written by the service user');
    } finally {
      await stop(p);
    }
  });
});

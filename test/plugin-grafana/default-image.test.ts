// The shipped executables run where Grafana's default image would run them
//: grafana/grafana is Alpine with a glibc compatibility
// layer (ld-linux, libc, libm, libdl, libpthread, librt, libresolv) and no
// libstdc++ or libgcc_s, which the Node runtime inside each executable needs.
// Each executable is started by Grafana's own plugin client in a chroot that
// holds a static busybox and the plugin folder, nothing else (no /lib at all,
// no /proc), and in one that has the default image's library set in a layout
// unlike the build machine's; it must hand-shake, answer CheckHealth against
// the control service and answer one query. Before the fix the executable
// was the Node binary itself and failed to load ("error while loading shared
// libraries: libstdc++.so.6").
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { after, before, it } from 'node:test';
import { linkedLibraries } from '../../plugin/sdk/build/runtime';
import { describeUnless, GoGrafanaHost, grafanaHostMissing, query } from '../support/go-grafana-host';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet } from '../support/fleet';
import { dcocExecutables, type DcocExecutables } from '../plugin-dcoc/support/build';
import { appContext, dsContext } from '../plugin-dcoc/support/contexts';

const CHROOT = ['/usr/sbin/chroot', '/usr/bin/chroot'].find((p) => existsSync(p));
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
/** What the default image's glibc compatibility layer provides (the sonames), and nothing else. */
const DEFAULT_IMAGE_LIBS = ['libc.so.6', 'libm.so.6', 'libdl.so.2', 'libpthread.so.0', 'librt.so.1', 'libresolv.so.2'];

function rootfsMissing(): string | undefined {
  const why = !CHROOT
    ? 'no chroot on this machine'
    : !BUSYBOX || !/statically linked/.test(spawnSync('file', ['-L', BUSYBOX], { encoding: 'utf8' }).stdout ?? '')
      ? 'no static busybox (apt-get install busybox-static)'
      : process.getuid?.() !== 0
        ? 'chroot needs root'
        : undefined;
  if (!why) return undefined;
  if (process.env.CI) throw new Error(`the default-image test cannot run: ${why}; CI must provide it (.ci/run installs busybox-static and runs as root)`);
  console.warn(`*** SKIPPED: the default-image test: ${why} ***`);
  return why;
}

const missing = grafanaHostMissing('the executables in a minimal root filesystem') ?? rootfsMissing();

/** A root filesystem with busybox as /bin/sh and the plugin folder at /var/lib/grafana/plugins/gen3-dcoc-app; `libs` adds the default image's glibc layer under /lib. */
function rootfs(base: string, pluginDir: string, libs: boolean): string {
  const root = join(base, libs ? 'default-image-libs' : 'busybox-only');
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'tmp'), { recursive: true });
  cpSync(BUSYBOX!, join(root, 'bin', 'busybox'));
  symlinkSync('busybox', join(root, 'bin', 'sh'));
  if (libs) {
    // Alpine's layout: /lib, not Debian's /lib/x86_64-linux-gnu; the loader as /lib/ld-linux-*.
    const { loader, libraries } = linkedLibraries(process.execPath);
    mkdirSync(join(root, 'lib'));
    cpSync(loader, join(root, 'lib', basename(loader)));
    for (const so of DEFAULT_IMAGE_LIBS) {
      const found = [...libraries.map(dirname), '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib'].map((d) => join(d, so)).find((p) => existsSync(p));
      if (found) cpSync(found, join(root, 'lib', so));
    }
  }
  cpSync(pluginDir, join(root, 'var/lib/grafana/plugins/gen3-dcoc-app'), { recursive: true });
  return root;
}

/** What grafana-host executes: chroot into `root`, then the executable as Grafana would find it there. */
function chrootLauncher(dir: string, root: string, executableInRoot: string): string {
  const file = join(dir, `in-${basename(root)}-${basename(executableInRoot)}`);
  writeFileSync(file, `#!/bin/sh\nexec ${CHROOT} '${root}' '${executableInRoot}'\n`);
  chmodSync(file, 0o755);
  return file;
}

describeUnless(missing, "the executables in Grafana's default image conditions (no Node, no libstdc++, no libgcc_s)", () => {
  let fleet: TestFleet;
  let exes: DcocExecutables;
  let work: string;
  const hosts: GoGrafanaHost[] = [];

  before(async () => {
    fleet = await TestFleet.start({ commons: [DEMO_COMMONS[1]] });
    await fleet.healthyCommons(1);
    exes = await dcocExecutables();
    work = mkdtempSync(join(tmpdir(), 'dcoc-rootfs-'));
  });
  after(async () => {
    for (const h of hosts) await h.stop().catch(() => undefined);
    await fleet?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const libs of [false, true]) {
    const where = libs ? "the default image's glibc layer (no libstdc++, no libgcc_s) in /lib" : 'a static busybox and the plugin folder, nothing else';
    for (const kind of ['app', 'datasource'] as const) {
      it(`the ${kind} executable, in a root with ${where}: handshake, health, a query`, async () => {
        const pluginDir = dirname(exes.app);
        const root = rootfs(join(work, kind), pluginDir, libs);
        assert.ok(!existsSync(join(root, 'usr')) && !existsSync(join(root, 'proc')), 'no /usr, no /proc');
        const inRoot = join('/var/lib/grafana/plugins/gen3-dcoc-app', relative(pluginDir, exes[kind]));
        const host = await GoGrafanaHost.start(chrootLauncher(work, root, inRoot));
        hosts.push(host);
        assert.equal(host.started.protocol, 'grpc');
        assert.equal(host.started.negotiatedVersion, 2);

        const context = (kind === 'app' ? appContext : dsContext)({ role: 'Admin', controlUrl: fleet.control.url });
        const health = await host.checkHealth({ pluginContext: context });
        assert.equal(health.status, 'OK', health.message);
        assert.match(health.message, /^connected to the DCOC control service .*: 1 commons/);

        if (kind === 'datasource') {
          const r = (await host.queryData({ pluginContext: context, queries: [query({ refId: 'A', json: { queryType: 'fleet' } })] })).A;
          assert.deepEqual([r.status, r.error, r.frames.length], [200, '', 1]);
          assert.equal(r.frames[0].rows, 1);
        } else {
          const r = await host.callResource({ pluginContext: context, path: 'commons' });
          const body = Buffer.from(r.bodyBase64, 'base64').toString('utf8');
          assert.equal(r.status, 200, body);
          assert.equal((JSON.parse(body) as { items: unknown[] }).items.length, 1);
        }
      });
    }
  }
});

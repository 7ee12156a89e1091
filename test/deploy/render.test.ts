// Rendering and validating gen3-helm values, reading releases, diffs, and
// the GitOps client's handling of failures and credentials.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { Blueprints } from '../../backend/deployments/blueprints';
import { structuredDiff, unifiedDiff } from '../../backend/deployments/diff';
import { GitOps, GitOpsError, redact } from '../../backend/deployments/gitops';
import { parseRelease } from '../../backend/deployments/release-parse';
import { databaseWarning, deployTarget, render } from '../../backend/deployments/render';
import { type Values, toYaml } from '../../backend/deployments/values';
import { fullRelease } from './full-release';

const bp = Blueprints.load();
// Every chart's image at the version: what these tests render does not depend on the built-in release files.
const release = fullRelease;
const input = (over: Partial<Parameters<typeof render>[0]> = {}) => ({
  hostname: 'data.example.org',
  environment: 'exampleprod',
  template: bp.templates.get('gen3-explorer')!,
  profile: bp.profiles.get('production')!,
  release: release('2026.07'),
  overrides: {},
  ...over,
});

describe('rendering values', () => {
  it('production: global identity, enabled services, replicas, images and the HPA ranges of gen3 production, in gen3-helm\'s keys', () => {
    const { values, errors } = render(input());
    assert.deepEqual(errors, []);
    const v = values as Record<string, Record<string, unknown>>;
    assert.deepEqual(v.global, { hostname: 'data.example.org', environment: 'exampleprod', frontendRoot: 'portal', tierAccessLevel: 'private', netPolicy: { enabled: false }, metricsEnabled: true, dev: false, pdb: true });
    // helm/common/templates/_hpa.tpl (uc-cdis/gen3-helm 42cc46bc) reads autoscaling.enabled, minReplicas, maxReplicas, averageCPUValue, averageMemoryValue.
    assert.deepEqual(v.fence, { enabled: true, replicaCount: 4, image: { repository: 'quay.io/cdis/fence', tag: '2026.07' }, autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 15, averageCPUValue: '500m' } });
    assert.deepEqual(v.indexd.autoscaling, { enabled: true, minReplicas: 4, maxReplicas: 8, averageCPUValue: '500m' });
    assert.deepEqual(v.revproxy.autoscaling, { enabled: true, minReplicas: 4, maxReplicas: 10, averageCPUValue: '500m' });
    assert.deepEqual(v.audit.autoscaling, { enabled: false });
    // presigned-url-fence's own range, which gen3-helm has no value for, in DCOC's block.
    assert.deepEqual(v.dcoc, { hpa: { 'presigned-url-fence': { minReplicas: 20, maxReplicas: 25 } } });
    assert.doesNotMatch(toYaml(values), /targetCPUUtilizationPercentage/);
    assert.deepEqual(v.revproxy.image, { repository: 'quay.io/cdis/nginx', tag: '2026.07' });
    assert.deepEqual(v.ambassador.image, { repository: 'quay.io/datawire/ambassador', tag: '1.4.2' });
    assert.equal(v.sheepdog.replicaCount, 4);
    assert.equal(v.audit.replicaCount, 2);
    assert.deepEqual(v['frontend-framework'], { enabled: false });
    assert.equal(v['presigned-url-fence'], undefined, 'rendered by the fence chart, not a values key');
    // The YAML keeps tags as strings.
    assert.match(toYaml(values), /tag: "2026\.07"/);
    assert.deepEqual(parseYaml(toYaml(values)), values);
  });

  it('dev: one replica each and in-cluster databases', () => {
    const { values, errors } = render(input({ template: bp.templates.get('gen3-default')!, profile: bp.profiles.get('dev')! }));
    assert.deepEqual(errors, []);
    const v = values as Record<string, Record<string, unknown>>;
    assert.equal(v.global.dev, true);
    for (const c of bp.templates.get('gen3-default')!.services) assert.equal(v[c].replicaCount, 1, c);
    assert.deepEqual(v.guppy, { enabled: false });
  });

  it('overrides merge as Helm does: maps merge, null deletes, enabled switches a service', () => {
    const { values, errors } = render(input({ overrides: { global: { maintenanceMode: 'on', pdb: null }, fence: { replicaCount: 6 }, 'frontend-framework': { enabled: true }, guppy: { enabled: false } } }));
    assert.deepEqual(errors, []);
    const v = values as Record<string, Record<string, unknown>>;
    assert.equal(v.global.maintenanceMode, 'on');
    assert.equal('pdb' in v.global, false);
    assert.equal(v.fence.replicaCount, 6);
    assert.deepEqual((v.fence.image as Values).tag, '2026.07');
    assert.equal(v['frontend-framework'].enabled, true);
    assert.deepEqual(v['frontend-framework'].image, { repository: 'quay.io/cdis/frontend-framework', tag: '2026.07' });
    assert.equal(v.guppy.enabled, false);
  });

  it('refuses with the field at fault: unknown service, missing image, bounds, identity, bad shapes', () => {
    const fields = (o: Values, extra: Partial<Parameters<typeof render>[0]> = {}) => render(input({ overrides: o, ...extra })).errors.map((e) => e.field);
    assert.deepEqual(fields({ notaservice: {} }), ['body.overrides.notaservice']);
    assert.deepEqual(fields({ fence: 3 }), ['body.overrides.fence']);
    assert.deepEqual(fields({ global: { environment: 'x' } }), ['body.overrides.global.environment']);
    assert.deepEqual(fields({ fence: { enabled: 'yes' } }), ['body.overrides.fence.enabled']);
    assert.deepEqual(fields({ fence: { replicaCount: 16 } }), ['body.overrides.fence.replicaCount']);
    assert.deepEqual(fields({ fence: { replicaCount: 15 } }), []);
    assert.deepEqual(fields({ fence: { replicaCount: 2.5 } }), ['body.overrides.fence.replicaCount']);
    assert.deepEqual(fields({ fence: { autoscaling: { maxReplicas: 16 } } }), ['body.overrides.fence.autoscaling.maxReplicas']);
    assert.deepEqual(fields({ fence: { autoscaling: { minReplicas: 9, maxReplicas: 8 } } }), ['body.overrides.fence.autoscaling']);
    assert.deepEqual(fields({ fence: { image: { tag: 'a b' } } }), ['body.overrides.fence.image']);
    // A chart the release has no image for runs gen3-helm's own default image: no tag is written, none is demanded.
    const noGuppy = { version: '2026.10', images: Object.fromEntries(Object.entries(release('2026.07').images).filter(([k]) => k !== 'guppy')) };
    const missing = render(input({ release: noGuppy }));
    assert.deepEqual(missing.errors, []);
    assert.equal((missing.values.guppy as Values).image, undefined);
    assert.equal(deployTarget(missing.values).images.guppy, undefined, 'not followed: the agent would not know which image to wait for');
    // The overrides can still give it one.
    assert.deepEqual(fields({ guppy: { image: { repository: 'quay.io/cdis/guppy', tag: '2026.09' } } }, { release: noGuppy }), []);
    // A profile's own sizing is checked against its bound too: dev allows 2.
    assert.deepEqual(fields({ sheepdog: { replicaCount: 3 } }, { profile: bp.profiles.get('dev')! }), ['body.overrides.sheepdog.replicaCount']);
  });

  it('refuses credentials anywhere in the overrides, naming the field, since values go to revisions, diffs and GitOps', () => {
    const refused = (o: Values) => render(input({ overrides: o })).errors;
    const e = refused({ global: { postgres: { master: { host: 'db.example.org', password: 'hunter2' } } } });
    assert.deepEqual(e.map((x) => x.field), ['body.overrides.global.postgres.master.password']);
    assert.match(e[0].message, /credentials do not belong in values.*global\.externalSecrets\.deploy/);
    assert.doesNotMatch(JSON.stringify(e), /hunter2/);
    assert.deepEqual(refused({ fence: { FENCE_CONFIG: { OPENID_CONNECT: { google: { client_id: 'x', client_secret: 'y' } } } } }).map((x) => x.field), [
      'body.overrides.fence.FENCE_CONFIG.OPENID_CONNECT.google.client_secret',
    ]);
    // The switches that point at a secret manager are not credentials.
    assert.deepEqual(refused({ global: { externalSecrets: { deploy: true }, postgres: { master: { host: 'db.example.org' } } } }), []);
  });

  it('finds credentials however the key is spelled or wherever they sit', () => {
    const fields = (o: Values) => render(input({ overrides: o })).errors.map((x) => x.field);
    // In a list.
    assert.deepEqual(fields({ fence: { extraEnv: [{ name: 'X', password: 'hunter2' }] } }), ['body.overrides.fence.extraEnv.0.password']);
    // Trailing space, zero-width space, other separators and cases.
    assert.deepEqual(fields({ global: { 'password ': 'a', 'pass\u200bword': 'b', 'Client-Secret': 'c' } }), ['body.overrides.global.password ', 'body.overrides.global.pass\u200bword', 'body.overrides.global.Client-Secret']);
    // Names the guard missed before.
    assert.deepEqual(fields({ ssjdispatcher: { aws_secret_access_key: 'k', apiKey: 'k', secret: 's', credentials: 'c' } }), [
      'body.overrides.ssjdispatcher.aws_secret_access_key',
      'body.overrides.ssjdispatcher.apiKey',
      'body.overrides.ssjdispatcher.secret',
      'body.overrides.ssjdispatcher.credentials',
    ]);
    // Settings named like credentials but holding none are fine.
    assert.deepEqual(fields({ fence: { ACCESS_TOKEN_EXPIRES_IN: 1200, usersync: { secrets: { enabled: false } } } }), []);
  });

  it('a switch named enabled must be a boolean: helm takes the string "true" (and "false") as true', () => {
    const errors = render(input({ overrides: { fence: { autoscaling: { enabled: 'true', minReplicas: 1, maxReplicas: 500 } }, guppy: { enabled: 'false' } } })).errors;
    assert.deepEqual(errors.map((x) => x.field), ['body.overrides.fence.autoscaling.enabled', 'body.overrides.guppy.enabled']);
    assert.match(errors[0].message, /must be true or false \(a boolean, not "true"\): helm takes any non-empty string as true/);
  });

  it('warns when external databases are configured nowhere: gen3-helm could not render the database Secrets', () => {
    const warn = (profile: string, overrides: Values = {}) => databaseWarning(render(input({ profile: bp.profiles.get(profile)!, overrides })).values);
    assert.match(warn('production') ?? '', /neither global\.postgres\.master\.host nor global\.externalSecrets\.deploy is set/);
    assert.match(warn('small') ?? '', /agent deploying with helm will fail/);
    assert.equal(warn('dev'), undefined, 'in-cluster databases');
    assert.equal(warn('production', { global: { externalSecrets: { deploy: true } } }), undefined);
    assert.equal(warn('production', { global: { postgres: { master: { host: 'aurora.example.org' } } } }), undefined);
  });

  it('the deploy target: an image per service (presigned-url-fence rides on fence), replicas only where no HPA manages them, presigned-url-fence\'s own HPA range', () => {
    const t = deployTarget(render(input()).values);
    assert.deepEqual(t.hpa, { 'presigned-url-fence': { min: 20, max: 25 } });
    assert.equal(t.replicas['presigned-url-fence'], undefined);
    assert.equal(t.images['presigned-url-fence'], 'quay.io/cdis/fence:2026.07');
    assert.equal(t.images.fence, 'quay.io/cdis/fence:2026.07');
    assert.equal(Object.keys(t.images).length, 18);
    assert.equal(t.replicas.fence, undefined);
    assert.equal(t.replicas.indexd, undefined);
    assert.equal(t.replicas.sheepdog, 4);
    assert.equal(t.images['frontend-framework'], undefined);
  });
});

describe('reading releases', () => {
  it('a cdis-manifest manifest.json: versions of Gen3 charts, others ignored, the release name from the notes', () => {
    const r = parseRelease('manifest', JSON.stringify({
      notes: ['Core Gen3 Release 2026.07 (Hambergite)'],
      versions: { fence: 'quay.io/cdis/fence:2026.07', revproxy: '707767160287.dkr.ecr.us-east-1.amazonaws.com/gen3/nginx:2026.07', fluentd: 'fluent/fluentd:v1', spark: 'quay.io/cdis/gen3-spark:2026.07' },
      global: { hostname: 'x' },
    }));
    assert.deepEqual(r, { images: { fence: 'quay.io/cdis/fence:2026.07', revproxy: '707767160287.dkr.ecr.us-east-1.amazonaws.com/gen3/nginx:2026.07' }, name: 'Hambergite', ignored: ['fluentd', 'spark'] });
  });

  it('gen3-helm values: repository + tag, tags kept as written (2026.10 is not 2026.1)', () => {
    const r = parseRelease('helm-values', 'global:\n  hostname: a.org\nfence:\n  image:\n    repository: quay.io/cdis/fence\n    tag: 2026.10\nindexd:\n  replicaCount: 4\n  image: {repository: quay.io/cdis/indexd, tag: "2026.10"}\npostgresql:\n  image: {repository: bitnami/postgresql, tag: "16"}\n');
    assert.deepEqual(r, { images: { fence: 'quay.io/cdis/fence:2026.10', indexd: 'quay.io/cdis/indexd:2026.10' }, name: null, ignored: ['postgresql'] });
  });

  it('refuses what is not a release, naming where', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { field: string }).field;
      }
      return 'no error';
    };
    assert.equal(field(() => parseRelease('manifest', '{')), 'body.content');
    assert.equal(field(() => parseRelease('manifest', '{"versions": {"fence": 3}}')), 'body.content.versions.fence');
    assert.equal(field(() => parseRelease('manifest', '{"versions": {"fence": "no tag"}}')), 'body.content.versions.fence');
    assert.equal(field(() => parseRelease('manifest', '{"versions": {"fluentd": "a:b"}}')), 'body.content');
    assert.equal(field(() => parseRelease('helm-values', 'fence:\n  image:\n    repository: quay.io/cdis/fence\n')), 'body.content.fence.image');
  });
});

describe('diffs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-diff-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the unified diff applies with git apply and gives the new file; the structured diff lists the leaves', () => {
    const a = render(input()).values;
    const b = render(input({ release: release('2026.08'), overrides: { fence: { replicaCount: 6 }, global: { maintenanceMode: 'on' }, guppy: { enabled: false } } })).values;
    const text = unifiedDiff(toYaml(a), toYaml(b), { from: 'a/values.yaml', to: 'b/values.yaml' });
    execFileSync('git', ['init', '--quiet', dir]);
    writeFileSync(join(dir, 'values.yaml'), toYaml(a));
    writeFileSync(join(dir, 'change.patch'), text);
    execFileSync('git', ['apply', 'change.patch'], { cwd: dir });
    assert.deepEqual(parseYaml(readFileSync(join(dir, 'values.yaml'), 'utf8')), b);
    assert.ok(text.includes('-    tag: "2026.07"\n+    tag: "2026.08"\n'));
    const changes = structuredDiff(a, b);
    assert.deepEqual(changes.find((c) => c.path === 'fence.replicaCount'), { path: 'fence.replicaCount', op: 'change', from: 4, to: 6 });
    assert.deepEqual(changes.find((c) => c.path === 'global.maintenanceMode'), { path: 'global.maintenanceMode', op: 'add', to: 'on' });
    assert.deepEqual(changes.find((c) => c.path === 'guppy.replicaCount'), { path: 'guppy.replicaCount', op: 'remove', from: 4 });
    assert.equal(unifiedDiff(toYaml(a), toYaml(a), { from: 'a', to: 'b' }), '');
    assert.deepEqual(structuredDiff(a, a), []);
  });
});

describe('GitOps client', () => {
  const log = pino({ level: 'silent' });

  it('never shows the credentials of a repository URL, even in git errors', async () => {
    assert.equal(redact('fatal: unable to access https://deploy:ghp_s3cretT0ken@github.com/org/gitops.git/'), 'fatal: unable to access https://***@github.com/org/gitops.git/');
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-gitops-redact-'));
    try {
      const g = new GitOps({ repo: 'http://deploy:ghp_s3cretT0ken@127.0.0.1:1/org/gitops.git', cluster: 'c', branch: 'main', workdir: join(dir, 'clone'), log, timeoutMs: 20_000 });
      assert.equal(g.displayRepo, 'http://***@127.0.0.1:1/org/gitops.git');
      const err = await g.commit({ hostname: 'a.org', edit: () => 'x: 1\n', namespace: 'gen3', author: { name: 'n', email: 'e@x' }, message: 'm' }).then(
        () => null,
        (e: Error) => e,
      );
      assert.ok(err instanceof GitOpsError, String(err));
      assert.match(err.message, /^git clone failed: /);
      assert.doesNotMatch(err.message, /s3cret|ghp_/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an author name cannot forge the author header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-gitops-author-'));
    try {
      execFileSync('git', ['init', '--quiet', '--bare', join(dir, 'r.git')]);
      const g = new GitOps({ repo: join(dir, 'r.git'), cluster: 'c', branch: 'main', workdir: join(dir, 'clone'), log });
      await g.commit({ hostname: 'a.org', edit: () => 'x: 1\n', namespace: 'gen3', author: { name: 'Mallory <boss@example.org>\nX', email: 'm@example.org>' }, message: 'm' });
      assert.equal(execFileSync('git', ['--git-dir', join(dir, 'r.git'), 'log', '-1', '--format=%an|%ae', 'main'], { encoding: 'utf8' }).trim(), 'Mallory boss@example.orgX|m@example.org');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// GitOps: each revision is committed to the configured repository in the
// gen3-gitops layout (<cluster>/<hostname>/values/values.yaml, gen3-facts.md
// §2.5) with the operator as author and the reason in the message, then
// pushed. The values file is edited, not replaced: the caller's edit runs on
// the file as it is on the remote branch at commit time. A new commons also
// gets the ArgoCD Application chart gen3-gitops keeps beside its values. A
// working clone lives under DCOC_DATA_DIR; every commit starts from the remote
// branch as it is, so a commit whose push failed never rides along with the
// next one. Credentials in the repository URL never reach a log, an error
// message or a committed file.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Logger } from '../../lib/logger';

export interface GitOpsOptions {
  repo: string;
  cluster: string;
  branch: string;
  /** The working clone's directory. */
  workdir: string;
  log: Logger;
  timeoutMs?: number;
  /** The chart a new commons' ArgoCD Application deploys (default: gen3-helm's helm/gen3 on master). */
  chart?: { repoURL: string; path: string; targetRevision: string };
}

export interface GitOpsCommit {
  hostname: string;
  /**
   * The values file's new text from its text on the branch (undefined: there is
   * none yet). Runs at commit time on the freshly fetched branch; what it throws
   * fails the commit with nothing written.
   */
  edit: (existing: string | undefined) => string;
  /** Kubernetes namespace of the commons: where a new commons' Application deploys. */
  namespace: string;
  author: { name: string; email: string };
  message: string;
}

const GEN3_HELM = { repoURL: 'https://github.com/uc-cdis/gen3-helm', path: 'helm/gen3', targetRevision: 'master' };

export class GitOpsError extends Error {}

/** Hides userinfo in URLs (https://user:token@host → https://***@host) and known secrets. */
export function redact(text: string, secrets: string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/** The userinfo of a URL repository, to scrub from git's own messages too. */
function secretsOf(repo: string): string[] {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/i.exec(repo);
  if (!m) return [];
  return [m[1], ...m[1].split(':').filter((p) => p.length >= 4)];
}

/** A git identity part: no angle brackets or line breaks (they would break the author header). */
const clean = (s: string) => s.replace(/[<>\r\n]/g, '').trim();

export class GitOps {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly secrets: string[];

  constructor(private readonly o: GitOpsOptions) {
    this.secrets = secretsOf(o.repo);
  }

  /** Where a commons' values live in the repository. */
  pathFor(hostname: string): string {
    return `${this.dirFor(hostname)}/values/values.yaml`;
  }

  /** A commons' directory: a small Helm chart whose one template is its ArgoCD Application. */
  private dirFor(hostname: string): string {
    return `${this.o.cluster}/${hostname}`;
  }

  /**
   * The chart gen3-gitops keeps for each commons beside values/: Chart.yaml, an
   * empty values.yaml and templates/app.yaml, an Application with two sources
   * (the gen3 chart, and this repository as `$values` for the commons' values file).
   */
  applicationFiles(hostname: string, namespace: string): [path: string, text: string][] {
    const dir = this.dirFor(hostname);
    const chart = this.o.chart ?? GEN3_HELM;
    // Helm release names are at most 53 characters.
    const name = `gen3-${namespace}`.length <= 53 ? `gen3-${namespace}` : namespace.slice(0, 53).replace(/-+$/, '');
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      spec: {
        project: 'default',
        sources: [
          { path: chart.path, repoURL: chart.repoURL, targetRevision: chart.targetRevision, helm: { releaseName: name, valueFiles: [`$values/${this.pathFor(hostname)}`] } },
          // Never the credentials of DCOC's own clone URL: ArgoCD has its own repository secret.
          { repoURL: this.o.repo.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1'), targetRevision: this.o.branch, ref: 'values' },
        ],
        destination: { server: 'https://kubernetes.default.svc', namespace },
        syncPolicy: {
          managedNamespaceMetadata: { labels: { role: 'gen3' } },
          syncOptions: ['CreateNamespace=true'],
          automated: { selfHeal: true },
        },
      },
    };
    const chartYaml = { apiVersion: 'v2', name: hostname, description: `${hostname} argo application`, type: 'application', version: '0.1.0', appVersion: '1.0' };
    return [
      [`${dir}/Chart.yaml`, stringify(chartYaml, { lineWidth: 0 })],
      [`${dir}/values.yaml`, ''],
      [`${dir}/templates/app.yaml`, `# ArgoCD Application of ${hostname}, created by DCOC with its first revision.\n${stringify(app, { lineWidth: 0 })}`],
    ];
  }

  /** The repository as it may be shown (no credentials). */
  get displayRepo(): string {
    return redact(this.o.repo, this.secrets);
  }

  /** Commits and pushes one values file; resolves with the commit id. One at a time. */
  commit(c: GitOpsCommit): Promise<{ commit: string; changed: boolean }> {
    const run = this.chain.then(() => this.commitNow(c));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private git(args: string[], opts: { cwd?: string; input?: string } = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args],
        {
          cwd: opts.cwd ?? this.o.workdir,
          timeout: this.o.timeoutMs ?? 120_000,
          maxBuffer: 4 * 1024 * 1024,
          // Never prompt for credentials (there is nobody to answer); fail instead.
          env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true', LC_ALL: 'C' },
        },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout.trim());
          const said = redact(`${stderr}`.replace(/[ \t]+$/gm, '').trim() || err.message, this.secrets);
          reject(new GitOpsError(`git ${args[0]} failed: ${said}`));
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
  }

  private async ensureClone(): Promise<void> {
    if (existsSync(join(this.o.workdir, '.git'))) return;
    rmSync(this.o.workdir, { recursive: true, force: true });
    mkdirSync(dirname(this.o.workdir), { recursive: true, mode: 0o700 });
    await this.git(['clone', '--quiet', '--no-checkout', '--', this.o.repo, this.o.workdir], { cwd: dirname(this.o.workdir) });
  }

  /** Makes the working tree exactly the remote branch (or an empty branch when the remote has none yet). */
  private async syncToRemote(): Promise<void> {
    const b = this.o.branch;
    await this.git(['fetch', '--quiet', '--prune', 'origin']);
    const remote = await this.git(['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${b}`]).catch(() => '');
    if (remote) {
      await this.git(['checkout', '--quiet', '--force', '-B', b, `refs/remotes/origin/${b}`]);
      await this.git(['reset', '--quiet', '--hard', `refs/remotes/origin/${b}`]);
    } else {
      await this.git(['symbolic-ref', 'HEAD', `refs/heads/${b}`]);
      await this.git(['update-ref', '-d', `refs/heads/${b}`]).catch(() => '');
      await this.git(['read-tree', '--empty']);
    }
    await this.git(['clean', '--quiet', '-fdx']);
  }

  private async commitNow(c: GitOpsCommit): Promise<{ commit: string; changed: boolean }> {
    await this.ensureClone();
    await this.syncToRemote();
    const rel = this.pathFor(c.hostname);
    const file = join(this.o.workdir, rel);
    const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    let content: string;
    try {
      content = c.edit(existing);
    } catch (e) {
      throw new GitOpsError(`${rel} in ${this.displayRepo} (branch ${this.o.branch}) was left as it is, nothing was committed: ${redact((e as Error).message, this.secrets)}`);
    }
    const writes: [string, string][] = content === existing ? [] : [[rel, content]];
    // A new commons: its Application too, unless someone already wrote one.
    if (existing === undefined) writes.push(...this.applicationFiles(c.hostname, c.namespace).filter(([p]) => !existsSync(join(this.o.workdir, p))));
    if (writes.length === 0) {
      const head = await this.git(['rev-parse', 'HEAD']);
      this.o.log.info({ repo: this.displayRepo, path: rel, commit: head }, 'gitops: values already committed');
      return { commit: head, changed: false };
    }
    for (const [p, text] of writes) {
      mkdirSync(dirname(join(this.o.workdir, p)), { recursive: true });
      writeFileSync(join(this.o.workdir, p), text);
    }
    await this.git(['add', '--', ...writes.map(([p]) => p)]);
    await this.git(
      ['-c', 'user.name=DCOC control service', '-c', 'user.email=dcoc@localhost', 'commit', '--quiet', `--author=${clean(c.author.name)} <${clean(c.author.email)}>`, '-F', '-'],
      { input: c.message },
    );
    const commit = await this.git(['rev-parse', 'HEAD']);
    try {
      await this.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${this.o.branch}`]);
    } catch (e) {
      throw new GitOpsError(`push of ${commit.slice(0, 12)} to ${this.displayRepo} (branch ${this.o.branch}) was refused: ${(e as Error).message.replace(/^git push failed: /, '')}`);
    }
    this.o.log.info({ repo: this.displayRepo, path: rel, files: writes.length, commit }, 'gitops: values committed and pushed');
    return { commit, changed: true };
  }
}

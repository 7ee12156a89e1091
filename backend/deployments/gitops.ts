// GitOps: each revision is committed to the configured repository in the
// gen3-gitops layout (<cluster>/<hostname>/values/values.yaml, gen3-facts.md
// §2.5) with the operator as author and the reason in the message, then
// pushed. A working clone lives under DCOC_DATA_DIR; every commit starts from
// the remote branch as it is, so a commit whose push failed never rides along
// with the next one. Credentials in the repository URL never reach a log or
// an error message.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../config/logger';

export interface GitOpsOptions {
  repo: string;
  cluster: string;
  branch: string;
  /** The working clone's directory. */
  workdir: string;
  log: Logger;
  timeoutMs?: number;
}

export interface GitOpsCommit {
  hostname: string;
  content: string;
  author: { name: string; email: string };
  message: string;
}

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
    return `${this.o.cluster}/${hostname}/values/values.yaml`;
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
    mkdirSync(dirname(file), { recursive: true });
    const unchanged = existsSync(file) && readFileSync(file, 'utf8') === c.content;
    if (unchanged) {
      const head = await this.git(['rev-parse', 'HEAD']);
      this.o.log.info({ repo: this.displayRepo, path: rel, commit: head }, 'gitops: values already committed');
      return { commit: head, changed: false };
    }
    writeFileSync(file, c.content);
    await this.git(['add', '--', rel]);
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
    this.o.log.info({ repo: this.displayRepo, path: rel, commit }, 'gitops: values committed and pushed');
    return { commit, changed: true };
  }
}

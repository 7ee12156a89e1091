// Just enough of Grafana for the app's RBAC path: the ID-token signing keys
// (GET /api/signing-keys/keys, a JWKS) and the permission search
// (GET /api/access-control/users/permissions/search), which answers for the
// users it was given and records every request it gets; and a user's teams
// (GET /api/users/:id/teams), answering []TeamDTO as grafana/grafana
// pkg/api/user.go GetUserTeams does, each field as pkg/services/team/model.go
// (commit 87bad07d87fe38fe11e8e756cda5443cb3a4a290) names it.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export interface SearchRequest {
  authorization: string | undefined;
  query: Record<string, string>;
}

export class FakeGrafana {
  readonly searches: SearchRequest[] = [];
  keyFetches = 0;
  /** Every GET /api/users/:id/teams, by user id. */
  readonly teamLookups: string[] = [];
  /** Numeric user id → the teams (id, name) Grafana has them in. */
  readonly teams = new Map<string, { id: number; name: string }[]>();
  /** A status to answer team lookups with instead (a service account without teams:read, a Grafana in trouble). */
  teamsFault: number | null = null;
  /** Namespaced id ("user:42") → the actions Grafana's RBAC grants that user. */
  readonly permissions = new Map<string, string[]>();
  private readonly keys: { kid: string; privateKey: KeyObject; publicKey: KeyObject } = { kid: 'test-key-1', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) };

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly serviceAccountToken: string,
  ) {}

  static async start(serviceAccountToken = 'glsa_fake-service-account-token-0123456789'): Promise<FakeGrafana> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const self = new FakeGrafana(server, `http://127.0.0.1:${port}`, serviceAccountToken);
    server.on('request', (req, res) => self.handle(req.url ?? '/', req.headers.authorization, res));
    return self;
  }

  private handle(rawUrl: string, authorization: string | undefined, res: ServerResponse): void {
    const url = new URL(rawUrl, this.url);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/signing-keys/keys') {
      this.keyFetches++;
      return send(200, { keys: [{ ...this.keys.publicKey.export({ format: 'jwk' }), kid: this.keys.kid, alg: 'ES256', use: 'sig' }] });
    }
    if (url.pathname === '/api/access-control/users/permissions/search') {
      this.searches.push({ authorization, query: Object.fromEntries(url.searchParams) });
      if (authorization !== `Bearer ${this.serviceAccountToken}`) return send(401, { message: 'invalid API key' });
      const subject = url.searchParams.get('namespacedId') ?? '';
      const prefix = url.searchParams.get('actionPrefix') ?? '';
      const actions = (this.permissions.get(subject) ?? []).filter((a) => a.startsWith(prefix));
      const numericId = subject.split(':')[1] ?? '0';
      // Grafana's shape: { "<user id>": { "<action>": ["<scope>", …] } }
      return send(200, actions.length ? { [numericId]: Object.fromEntries(actions.map((a) => [a, ['']])) } : {});
    }
    const teams = /^\/api\/users\/([^/]+)\/teams$/.exec(url.pathname);
    if (teams) {
      this.teamLookups.push(teams[1]);
      if (authorization !== `Bearer ${this.serviceAccountToken}`) return send(401, { message: 'invalid API key' });
      if (this.teamsFault) return send(this.teamsFault, { message: 'You\'ll need additional permissions to perform this action. Permissions needed: users.teams:read' });
      // strconv.ParseInt on :id, as GetUserTeams does.
      if (!/^-?\d+$/.test(teams[1])) return send(400, { message: 'id is invalid' });
      return send(
        200,
        (this.teams.get(teams[1]) ?? []).map((t) => ({
          id: t.id,
          uid: `team-uid-${t.id}`,
          orgId: 1,
          name: t.name,
          email: '',
          avatarUrl: `/avatar/${t.id.toString(16)}`,
          memberCount: 1,
          permission: 0,
          accessControl: null,
        })),
      );
    }
    send(404, { message: 'not found' });
  }

  /** An ID token as Grafana signs it for X-Grafana-Id (ES256, typ "jwt"); `forge` signs with a key Grafana never published. */
  idToken(subject: string, opts: { expiresInS?: number; forge?: boolean; login?: string } = {}): string {
    const key = opts.forge ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : this.keys.privateKey;
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', kid: this.keys.kid, typ: 'jwt' };
    const claims = { iss: this.url, sub: subject, aud: ['org:1'], iat: now, exp: now + (opts.expiresInS ?? 300), login: opts.login };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64(header)}.${b64(claims)}`;
    const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${input}.${sig}`;
  }

  /** The grafanaConfig Grafana gives a plugin with an external service account. */
  grafanaConfig(): Record<string, string> {
    return { GF_APP_URL: this.url, GF_PLUGIN_APP_CLIENT_SECRET: this.serviceAccountToken };
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

// Reading a user's Grafana teams (plugin/identity/teams.ts) against a fetch
// that answers as Grafana's GET /api/users/:id/teams does ([]TeamDTO,
// grafana/grafana pkg/services/team/model.go at 87bad07d): the service
// account's token is sent, answers are cached per user, and every failure is
// a TeamsError the resolver turns into "no teams".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TeamsError, TeamsLookup } from '../../plugin/identity/teams';

const APP = 'http://grafana.test';
const TOKEN = 'glsa_token';
const teamDto = (id: number, name: string) => ({ id, uid: `u${id}`, orgId: 1, name, email: '', avatarUrl: '/avatar/x', memberCount: 2, permission: 0, accessControl: null });

function fakeFetch(answer: (url: string) => Response) {
  const calls: { url: string; auth: string | null }[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
    return answer(url);
  }) as typeof fetch;
  return { f, calls };
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('a user’s Grafana teams', () => {
  it('asks /api/users/<id>/teams with the service account, keeps id and name, caches per user', async () => {
    const { f, calls } = fakeFetch(() => json(200, [teamDto(9, 'ops-b'), teamDto(3, 'ops-a')]));
    const lookup = new TeamsLookup(f);
    assert.deepEqual(await lookup.teamsOf({ appUrl: `${APP}/`, token: TOKEN, subject: 'user:42' }), [{ id: 3, name: 'ops-a' }, { id: 9, name: 'ops-b' }]);
    await lookup.teamsOf({ appUrl: APP, token: TOKEN, subject: 'user:42' });
    assert.deepEqual(calls, [{ url: `${APP}/api/users/42/teams`, auth: `Bearer ${TOKEN}` }], 'the second call came from the cache');
    await lookup.teamsOf({ appUrl: APP, token: TOKEN, subject: 'user:43' });
    assert.equal(calls.length, 2, 'another user is asked for');
  });

  it('a service account is in no team; a subject that is not a numeric user id cannot be looked up', async () => {
    const { f, calls } = fakeFetch(() => json(200, []));
    const lookup = new TeamsLookup(f);
    assert.deepEqual(await lookup.teamsOf({ appUrl: APP, token: TOKEN, subject: 'service-account:7' }), []);
    await assert.rejects(lookup.teamsOf({ appUrl: APP, token: TOKEN, subject: 'user:ad1b2c' }), TeamsError);
    assert.equal(calls.length, 0);
  });

  it('refusals, errors and odd answers are TeamsErrors, saying what to fix; entries it cannot carry are left out', async () => {
    const subject = 'user:1';
    await assert.rejects(new TeamsLookup(fakeFetch(() => json(403, { message: 'Permissions needed: users.teams:read' })).f).teamsOf({ appUrl: APP, token: TOKEN, subject }), /iam permissions/);
    await assert.rejects(new TeamsLookup(fakeFetch(() => json(500, {})).f).teamsOf({ appUrl: APP, token: TOKEN, subject }), /answered 500/);
    await assert.rejects(new TeamsLookup(fakeFetch(() => new Response('<html>', { status: 200 })).f).teamsOf({ appUrl: APP, token: TOKEN, subject }), /malformed JSON/);
    await assert.rejects(new TeamsLookup(fakeFetch(() => json(200, { teams: [] })).f).teamsOf({ appUrl: APP, token: TOKEN, subject }), /list of teams/);
    const down = new TeamsLookup((async () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))) as typeof fetch);
    await assert.rejects(down.teamsOf({ appUrl: APP, token: TOKEN, subject }), /cannot reach Grafana's team API .*ECONNREFUSED/);
    const odd = new TeamsLookup(fakeFetch(() => json(200, [teamDto(3, 'ops-a'), { id: 'x', name: 'bad' }, { id: 4, name: 'new\nline' }, null])).f);
    assert.deepEqual(await odd.teamsOf({ appUrl: APP, token: TOKEN, subject }), [{ id: 3, name: 'ops-a' }]);
  });
});

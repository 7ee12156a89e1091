// backend/http/problem.ts problemOf: each domain error (backend/domain/errors.ts)
// becomes the problem the HTTP edge answers with: status, title, detail and
// the fields at fault, the bodies the domain used to build as HTTP errors.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Conflict, Invalid, NotFound, Refused, onField } from '../../backend/domain/errors';
import { HttpProblem, problemOf } from '../../backend/http/problem';

const shape = (p: HttpProblem | undefined) => p && { status: p.status, title: p.title, detail: p.detail, errors: p.errors };

it('maps not found to 404 with what does not exist', () => {
  assert.deepEqual(shape(problemOf(new NotFound('deployment d1'))), { status: 404, title: 'Not found', detail: 'deployment d1 does not exist', errors: undefined });
});

it('maps a conflict and a refusal to 409, with their fields when they name any', () => {
  assert.deepEqual(shape(problemOf(new Conflict('Deployment finished', 'deployment d1 is cancelled; nothing to cancel'))), {
    status: 409,
    title: 'Deployment finished',
    detail: 'deployment d1 is cancelled; nothing to cancel',
    errors: undefined,
  });
  assert.deepEqual(shape(problemOf(new Refused('Commons managed by ArgoCD', 'argo owns it', onField('path.service', 'argo owns it')))), {
    status: 409,
    title: 'Commons managed by ArgoCD',
    detail: 'argo owns it',
    errors: [{ field: 'path.service', message: 'argo owns it' }],
  });
});

it('maps invalid input to 422 naming every field, with the detail counting them unless one is given', () => {
  const fields = [{ field: 'body.profile', message: 'unknown profile xl' }, { field: 'body.release', message: 'unknown release' }];
  assert.deepEqual(shape(problemOf(new Invalid('Invalid deployment', fields))), {
    status: 422,
    title: 'Invalid deployment',
    detail: '2 field(s) are invalid: body.profile, body.release',
    errors: fields,
  });
  assert.deepEqual(shape(problemOf(new Invalid('Invalid scale', onField('body.replicas', 'above the bound'), 'above the bound'))), {
    status: 422,
    title: 'Invalid scale',
    detail: 'above the bound',
    errors: [{ field: 'body.replicas', message: 'above the bound' }],
  });
});

it('passes an HTTP problem on as it is, and leaves anything else to the caller', () => {
  const p = new HttpProblem(401, 'Unauthenticated', 'no credential');
  assert.equal(problemOf(p), p);
  assert.equal(problemOf(new Error('boom')), undefined);
  assert.equal(problemOf(undefined), undefined);
});

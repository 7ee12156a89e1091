// What the domain layer (deployments, commands) throws when it will not do
// what was asked, said in its own terms: something does not exist, is in a
// state that does not allow it, is refused by who owns it, or is invalid.
// Each carries a short summary, a detail saying what to do instead, and the
// request fields at fault. The HTTP edge turns them into problem+json
// (http/problem.ts problemOf); nothing here knows about HTTP.

export interface FieldIssue {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: 'not-found' | 'conflict' | 'refused' | 'invalid';

  constructor(
    /** What happened, in a few words. */
    readonly summary: string,
    /** Why, and what to do instead. */
    readonly detail: string,
    /** The request fields at fault (none: the request as a whole). */
    readonly fields: FieldIssue[] = [],
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

/** Something the request names does not exist. */
export class NotFound extends DomainError {
  readonly kind = 'not-found';
  constructor(what: string) {
    super('Not found', `${what} does not exist`);
  }
}

/** It exists, but its state does not allow this now: finished, moved on, in progress, already there. */
export class Conflict extends DomainError {
  readonly kind = 'conflict';
}

/** Not ours to change this way: someone else owns it (ArgoCD, an HPA), whatever its state. */
export class Refused extends DomainError {
  readonly kind = 'refused';
}

/** The request's values cannot be used, field by field. */
export class Invalid extends DomainError {
  readonly kind = 'invalid';
  constructor(summary: string, fields: FieldIssue[], detail = `${fields.length} field(s) are invalid: ${fields.map((e) => e.field).join(', ')}`) {
    super(summary, detail, fields);
  }
}

/** One field at fault, its message the detail itself. */
export const onField = (field: string, detail: string): FieldIssue[] => [{ field, message: detail }];

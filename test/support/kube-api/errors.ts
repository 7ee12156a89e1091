// apimachinery `Status` errors with the apiserver's reasons, codes and message
// shapes, so client code that branches on `reason` or parses `message` sees
// what a real cluster sends.

// JSON key is `reason` (Go field StatusCause.Type has the json tag "reason").
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  /** Absent on Success (a delete's answer), like the apiserver's. */
  code?: number;
}

export class KubeError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
  get code(): number {
    return this.status.code ?? 500;
  }
}

/** What `errors.New*` take: the group-qualified resource, e.g. `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function make(code: number, reason: string, message: string, details?: StatusDetails): KubeError {
  const status: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new KubeError(status);
}

export const errors = {
  notFound(gr: GroupResource, name: string): KubeError {
    return make(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group || undefined, kind: gr.resource });
  },
  /** Unknown path: the apiserver's generic 404. */
  noRoute(): KubeError {
    return make(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  alreadyExists(gr: GroupResource, name: string): KubeError {
    return make(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group || undefined, kind: gr.resource });
  },
  /** Optimistic-concurrency failure (stale metadata.resourceVersion). */
  conflict(gr: GroupResource, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): KubeError {
    return make(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  },
  /** Server-side apply conflict: one cause per contested field. */
  applyConflict(conflicts: { manager: string; apiVersion: string; field: string }[]): KubeError {
    const n = conflicts.length;
    let message: string;
    if (n === 1) {
      const c = conflicts[0];
      message = `Apply failed with 1 conflict: conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`;
    } else {
      const lines = conflicts.map((c) => `- conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
      message = `Apply failed with ${n} conflicts: ${lines.join('\n')}`;
    }
    return make(409, 'Conflict', message, {
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field })),
    });
  },
  badRequest(message: string): KubeError {
    return make(400, 'BadRequest', message);
  },
  /** 422: `Kind.group "name" is invalid: field: reason`. */
  invalid(kind: string, group: string, name: string, causes: { field: string; message: string; type?: string }[]): KubeError {
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    const text = causes.map((c) => `${c.field}: ${c.message}`);
    const joined = text.length === 1 ? text[0] : `[${text.join(', ')}]`;
    return make(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, {
      name,
      group: group || undefined,
      kind,
      causes: causes.map((c): StatusCause => ({ reason: c.type ?? 'FieldValueInvalid', message: c.message, field: c.field })),
    });
  },
  /** 410 for a watch or list that starts before the retained history. */
  expired(message: string): KubeError {
    return make(410, 'Expired', message);
  },
  gone(message: string): KubeError {
    return make(410, 'Gone', message);
  },
  unsupportedMediaType(contentType: string, accepted: string[]): KubeError {
    void contentType;
    return make(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  },
  methodNotAllowed(method: string): KubeError {
    return make(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`, {});
  },
  /** A patch that could not be applied: NewGenericServerResponse(422), the detail in causes. */
  patchRejected(serverMessage: string): KubeError {
    return make(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      causes: [{ reason: 'UnexpectedServerResponse', message: serverMessage }],
    });
  },
  unprocessable(message: string): KubeError {
    return make(422, 'Invalid', message);
  },
  /** Any code/reason, for injected faults (429, 500, 503 ...). */
  custom(code: number, reason: string, message: string, retryAfterSeconds?: number): KubeError {
    return make(code, reason, message, retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined);
  },
  /** A plain storage error the apiserver passes through: 500, no reason. */
  storage(message: string): KubeError {
    const status: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 };
    return new KubeError(status);
  },
  internal(message: string): KubeError {
    return make(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
  },
};

/**
 * Errors as RFC 9457 problem details. `errors` names each failing field so a client can show it next to the
 * field; `detail` repeats them in one sentence for people reading logs or curl output.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors: FieldError[] = [],
    /** RFC 9457 extension members (e.g. `retryAt`) and response headers (e.g. Retry-After) that go with them. */
    readonly extra: { members?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
  }

  static validation(errors: FieldError[]): Problem {
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return new Problem(400, 'Invalid request', detail, errors);
  }

  /** Well-formed, but what it names cannot be done: another bank's account, a company the KvK does not know. */
  static unprocessable(errors: FieldError[]): Problem {
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return new Problem(422, 'Unprocessable content', detail, errors);
  }

  static field(field: string, message: string, status = 400): Problem {
    return new Problem(status, status === 409 ? 'Conflict' : 'Invalid request', `${field}: ${message}`, [
      { field, message },
    ]);
  }

  static notFound(what: string): Problem {
    return new Problem(404, 'Not found', `${what} not found`);
  }

  static forbidden(detail: string): Problem {
    return new Problem(403, 'Forbidden', detail);
  }

  static unauthorized(detail: string): Problem {
    return new Problem(401, 'Unauthorized', detail);
  }

  body(instance: string): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      instance,
      ...(this.errors.length ? { errors: this.errors } : {}),
      ...this.extra.members,
    };
  }
}

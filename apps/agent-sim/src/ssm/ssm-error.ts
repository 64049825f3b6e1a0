/** An SSM error response: HTTP 400 (by default) with {"__type": type, "message": ...}. */
export class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
  }
}

/** The service's wording for a violated member constraint. */
export function validationError(detail: string): SsmError {
  return new SsmError('ValidationException', `1 validation error detected: ${detail}`);
}

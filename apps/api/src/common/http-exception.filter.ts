import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { IdempotencyMismatchError, InvalidKeyInputError } from '@rdpfix/auth';
import {
  CancelTooLateError,
  InstanceNotFoundError,
  InstanceNotInRegionError,
  InvalidCursorError,
  NotReversibleError,
  InventoryUnavailableError,
  RemediationConflictError,
  RemediationNotFoundError,
  RemediationStateError,
  RollbackExistsError,
} from '@rdpfix/remediation';
import { bodyParserErrorResponse } from './errors/body-parser-errors';
import { errorResponse, ErrorResponse, normaliseErrorBody, sendError } from './errors/error-body';
import { infrastructureFailureOf } from './errors/infrastructure-failure.hook';

/**
 * Every error leaves in ONE shape, `{statusCode, error, message, fields?}` (errors/error-body.ts):
 * domain errors get their codes, Nest's own exceptions (validation, 404 for unknown routes) are
 * normalised, body-parser errors are 4xx, infrastructure outages are 503 + Retry-After, and only
 * a genuine server fault is a 500 (logged).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const answer = toErrorResponse(exception);
    if (answer.status === 500) this.log.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    sendError(res, answer);
  }
}

/** The answer for any thrown value. Order matters: specific before generic. */
export function toErrorResponse(e: unknown): ErrorResponse {
  return domainErrorResponse(e) ?? httpExceptionResponse(e) ?? bodyParserErrorResponse(e) ?? infrastructureErrorResponse(e) ?? errorResponse(500, 'internal_error', 'internal error');
}

function domainErrorResponse(e: unknown): ErrorResponse | null {
  if (e instanceof RemediationNotFoundError || e instanceof InstanceNotFoundError) return errorResponse(404, 'not_found', e.message);
  if (e instanceof InstanceNotInRegionError) return errorResponse(404, 'instance_not_in_region', e.message, { fields: [{ field: 'region', message: e.message }] });
  if (e instanceof NotReversibleError) return errorResponse(409, 'not_reversible', e.message, { state: e.state });
  if (e instanceof IdempotencyMismatchError) return errorResponse(422, 'idempotency_key_reused', e.message);
  if (e instanceof InvalidKeyInputError) return errorResponse(400, 'validation_failed', e.message, { fields: [{ field: 'tenantId', message: e.message }] });
  if (e instanceof InventoryUnavailableError) return errorResponse(503, 'inventory_unavailable', e.message, {}, { 'Retry-After': '5' });
  if (e instanceof RemediationConflictError) return errorResponse(409, 'active_remediation_exists', e.message, { activeRemediationId: e.activeId });
  if (e instanceof RollbackExistsError) return errorResponse(409, 'already_rolled_back', e.message, { rollbackId: e.rollbackId });
  if (e instanceof CancelTooLateError) return errorResponse(409, e.code, e.message, { state: e.state });
  if (e instanceof RemediationStateError) return errorResponse(409, 'invalid_state', e.message, { state: e.state });
  if (e instanceof InvalidCursorError) return errorResponse(400, 'validation_failed', e.message, { fields: [{ field: 'cursor', message: e.message }] });
  return null;
}

function httpExceptionResponse(e: unknown): ErrorResponse | null {
  if (!(e instanceof HttpException)) return null;
  const status = e.getStatus();
  const body = normaliseErrorBody(status, e.getResponse());
  // Nest's route-not-found carries "Cannot GET /path": say it in our words.
  if (status === 404 && /^Cannot [A-Z]+ /.test(body.message) && body.error === 'not_found') body.message = `no such route: ${body.message.slice('Cannot '.length, 300)}`;
  return { status, body };
}

/**
 * Infrastructure outages (PostgreSQL or Redis unreachable) -> 503 + Retry-After, same shape.
 * The classifier lives in errors/infrastructure-failure.hook.ts (the merge point with issue 8).
 */
function infrastructureErrorResponse(e: unknown): ErrorResponse | null {
  const failure = infrastructureFailureOf(e);
  if (!failure) return null;
  return errorResponse(503, 'service_unavailable', `${failure.dependency} is not reachable right now; retry after ${failure.retryAfterS}s`, {}, { 'Retry-After': String(failure.retryAfterS) });
}

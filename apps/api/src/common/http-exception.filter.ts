import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { IdempotencyMismatchError, InvalidKeyInputError } from '@rdpfix/auth';
import {
  InstanceNotFoundError,
  InvalidCursorError,
  InventoryUnavailableError,
  RemediationConflictError,
  RemediationNotFoundError,
  RemediationStateError,
} from '@rdpfix/remediation';

/**
 * One JSON error shape for everything: `{ statusCode, error, message, ... }`. Body-parser
 * failures (bad JSON, too large, wrong charset) become 4xx, domain errors get their codes, and
 * only a genuine server fault is a 500.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const { status, body } = this.toResponse(exception);
    if (status >= 500) this.log.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    res.status(status).json(body);
  }

  private toResponse(e: unknown): { status: number; body: Record<string, unknown> } {
    if (e instanceof RemediationNotFoundError || e instanceof InstanceNotFoundError) return { status: 404, body: { statusCode: 404, error: 'not_found', message: e.message } };
    if (e instanceof IdempotencyMismatchError) return { status: 422, body: { statusCode: 422, error: 'idempotency_key_reused', message: e.message } };
    if (e instanceof InvalidKeyInputError) return { status: 400, body: { statusCode: 400, error: 'validation_failed', message: e.message, fields: [{ field: 'tenantId', message: e.message }] } };
    if (e instanceof InventoryUnavailableError) return { status: 503, body: { statusCode: 503, error: 'inventory_unavailable', message: e.message } };
    if (e instanceof RemediationConflictError) {
      return { status: 409, body: { statusCode: 409, error: 'active_remediation_exists', message: e.message, activeRemediationId: e.activeId } };
    }
    if (e instanceof RemediationStateError) return { status: 409, body: { statusCode: 409, error: 'invalid_state', message: e.message, state: e.state } };
    if (e instanceof InvalidCursorError) {
      return { status: 400, body: { statusCode: 400, error: 'validation_failed', message: e.message, fields: [{ field: 'cursor', message: e.message }] } };
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const r = e.getResponse();
      const body = typeof r === 'string' ? { statusCode: status, error: HttpStatus[status]?.toLowerCase() ?? 'error', message: r } : { statusCode: status, ...(r as object) };
      return { status, body };
    }
    const bp = e as { type?: string; status?: number; statusCode?: number; message?: string };
    const bpStatus = bp?.status ?? bp?.statusCode;
    if (typeof bp?.type === 'string' && typeof bpStatus === 'number' && bpStatus >= 400 && bpStatus < 500) {
      const messages: Record<string, string> = {
        'entity.parse.failed': 'request body is not valid JSON',
        'entity.too.large': 'request body is too large',
        'encoding.unsupported': 'unsupported content encoding',
        'charset.unsupported': 'unsupported charset',
        'request.aborted': 'request aborted',
      };
      return { status: bpStatus, body: { statusCode: bpStatus, error: bp.type.replace(/\./g, '_'), message: messages[bp.type] ?? bp.message ?? 'bad request' } };
    }
    return { status: 500, body: { statusCode: 500, error: 'internal_error', message: 'internal error' } };
  }
}

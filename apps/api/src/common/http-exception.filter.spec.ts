import { BadRequestException, ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';
import { CancelTooLateError, InventoryUnavailableError, RemediationConflictError, RollbackExistsError } from '@rdpfix/remediation';
import { toErrorResponse } from './http-exception.filter';

/** What http-errors (used by body-parser) throws: an Error with status, expose and maybe a type. */
const createError = (status: number, message: string, props: Record<string, unknown> = {}) => Object.assign(new Error(message), { status, statusCode: status, expose: status < 500, ...props });

const shapeKeys = ['statusCode', 'error', 'message', 'fields', 'activeRemediationId', 'rollbackId', 'state'];

describe('toErrorResponse: one error shape for everything', () => {
  it.each([
    ['a Nest route-not-found', new NotFoundException('Cannot GET /nope'), 404, 'not_found'],
    ['a bare HttpException with a string', new HttpException('nope', 418), 418, 'i_am_a_teapot'],
    ['an array message', new BadRequestException({ message: ['a', 'b'], error: 'Bad Request' }), 400, 'bad_request'],
    ['a forbidden with our code', new ForbiddenException({ statusCode: 403, error: 'forbidden', message: 'x' }), 403, 'forbidden'],
    ['a body-parser JSON error', createError(400, 'x', { type: 'entity.parse.failed' }), 400, 'invalid_json'],
    ['a body-parser size error', createError(413, 'x', { type: 'entity.too.large' }), 413, 'payload_too_large'],
    ['a zlib error', Object.assign(createError(400, 'incorrect header check'), { code: 'Z_DATA_ERROR' }), 400, 'invalid_content_encoding'],
    ['a brotli error', Object.assign(createError(400, 'Decompression failed'), { code: 'ERR__ERROR_FORMAT_PADDING_2' }), 400, 'invalid_content_encoding'],
    ['any other exposed 4xx of the body reader', createError(400, 'odd'), 400, 'bad_request'],
    ['a 409 conflict', new RemediationConflictError('a'), 409, 'active_remediation_exists'],
    ['a second rollback', new RollbackExistsError('a', 'b', true), 409, 'already_rolled_back'],
    ['a late cancel', new CancelTooLateError('a', 'running', 'restart_in_progress', 'why'), 409, 'restart_in_progress'],
    ['the inventory down', new InventoryUnavailableError('down'), 503, 'inventory_unavailable'],
    ['PostgreSQL refusing connections', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 503, 'service_unavailable'],
    ['PostgreSQL shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 503, 'service_unavailable'],
    ['Redis gone', Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }), 503, 'service_unavailable'],
    ['a genuine bug', new TypeError('x is undefined'), 500, 'internal_error'],
  ])('%s -> %d %s', (_n, e, status, code) => {
    const r = toErrorResponse(e);
    expect(r.status).toBe(status);
    expect(r.body).toEqual(expect.objectContaining({ statusCode: status, error: code, message: expect.any(String) }));
    expect(Object.keys(r.body).every((k) => shapeKeys.includes(k))).toBe(true);
    if (status === 503) expect(Number(r.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('names the rollback and the active remediation in their context keys', () => {
    expect(toErrorResponse(new RollbackExistsError('a', 'b', true)).body.rollbackId).toBe('b');
    expect(toErrorResponse(new RemediationConflictError('c')).body.activeRemediationId).toBe('c');
  });

  it('drops keys outside the shape that an exception might carry', () => {
    const r = toErrorResponse(new BadRequestException({ statusCode: 400, error: 'validation_failed', message: 'm', fields: [{ field: 'a', message: 'b', extra: 1 }], stack: 'x', secret: 'y' }));
    expect(r.body).toEqual({ statusCode: 400, error: 'validation_failed', message: 'm', fields: [{ field: 'a', message: 'b' }] });
  });
});

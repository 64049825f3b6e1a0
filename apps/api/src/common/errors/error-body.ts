import { HttpStatus } from '@nestjs/common';
import type { Response } from 'express';

/** One invalid field of a request: its name (path for nested fields, or a header name) and why. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * THE error shape of this API: every 4xx and 5xx body, whatever produced it (validation, auth,
 * body parser, domain rules, unknown routes, infrastructure). `fields` names the offending
 * fields when there are any. A few errors add one documented context key (ERROR_CONTEXT_KEYS).
 */
export interface ErrorBody {
  statusCode: number;
  /** A stable snake_case code for programs (e.g. validation_failed, not_found). */
  error: string;
  /** One sentence for people. */
  message: string;
  fields?: FieldError[];
  activeRemediationId?: string;
  rollbackId?: string;
  state?: string;
}

/** Context keys an error body may carry beside the four above (each documented in the README). */
export const ERROR_CONTEXT_KEYS = ['activeRemediationId', 'rollbackId', 'state'] as const;

/** An error answer: status, body and any headers it needs (Retry-After, WWW-Authenticate). */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

const CODE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** The default code of a status: 404 -> not_found, 415 -> unsupported_media_type, ... */
export function defaultErrorCode(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string' ? name.toLowerCase() : status >= 500 ? 'internal_error' : 'bad_request';
}

export function errorResponse(status: number, error: string, message: string, extra: Partial<ErrorBody> = {}, headers?: Record<string, string>): ErrorResponse {
  return { status, body: { statusCode: status, error, message, ...extra }, headers };
}

/**
 * Brings any object an HttpException carries into the one shape: a snake_case `error`, a string
 * `message`, `fields` only as [{field, message}], and only the documented context keys.
 */
export function normaliseErrorBody(status: number, raw: unknown): ErrorBody {
  const r = (raw && typeof raw === 'object' ? raw : { message: raw }) as Record<string, unknown>;
  const error = typeof r.error === 'string' && CODE_PATTERN.test(r.error) ? r.error : defaultErrorCode(status);
  const message = Array.isArray(r.message) ? r.message.map(String).join('; ') : typeof r.message === 'string' && r.message ? r.message : defaultMessage(status);
  const body: ErrorBody = { statusCode: status, error, message };
  if (Array.isArray(r.fields)) {
    const fields = r.fields.filter((f): f is FieldError => !!f && typeof f === 'object' && typeof f.field === 'string' && typeof f.message === 'string');
    if (fields.length) body.fields = fields.map((f) => ({ field: f.field, message: f.message }));
  }
  for (const k of ERROR_CONTEXT_KEYS) if (typeof r[k] === 'string') body[k] = r[k] as string;
  return body;
}

function defaultMessage(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string' ? name.toLowerCase().replace(/_/g, ' ') : 'error';
}

/** Writes an error answer (JSON, no caching). Used by the exception filter and the body middleware. */
export function sendError(res: Response, e: ErrorResponse): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(e.headers ?? {})) res.setHeader(k, v);
  res.setHeader('Cache-Control', 'no-store');
  res.status(e.status).json(e.body);
}

import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { bodyParserErrorResponse } from '../errors/body-parser-errors';
import { errorResponse, sendError } from '../errors/error-body';
import { checkBodyShape, MAX_BODY_DEPTH } from './body-shape';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** A body is present when the request says so (Transfer-Encoding, or a non-zero Content-Length). */
function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/** 415 for a body that is not declared JSON (text/plain, forms, none at all). */
function requireJson(req: Request, res: Response, next: NextFunction): void {
  if (!hasBody(req) || req.is(JSON_TYPES)) return next();
  sendError(res, errorResponse(415, 'unsupported_media_type', 'send the request body as JSON with Content-Type: application/json'));
}

/** Body parser failures (bad JSON, too large, bad encoding or charset) in the one error shape. */
function parserErrors(limitBytes: number) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const answer = bodyParserErrorResponse(err, limitBytes);
    if (!answer) return next(err);
    sendError(res, answer);
  };
}

function shape(req: Request, res: Response, next: NextFunction): void {
  const p = checkBodyShape(req.body);
  if (!p) return next();
  if (p.kind === 'not_an_object') return sendError(res, errorResponse(400, 'validation_failed', 'the request body must be a JSON object'));
  if (p.kind === 'too_deep') {
    return sendError(res, errorResponse(400, 'validation_failed', `${p.field} is nested more than ${MAX_BODY_DEPTH} levels deep`, { fields: [{ field: p.field, message: 'nested too deeply' }] }));
  }
  if (p.kind === 'forbidden_key') return sendError(res, errorResponse(400, 'validation_failed', `forbidden key "${p.field}"`, { fields: [{ field: p.field, message: 'forbidden key' }] }));
  sendError(res, errorResponse(400, 'validation_failed', p.fields.map((f) => f.message).join('; '), { fields: p.fields }));
}

/**
 * The request-body pipeline of the API, in order: only JSON (415 otherwise), parsed with the size
 * limit (decompressing gzip/deflate/br; the limit applies after decompression), parser errors as
 * 4xx, then the shape check (object, depth, forbidden keys, no nulls).
 */
export function jsonBodyMiddleware(limitBytes: number): (RequestHandler | ((err: unknown, req: Request, res: Response, next: NextFunction) => void))[] {
  return [requireJson, express.json({ limit: limitBytes, strict: true, type: JSON_TYPES }), parserErrors(limitBytes), shape];
}

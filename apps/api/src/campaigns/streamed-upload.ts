import type { IncomingMessage } from 'http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * POST /v1/campaigns reads its own body as a stream (up to CAMPAIGN_BODY_LIMIT, JSON or
 * multipart, never whole in memory), so the global JSON body pipeline and its API_BODY_LIMIT
 * must leave that one request alone.
 */
export function isStreamedUpload(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
  return path === '/v1/campaigns';
}

type ErrorHandler = (err: unknown, req: Request, res: Response, next: NextFunction) => void;

/** The same middleware (plain or error-handling, arity kept), skipped for the streamed upload. */
export function exceptStreamedUpload(mw: RequestHandler | ErrorHandler): RequestHandler | ErrorHandler {
  if (mw.length === 4) {
    const handler = mw as ErrorHandler;
    return (err: unknown, req: Request, res: Response, next: NextFunction) => (isStreamedUpload(req) ? next(err) : handler(err, req, res, next));
  }
  const handler = mw as RequestHandler;
  return (req: Request, res: Response, next: NextFunction) => (isStreamedUpload(req) ? next() : handler(req, res, next));
}

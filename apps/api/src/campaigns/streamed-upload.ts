import type { IncomingMessage } from 'http';
import type { Request } from 'express';

/**
 * POST /v1/campaigns reads its own body as a stream (up to CAMPAIGN_BODY_LIMIT, never whole in
 * memory), so the global JSON parser and its API_BODY_LIMIT must leave that one request alone.
 */
export function isStreamedUpload(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
  return path === '/v1/campaigns';
}

/** The `type` option of the global JSON body parser: JSON, except the streamed upload. */
export function globalJsonBodyType(req: IncomingMessage): boolean {
  return !isStreamedUpload(req) && Boolean((req as Request).is('application/json'));
}

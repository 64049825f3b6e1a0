import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { redactUrl } from '@rdpfix/observability/redaction';

/**
 * One line per request: method, URL, status, time and the SSM operation. The URL is redacted
 * (keys in paths or query strings); headers are not logged at all (SigV4 Authorization, tokens).
 */
export function requestLog(log = new Logger('AgentSimHttp')) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = Date.now();
    res.once('finish', () => {
      const target = typeof req.headers['x-amz-target'] === 'string' ? ` ${req.headers['x-amz-target'].slice(0, 80)}` : '';
      log.log(`${req.method} ${redactUrl(req.originalUrl)} ${res.statusCode} ${Date.now() - started}ms${target}`);
    });
    next();
  };
}

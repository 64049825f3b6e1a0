import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CampaignInputError, CampaignInventoryError, CampaignNotFoundError, CampaignStateError } from '@rdpfix/campaigns';
import { HttpExceptionFilter } from '../common/http-exception.filter';

/**
 * Campaign errors in the API's one error shape `{statusCode, error, message, fields?}`; anything
 * else goes to the global filter. An error answered while the client is still uploading closes
 * the connection, so a 100,000-line upload is not read to its end for nothing.
 */
@Catch()
export class CampaignExceptionFilter implements ExceptionFilter {
  private readonly fallback = new HttpExceptionFilter();

  catch(e: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (!req.complete) res.setHeader('Connection', 'close');
    if (e instanceof CampaignInputError) {
      res.status(e.status).json({ statusCode: e.status, error: e.code, message: e.message, fields: e.problems });
      return;
    }
    if (e instanceof CampaignNotFoundError) {
      res.status(404).json({ statusCode: 404, error: 'not_found', message: e.message });
      return;
    }
    if (e instanceof CampaignStateError) {
      res.status(409).json({ statusCode: 409, error: 'invalid_state', message: e.message, state: e.state });
      return;
    }
    if (e instanceof CampaignInventoryError) {
      res.setHeader('Retry-After', '5');
      res.status(503).json({ statusCode: 503, error: 'inventory_unavailable', message: e.message });
      return;
    }
    this.fallback.catch(e, host);
  }
}

import { ExecutionContext, INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiKeyService, StreamTokenService } from '@rdpfix/auth';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Roles } from '../auth/auth.decorators';
import { toErrorResponse } from '../common/http-exception.filter';
import { sendError } from '../common/errors/error-body';
import { QueueBoard } from './queue-board.service';

/** Carries the route's auth metadata for the API's own guard: admin only. */
@Roles('admin')
class QueueBoardRoute {
  @Roles('admin')
  serve(): void {}
}

/**
 * Bull Board mounted on the API's Express app (not a documented API route: a dashboard), behind
 * the API's own authentication: the same ApiKeyGuard as every route (Authorization: Bearer, the
 * failed-authentication limit, admin only: no key 401, another role 403), errors in the one shape.
 */
export function queueBoardMiddleware(app: INestApplication): RequestHandler {
  const guard = new ApiKeyGuard(app.get(Reflector), app.get(ApiKeyService), app.get(AuthFailureLimiter), app.get(StreamTokenService));
  const board = app.get(QueueBoard);
  return (req: Request, res: Response, next: NextFunction) => {
    const ctx = new ExecutionContextHost([req, res, next], QueueBoardRoute, QueueBoardRoute.prototype.serve);
    ctx.setType('http');
    guard
      .canActivate(ctx as unknown as ExecutionContext)
      .then(() => board.router(req, res, next))
      .catch((err: unknown) => sendError(res, toErrorResponse(err)));
  };
}

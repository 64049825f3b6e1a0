import { All, Controller, Next, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { QUEUE_BOARD_PATH, QueueBoard } from './queue-board.service';

/**
 * /admin/queues: Bull Board, behind the API's own authentication (Authorization: Bearer <key>,
 * admin role only: no key 401, another role 403). A Nest route rather than raw Express
 * middleware, so the guards, the rate limit and the error shape apply to it like to any route.
 */
@ApiExcludeController()
@Controller(QUEUE_BOARD_PATH.slice(1))
@Roles('admin')
export class QueueBoardController {
  constructor(private readonly board: QueueBoard) {}

  @All(['', '*path'])
  serve(@Req() req: Request, @Res() res: Response, @Next() next: NextFunction): void {
    // The board is an Express app mounted at QUEUE_BOARD_PATH: hand it the path below that.
    const original = req.url;
    req.url = original.slice(QUEUE_BOARD_PATH.length) || '/';
    this.board.router(req, res, (err?: unknown) => {
      req.url = original;
      next(err);
    });
  }
}

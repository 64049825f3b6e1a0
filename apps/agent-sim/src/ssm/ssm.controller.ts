import { Body, Controller, Headers, Post, Req, Res, UseFilters } from '@nestjs/common';
import { Request, Response } from 'express';
import { AMZ_JSON, SsmExceptionFilter } from './ssm-exception.filter';
import { SsmService } from './ssm.service';

/** The AWS JSON 1.1 endpoint: every operation is `POST /` named by X-Amz-Target. */
@Controller()
@UseFilters(SsmExceptionFilter)
export class SsmController {
  constructor(private readonly ssm: SsmService) {}

  @Post()
  async handle(
    @Headers('x-amz-target') target: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    let closed = false;
    res.once('close', () => (closed = true));
    const reply = await this.ssm.reply(target, body ?? {}, authorization, { closed: () => closed || req.socket.destroyed });
    if (reply.kind === 'drop') {
      // It happened (or, held 'before', it did not), but the caller never hears so.
      req.socket.destroy();
      return;
    }
    res.status(200).setHeader('Content-Type', AMZ_JSON);
    res.send(JSON.stringify(reply.body));
  }
}

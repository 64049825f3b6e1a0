import { Body, Controller, Header, Headers, HttpCode, Post, UseFilters } from '@nestjs/common';
import { AMZ_JSON, SsmExceptionFilter } from './ssm-exception.filter';
import { SsmService } from './ssm.service';

/** The AWS JSON 1.1 endpoint: every operation is `POST /` named by X-Amz-Target. */
@Controller()
@UseFilters(SsmExceptionFilter)
export class SsmController {
  constructor(private readonly ssm: SsmService) {}

  @Post()
  @HttpCode(200)
  @Header('Content-Type', AMZ_JSON)
  handle(
    @Headers('x-amz-target') target: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Record<string, unknown> {
    return this.ssm.handle(target, body ?? {}, authorization);
  }
}

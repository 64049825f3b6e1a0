import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { Response } from 'express';
import { SsmError } from './ssm-error';

export const AMZ_JSON = 'application/x-amz-json-1.1';

/** SSM errors go out as JSON 1.1 error bodies; anything unexpected as InternalServerError. */
@Catch()
export class SsmExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('SsmExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const err =
      exception instanceof SsmError ? exception : new SsmError('InternalServerError', 'An internal error occurred in the simulator.', 500);
    if (!(exception instanceof SsmError)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    res
      .status(err.httpStatus)
      .setHeader('Content-Type', AMZ_JSON)
      .setHeader('x-amzn-ErrorType', err.type)
      .send(JSON.stringify({ __type: err.type, message: err.message }));
  }
}

import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import type { IncomingMessage } from 'http';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import { AppConfig } from '@rdpfix/config';
import { redactLogLine, redactRequestLog } from './redaction';

/** Fields that must never reach a log line (keys, webhook secrets, idempotency keys). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.webhookSecret',
  '*.key',
];

const REQUEST_LEVELS = new Set(['info', 'debug', 'trace']);

/**
 * Where log lines go: stdout by default, each serialized line passed through redactLogLine
 * first, so nothing key- or secret-shaped leaves the process whatever logged it.
 */
export function redactingDestination(out: { write(line: string): unknown } = pino.destination({ dest: process.stdout.fd ?? 1, sync: false })): DestinationStream {
  return { write: (line: string) => void out.write(redactLogLine(line)) };
}

export interface LoggingOptions {
  /** Receives every (redacted) log line; stdout by default. Tests capture logs with it. */
  destination?: { write(line: string): unknown };
}

/**
 * Structured JSON logs (pino) for every process, at LOG_LEVEL, with secrets redacted: request
 * logs by header and parameter name (redactRequestLog), every line by shape (redactingDestination).
 * HTTP requests are logged with their route, status and time, except health and metrics scrapes.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions = {}): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            // Request logs are info-level: above that, the per-request middleware is not mounted
            // at all (it costs ~15 % of the API's throughput even when it logs nothing).
            forRoutes: REQUEST_LEVELS.has(config.LOG_LEVEL) ? undefined : [{ path: '__no_request_logging__', method: RequestMethod.ALL }],
            pinoHttp: [
              {
                level: config.LOG_LEVEL,
                redact: { paths: REDACT_PATHS, censor: '[redacted]' },
                serializers: { req: redactRequestLog },
                autoLogging: { ignore: (req: IncomingMessage) => !!req.url && (req.url.startsWith('/health') || req.url === '/metrics') },
                quietReqLogger: true,
              },
              redactingDestination(options.destination),
            ],
          }),
        }),
      ],
    };
  }
}

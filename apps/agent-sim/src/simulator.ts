import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import { AdminService } from './admin/admin.service';
import { AgentSimModule } from './agent-sim.module';
import { RedactingConsoleLogger } from './logging/redacting-console-logger';
import { requestLog } from './logging/request-log.middleware';
import { SimulatorOptions, resolveOptions } from './config/simulator-options';
import { JdState } from './jdcloud';
import { AMZ_JSON } from './ssm/ssm-exception.filter';
import { SimStore } from './store/sim-store';

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:4566 — the SSM endpoint and the admin/inventory API. */
  url: string;
  port: number;
  /** Stops the server and every pending timer. Safe to call twice. */
  close(): Promise<void>;
  /** Raw state (instances, commands, invocations, faults, stats). Read freely; change via `admin`. */
  store: SimStore;
  /** The admin API's operations, in-process. */
  admin: AdminService;
  /** The JD Cloud front end's settings, faults and bookkeeping (in-process twin of /admin/jdcloud). */
  jdcloud: JdState;
  options: SimulatorOptions;
  app: INestApplication;
}

/** Starts the simulated cloud in this process (port 0 = a free port). */
export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const resolved = resolveOptions(options);
  const app = await NestFactory.create<NestExpressApplication>(AgentSimModule.forRoot(resolved), {
    // Nest's parser ignores application/x-amz-json-1.1; ours takes both JSON types, with a size cap.
    bodyParser: false,
    // Every line redacted (keys, tokens, signatures), whatever logged it.
    logger: resolved.logger ? new RedactingConsoleLogger({ logLevels: ['log', 'warn', 'error'] }) : false,
    forceCloseConnections: true,
  });
  if (resolved.logger) app.use(requestLog());
  // rawBody: the JD Cloud front end verifies signatures over the exact bytes received.
  app.use(express.json({ type: [AMZ_JSON, 'application/json'], limit: resolved.maxBodyBytes, verify: (req, _res, buf) => void ((req as { rawBody?: Buffer }).rawBody = buf) }));
  app.use(bodyErrorHandler);
  await app.listen(resolved.port, resolved.host);
  const server = app.getHttpServer() as Server;
  const port = (server.address() as AddressInfo).port;
  const host = resolved.host === '0.0.0.0' || resolved.host === '::' ? '127.0.0.1' : resolved.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    store: app.get(SimStore),
    admin: app.get(AdminService),
    jdcloud: app.get(JdState),
    options: resolved,
    app,
    close: () => (closing ??= app.close()),
  };
}

/** Malformed or oversized bodies: SSM-shaped errors for SSM calls, Nest-shaped for the rest. */
function bodyErrorHandler(err: { status?: number; message?: string }, req: Request, res: Response, next: NextFunction): void {
  if (!err) return next();
  const tooLarge = err.status === 413;
  if (req.path.startsWith('/v1/regions/')) {
    // JD Cloud's envelope for the JD front end.
    const code = tooLarge ? 413 : 400;
    res.status(code).type('application/json; charset=utf-8').send(JSON.stringify({ requestId: '', error: { code, status: 'INVALID_ARGUMENT', message: err.message ?? 'bad body' } }));
    return;
  }
  if (typeof req.headers['x-amz-target'] === 'string') {
    res
      .status(tooLarge ? 413 : 400)
      .type(AMZ_JSON)
      .send(JSON.stringify({ __type: tooLarge ? 'RequestEntityTooLargeException' : 'SerializationException', message: err.message ?? 'bad body' }));
    return;
  }
  res.status(tooLarge ? 413 : 400).json({
    statusCode: tooLarge ? 413 : 400,
    error: tooLarge ? 'Payload Too Large' : 'Bad Request',
    message: tooLarge ? 'request body is too large' : `malformed JSON body: ${err.message ?? ''}`,
  });
}

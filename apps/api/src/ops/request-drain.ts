import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'http';
import { AppConfig } from '@rdpfix/config';

/**
 * Graceful shutdown of the API: stop accepting connections, answer what is in flight (bounded by
 * SHUTDOWN_GRACE_MS), and only then let the database and Redis close. Event streams are not
 * waited for: their services end them with a final `reconnect` event. Readiness answers 503
 * from the first moment, so a load balancer stops sending traffic here.
 */
@Injectable()
export class RequestDrain implements BeforeApplicationShutdown {
  private readonly log = new Logger('ApiShutdown');
  private inFlight = 0;
  private idle?: () => void;
  private server?: Server;
  draining = false;

  constructor(private readonly config: AppConfig) {}

  attach(server: Server): void {
    this.server = server;
  }

  /** Counts requests until their response is done; streams (long-lived by design) are not counted. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (/\/events(?:\?|$)/.test(req.originalUrl ?? req.url)) return next();
      this.inFlight++;
      // While draining, a kept-alive connection is closed after this answer.
      if (this.draining) res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.inFlight--;
        if (this.inFlight === 0) this.idle?.();
      });
      next();
    };
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.draining = true;
    // No new connections; idle kept-alive ones are closed now, busy ones after their answer.
    this.server?.close();
    this.server?.closeIdleConnections?.();
    const waiting = this.inFlight;
    if (waiting > 0) {
      this.log.log(`${signal ?? 'shutdown'}: draining ${waiting} request(s) in flight (up to ${this.config.SHUTDOWN_GRACE_MS} ms)`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((r) => (this.idle = r)), new Promise<void>((r) => (timer = setTimeout(r, this.config.SHUTDOWN_GRACE_MS)))]);
      clearTimeout(timer);
    }
    if (this.inFlight > 0) this.log.warn(`grace period over with ${this.inFlight} request(s) still in flight`);
    else this.log.log(`${signal ?? 'shutdown'}: no request in flight; closing`);
  }
}

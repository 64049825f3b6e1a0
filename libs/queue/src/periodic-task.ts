import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

/**
 * A sweep that runs on a plain timer in every worker process — not a BullMQ scheduler, because it
 * must keep running when Redis lost its keys. Passes never overlap within a process; a subclass
 * that must run once across processes takes a lock in its pass.
 */
export abstract class PeriodicTask implements OnModuleInit, OnApplicationShutdown {
  protected abstract readonly log: Logger;
  private timer?: NodeJS.Timeout;
  private running = false;

  /** Milliseconds between passes. */
  protected abstract intervalMs(): number;

  /** One pass; returns how many things it did (for logs and tests). */
  protected abstract pass(): Promise<number>;

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs());
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs one pass now unless one is already running; failures are logged, never thrown. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      return await this.pass();
    } catch (err) {
      this.log.error(`${this.constructor.name} pass failed: ${(err as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}

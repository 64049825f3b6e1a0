import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

/** Every readiness check answers within this long: a dependency that hangs is "down", not a hung probe. */
export const READINESS_TIMEOUT_MS = 2000;

/**
 * The readiness checks the API and the worker share (terminus indicators): PostgreSQL answers,
 * the schema's migrations are all applied, Redis answers. The worker adds "is consuming".
 */
@Injectable()
export class ReadinessChecks {
  /** Once every migration is applied it stays so for this process (they only move forward). */
  private migrationsCurrent = false;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly ds: DataSource,
  ) {}

  postgres(): Promise<HealthIndicatorResult> {
    return this.typeorm.pingCheck('postgres', { connection: this.ds, timeout: READINESS_TIMEOUT_MS });
  }

  /** Pending migrations: the ones this build knows that the database's migrations table lacks. */
  async migrations(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('migrations');
    if (this.migrationsCurrent) return check.up();
    try {
      const table = this.ds.options.migrationsTableName ?? 'migrations';
      const rows: { name: string }[] = await withTimeout(this.ds.query(`SELECT name FROM "${table}"`), READINESS_TIMEOUT_MS, 'migrations query');
      const applied = new Set(rows.map((r) => r.name));
      const pending = this.ds.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !applied.has(n));
      if (pending.length) return check.down({ pending: pending.length, first: pending[0] });
      this.migrationsCurrent = true;
      return check.up({ applied: applied.size });
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  async redis(ping: () => Promise<unknown>): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('redis');
    try {
      await withTimeout(ping(), READINESS_TIMEOUT_MS, 'redis ping');
      return check.up();
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  /** A named yes/no check with a reason (e.g. the worker consuming its queue). */
  flag(key: string, ok: boolean, detail: Record<string, unknown> = {}): HealthIndicatorResult {
    const check = this.indicators.check(key);
    return ok ? check.up(detail) : check.down(detail);
  }
}

/** `p`, or a rejection once `ms` have passed; the timer is cleared either way. `what` may be read late (a log tail). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${typeof what === 'function' ? what() : what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** PING on a BullMQ queue's own Redis connection (ioredis under BullMQ's client interface). */
export async function pingQueueRedis(queue: { backend: { client: Promise<unknown> } }): Promise<unknown> {
  const client = (await queue.backend.client) as { ping(): Promise<string> };
  return client.ping();
}

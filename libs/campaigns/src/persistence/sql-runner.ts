import type { PoolClient } from 'pg';
import { EntityManager } from 'typeorm';

/** Runs SQL on whatever holds the transaction: a raw pg client or a TypeORM EntityManager. */
export type SqlRunner = (sql: string, params?: unknown[]) => Promise<Record<string, any>[]>;

export function runnerOf(on: PoolClient | EntityManager): SqlRunner {
  if (on instanceof EntityManager) {
    return async (sql, params) => {
      const res = await on.query(sql, params as unknown[]);
      // UPDATE … RETURNING through TypeORM comes back as [rows, count].
      return Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number' ? res[0] : res;
    };
  }
  return async (sql, params) => (await on.query(sql, params as unknown[])).rows;
}

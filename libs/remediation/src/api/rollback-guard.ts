import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';

/** The partial unique index of migration 1764300000000: one live or successful rollback per remediation. */
export const ONE_ROLLBACK_INDEX = 'uq_remediations_one_rollback';

/**
 * A remediation may be rolled back once: while a rollback of it runs, or after one succeeded,
 * another is refused. (A refused, failed or cancelled rollback changed nothing that needs
 * protecting, so it may be tried again.) PostgreSQL enforces the same rule with ONE_ROLLBACK_INDEX,
 * so two concurrent requests cannot both create one.
 */
@Injectable()
export class RollbackGuard {
  constructor(private readonly ds: DataSource) {}

  /** The rollback that blocks another one, if any. */
  async blocking(originalId: string): Promise<{ id: string; finished: boolean } | null> {
    const rows: { id: string; state: string }[] = await this.ds.query(
      `SELECT id, state FROM remediations
        WHERE rollback_of = $1 AND (state <> 'finished' OR outcome = 'rolled_back')
        ORDER BY created_at DESC LIMIT 1`,
      [originalId],
    );
    return rows[0] ? { id: rows[0].id, finished: rows[0].state === 'finished' } : null;
  }

  static isViolation(err: unknown): boolean {
    const e = err as { code?: string; constraint?: string; driverError?: { constraint?: string } };
    return err instanceof QueryFailedError && e.code === '23505' && (e.driverError?.constraint ?? e.constraint) === ONE_ROLLBACK_INDEX;
  }
}

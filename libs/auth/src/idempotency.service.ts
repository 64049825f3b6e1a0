import { Injectable } from '@nestjs/common';
import { createHash } from 'crypto';
import { EntityManager, QueryFailedError } from 'typeorm';
import { IdempotencyKeyEntity } from '@rdpfix/persistence';

/** Canonical JSON (sorted keys) so the same body in another key order hashes the same. */
export function requestHash(body: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canon(body))).digest('hex');
}

export class IdempotencyMismatchError extends Error {
  constructor() {
    super('this Idempotency-Key was already used with a different request body');
  }
}

/** Idempotency-Key bookkeeping, inside the caller's transaction. */
@Injectable()
export class IdempotencyService {
  /**
   * Serialises requests carrying the same (API key, Idempotency-Key) until the transaction ends,
   * so a concurrent retry waits for the first one and then replays it instead of racing it.
   */
  async lock(m: EntityManager, apiKeyId: string, key: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`idem:${apiKeyId}:${key}`]);
  }

  async find(m: EntityManager, apiKeyId: string, key: string): Promise<IdempotencyKeyEntity | null> {
    return m.getRepository(IdempotencyKeyEntity).createQueryBuilder('i')
      .where('i.api_key_id = :apiKeyId AND i.idempotency_key = :key AND i.expires_at > now()', { apiKeyId, key })
      .getOne();
  }

  /** Records the key; throws QueryFailedError 23505 if a concurrent request recorded it first. */
  async record(m: EntityManager, row: Omit<IdempotencyKeyEntity, 'createdAt'>): Promise<void> {
    await m.query(`DELETE FROM idempotency_keys WHERE api_key_id = $1 AND idempotency_key = $2 AND expires_at <= now()`, [row.apiKeyId, row.idempotencyKey]);
    await m.getRepository(IdempotencyKeyEntity).insert(row);
  }

  static isDuplicate(err: unknown): boolean {
    return err instanceof QueryFailedError && (err as unknown as { code?: string }).code === '23505';
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { Actor, TimelineEventEntity } from '../entities';
import { fromRow } from './row-mapping';
import { columnList, preparedQuery } from './prepared-query';

export interface NewEvent {
  remediationId: string;
  type: string;
  message: string;
  step?: string | null;
  data?: Record<string, unknown> | null;
  actor?: Actor | null;
}

@Injectable()
export class TimelineRepository {
  constructor(private readonly ds: DataSource) {}

  /** One INSERT (repository.save would wrap it in a transaction of its own: three round trips). */
  async append(e: NewEvent, m?: EntityManager): Promise<TimelineEventEntity> {
    const meta = this.ds.getMetadata(TimelineEventEntity);
    const rows = await preparedQuery(
      this.ds,
      `INSERT INTO timeline_events (remediation_id, type, step, message, data, actor) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING ${columnList(meta)}`,
      [e.remediationId, e.type, e.step ?? null, e.message, jsonOrNull(e.data), jsonOrNull(e.actor)],
      m,
    );
    return fromRow<TimelineEventEntity>(meta, rows[0]);
  }

  list(remediationId: string, afterId?: string, limit = 500): Promise<TimelineEventEntity[]> {
    const where = afterId ? { remediationId, id: MoreThan(afterId) } : { remediationId };
    return this.ds.getRepository(TimelineEventEntity).find({ where, order: { id: 'ASC' }, take: limit });
  }
}

function jsonOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

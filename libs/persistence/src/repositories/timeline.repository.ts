import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { Actor, TimelineEventEntity } from '../entities';

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

  async append(e: NewEvent, m?: EntityManager): Promise<TimelineEventEntity> {
    const repo = (m ?? this.ds.manager).getRepository(TimelineEventEntity);
    return repo.save(
      repo.create({ remediationId: e.remediationId, type: e.type, message: e.message, step: e.step ?? null, data: e.data ?? null, actor: e.actor ?? null }),
    );
  }

  list(remediationId: string, afterId?: string, limit = 500): Promise<TimelineEventEntity[]> {
    const where = afterId ? { remediationId, id: MoreThan(afterId) } : { remediationId };
    return this.ds.getRepository(TimelineEventEntity).find({ where, order: { id: 'ASC' }, take: limit });
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { CommandRunEntity, CommandRunStatus } from '../entities';

@Injectable()
export class CommandRunRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(CommandRunEntity);
  }

  find(remediationId: string, purpose: string, attempt: number): Promise<CommandRunEntity | null> {
    return this.repo.findOne({ where: { remediationId, purpose, attempt } });
  }

  findById(id: string): Promise<CommandRunEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  listForRemediation(remediationId: string): Promise<CommandRunEntity[]> {
    return this.repo.find({ where: { remediationId }, order: { requestedAt: 'ASC' } });
  }

  /** Inserts the request row; if another worker inserted it first, returns theirs. */
  async insertOrGet(row: Partial<CommandRunEntity>): Promise<CommandRunEntity> {
    try {
      return await this.repo.save(this.repo.create(row));
    } catch (err) {
      if (err instanceof QueryFailedError && (err as unknown as { code?: string }).code === '23505') {
        const existing = await this.find(row.remediationId!, row.purpose!, row.attempt ?? 1);
        if (existing) return existing;
      }
      throw err;
    }
  }

  /** Compare-and-set on status: only one worker can move a run from `from` to the next status. */
  async transition(id: string, from: CommandRunStatus[], patch: Partial<CommandRunEntity>): Promise<boolean> {
    const res = await this.repo
      .createQueryBuilder()
      .update(CommandRunEntity)
      .set(patch as never)
      .where('id = :id AND status IN (:...from)', { id, from })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  async update(id: string, patch: Partial<CommandRunEntity>): Promise<void> {
    await this.repo.update({ id }, patch as never);
  }
}

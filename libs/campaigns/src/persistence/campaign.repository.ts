import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { formatAmount } from '../domain/amount';
import type { RatePlan } from '../domain/rate-plan';
import { CampaignActor, CampaignEntity, TargetSource } from '../entities';
import type { CampaignParams } from '../intake/campaign-params';
import { runnerOf, SqlRunner } from './sql-runner';

type On = PoolClient | EntityManager;

/** SQL about campaign rows. Counters are only written by whoever holds the row lock (FOR UPDATE). */
@Injectable()
export class CampaignRepository {
  constructor(private readonly ds: DataSource) {}

  private q(on?: On): SqlRunner {
    return runnerOf(on ?? this.ds.manager);
  }

  /** Maps a raw snake_case row onto the entity by the entity's own metadata. */
  fromRow(raw: Record<string, unknown>): CampaignEntity {
    const repo = this.ds.getRepository(CampaignEntity);
    const e = repo.create();
    for (const col of repo.metadata.columns) (e as unknown as Record<string, unknown>)[col.propertyName] = raw[col.databaseName];
    return e;
  }

  async findById(id: string, on?: On): Promise<CampaignEntity | null> {
    const rows = await this.q(on)(`SELECT * FROM campaigns WHERE id = $1`, [id]);
    return rows[0] ? this.fromRow(rows[0]) : null;
  }

  /**
   * Locks the campaign row for this transaction: every tick, pause, cancel and approval of one
   * campaign is serialised here, which is what keeps the cap exact across workers. With
   * `skipLocked` a busy campaign returns null instead of waiting (the safety pass uses it).
   */
  async lock(m: EntityManager, id: string, skipLocked = false): Promise<CampaignEntity | null> {
    const rows = await this.q(m)(`SELECT * FROM campaigns WHERE id = $1 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`, [id]);
    return rows[0] ? this.fromRow(rows[0]) : null;
  }

  /**
   * The campaign row, written once its targets are frozen: parameters as given, the absolute
   * numbers, the counters, and its waves. A campaign with no eligible target is completed at once.
   */
  async insertCreated(
    client: PoolClient,
    c: {
      id: string;
      params: CampaignParams;
      parentId: string | null;
      tenantId: string | null;
      actor: CampaignActor;
      callbackUrl: string | null;
      targetSource: TargetSource;
      counts: { input: number; eligible: number; excluded: number; excludedOutcomes: number };
      plan: RatePlan;
      /** Sorted (the creator sorts them once). */
      regions: string[];
    },
  ): Promise<void> {
    const p = c.params;
    const n = c.counts;
    const counts = { pending: n.eligible, running: 0, parked: 0, approved: 0, done: 0, excluded: n.excluded };
    const outcomes = n.excludedOutcomes ? { skipped: n.excludedOutcomes } : {};
    await client.query(
      `INSERT INTO campaigns (id, name, parent_id, mode, strategy, allow_reboot, license_server, licensing_mode, tenant_id, actor, callback_url,
                              target_source, state, finished_at, input_count, target_count, excluded_count, max_concurrency_spec, max_concurrency,
                              max_errors_spec, max_errors, max_unreachable_spec, max_unreachable, waves, wave_bake_s, counts, outcomes, regions)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10::jsonb,$11,$12::jsonb,
               CASE WHEN $14::int = 0 THEN 'completed' ELSE 'running' END, CASE WHEN $14::int = 0 THEN now() END,
               $13,$14,$15,$16,$17,$18,$19,$20,$21,$22::jsonb,$23,$24::jsonb,$25::jsonb,$26::varchar[])`,
      [
        c.id,
        p.name,
        c.parentId,
        p.mode,
        p.strategy,
        p.allowReboot,
        p.licenseServer,
        p.licensingMode,
        c.tenantId,
        JSON.stringify(c.actor),
        c.callbackUrl,
        JSON.stringify(c.targetSource),
        n.input,
        n.eligible,
        n.excluded,
        formatAmount(p.maxConcurrency),
        c.plan.maxConcurrency.value,
        formatAmount(p.maxErrors),
        c.plan.maxErrors.value,
        formatAmount(p.maxUnreachable),
        c.plan.maxUnreachable.value,
        JSON.stringify(c.plan.waves),
        p.waveBakeS,
        JSON.stringify(counts),
        JSON.stringify(outcomes),
        c.regions,
      ],
    );
    if (n.eligible > 0) {
      await client.query(
        `INSERT INTO campaign_waves (campaign_id, wave, spec, cumulative, size)
         SELECT $1, w.wave, w.spec, w.cumulative, w.size FROM jsonb_to_recordset($2::jsonb) AS w(wave int, spec text, cumulative int, size int)`,
        [c.id, JSON.stringify(c.plan.waves)],
      );
    }
  }

  /** Writes the given columns (snake_case) of a locked campaign and bumps its version. */
  async update(m: EntityManager, id: string, patch: Record<string, unknown>): Promise<void> {
    const cols = Object.keys(patch);
    if (cols.length === 0) return;
    const sets = cols.map((c, i) => `${c} = $${i + 2}${JSON_COLUMNS.has(c) ? '::jsonb' : ''}`);
    const params = cols.map((c) => (JSON_COLUMNS.has(c) && patch[c] !== null ? JSON.stringify(patch[c]) : patch[c]));
    await this.q(m)(`UPDATE campaigns SET ${sets.join(', ')}, updated_at = now(), version = version + 1 WHERE id = $1`, [id, ...params]);
  }

  /** Campaigns the scheduler still has work on. */
  async listActiveIds(limit = 1000): Promise<{ id: string; state: string }[]> {
    return (await this.q()(
      `SELECT id, state FROM campaigns WHERE state IN ('running','paused','stopping','cancelling') ORDER BY updated_at LIMIT $1`,
      [limit],
    )) as { id: string; state: string }[];
  }

  /** Newest first, keyset pagination; a tenant scope sees only its tenant's campaigns. */
  async list(f: { tenantId: string | null; limit: number; after?: { createdAt: string; id: string } }): Promise<CampaignEntity[]> {
    const params: unknown[] = [f.limit];
    const where: string[] = [];
    if (f.tenantId !== null) {
      params.push(f.tenantId);
      where.push(`tenant_id = $${params.length}`);
    }
    if (f.after) {
      params.push(f.after.createdAt, f.after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const rows = await this.q()(
      `SELECT * FROM campaigns ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    );
    return rows.map((r) => this.fromRow(r));
  }
}

const JSON_COLUMNS = new Set(['counts', 'outcomes', 'stop', 'waves', 'actor', 'target_source']);

import { once } from 'events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { InventoryQuery, InventoryRecord } from '@rdpfix/channel';
import { CampaignInventoryError } from '../domain/field-error';
import { REGION_SYNTAX } from '../intake/known-regions';
import { INSTANCE_ID_PATTERN } from '../intake/target-row';

/** A row to stage: the target as given (line = position), with its attempt number for retries. */
export interface StageInput {
  line: number;
  instanceId: string;
  region: string | null;
  attempt?: number;
}

/** COPY text format: backslash, tab, newline and carriage return are escaped; null is \N. */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyText(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const s = String(v);
  // Almost every value needs no escaping: test once instead of replacing.
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export const STAGE_TABLE = 'campaign_stage';
const WINDOWS = /windows/i;

/**
 * Streams targets into a temporary table (COPY, dropped at commit or rollback) together with what
 * the inventory says about each: rows are looked up 1,000 ids at a time, a few lookups in flight
 * while parsing goes on, and written in order. Memory holds at most `parallel` chunks.
 */
export class StageWriter {
  private copy!: NodeJS.WritableStream & { destroy(err?: Error): void };
  private readonly queue: Promise<string>[] = [];
  private chunk: StageInput[] = [];
  private copyError: Error | null = null;
  rows = 0;
  /** The first row given without a region (file rows may take the campaign's), or null. */
  firstLineWithoutRegion: number | null = null;
  /** Time spent waiting for inventory lookups and for COPY (ms), for the timing log. */
  waitLookupMs = 0;
  waitCopyMs = 0;
  lookupMs = 0;

  constructor(
    private readonly client: PoolClient,
    private readonly inventory: InventoryQuery,
    private readonly opts: { chunkSize: number; parallel: number },
  ) {}

  async open(): Promise<void> {
    await this.client.query(`CREATE TEMP TABLE ${STAGE_TABLE} (
        line int NOT NULL, instance_id varchar(32) NOT NULL, region varchar(32), found boolean NOT NULL,
        inv_tenant text, inv_region text, is_windows boolean, inv_state text, tags jsonb, attempt int NOT NULL
      ) ON COMMIT DROP`);
    this.copy = this.client.query(
      copyFrom(`COPY ${STAGE_TABLE} (line, instance_id, region, found, inv_tenant, inv_region, is_windows, inv_state, tags, attempt) FROM STDIN`),
    ) as never;
    (this.copy as unknown as NodeJS.EventEmitter).on('error', (err: Error) => (this.copyError ??= err));
  }

  /** Targets as given: looked up in the inventory by id. */
  async add(rows: StageInput[]): Promise<void> {
    for (const r of rows) {
      if (r.region === null && this.firstLineWithoutRegion === null) this.firstLineWithoutRegion = r.line;
      this.chunk.push(r);
      if (this.chunk.length >= this.opts.chunkSize) await this.launch();
    }
  }

  /** Records the inventory already returned (a filter listing): written as they are. */
  async addRecords(records: InventoryRecord[]): Promise<void> {
    const lines = records.map((rec) => {
      // What the inventory lists goes into COPY as is, so it must look like what a client may send.
      if (!INSTANCE_ID_PATTERN.test(rec.instanceId) || !REGION_SYNTAX.test(rec.region)) {
        throw new CampaignInventoryError(`the cloud inventory listed an instance that does not look like one: ${JSON.stringify(rec.instanceId).slice(0, 60)}`);
      }
      this.rows++;
      return this.line({ line: this.rows, instanceId: rec.instanceId, region: rec.region }, rec);
    });
    await this.write(lines.join(''));
  }

  async close(): Promise<number> {
    if (this.chunk.length) await this.launch();
    while (this.queue.length) await this.writeHead();
    this.copy.end();
    await once(this.copy as unknown as NodeJS.EventEmitter, 'finish');
    if (this.copyError) throw this.copyError;
    return this.rows;
  }

  private async launch(): Promise<void> {
    const rows = this.chunk;
    this.chunk = [];
    this.rows += rows.length;
    const p = this.enrich(rows);
    p.catch(() => undefined); // awaited in order by writeHead; avoid an unhandled rejection meanwhile
    this.queue.push(p);
    if (this.queue.length >= this.opts.parallel) await this.writeHead();
  }

  private async writeHead(): Promise<void> {
    const t = Date.now();
    const text = await this.queue.shift()!;
    this.waitLookupMs += Date.now() - t;
    await this.write(text);
  }

  private async write(text: string): Promise<void> {
    if (this.copyError) throw this.copyError;
    if (!text) return;
    if (!this.copy.write(text)) {
      const t = Date.now();
      await once(this.copy as unknown as NodeJS.EventEmitter, 'drain');
      this.waitCopyMs += Date.now() - t;
    }
  }

  private async enrich(rows: StageInput[]): Promise<string> {
    let found: InventoryRecord[];
    const t = Date.now();
    try {
      found = await this.inventory.lookup([...new Set(rows.map((r) => r.instanceId))]);
      this.lookupMs += Date.now() - t;
    } catch (err) {
      throw new CampaignInventoryError(`the cloud inventory could not be asked: ${(err as Error).message}`);
    }
    const byId = new Map(found.map((r) => [r.instanceId, r]));
    return rows.map((r) => this.line(r, byId.get(r.instanceId) ?? null)).join('');
  }

  private line(r: StageInput, rec: InventoryRecord | null): string {
    const tags = rec?.tags && Object.keys(rec.tags).length ? JSON.stringify(rec.tags) : null;
    // Instance ids and regions were validated by pattern: nothing in them needs escaping.
    // is_windows is decided here, not by a case-insensitive regex per row in SQL (a third of the insert's time).
    return `${r.line}\t${r.instanceId}\t${r.region ?? '\\N'}\t${rec ? 't' : 'f'}\t${copyText(rec?.tenantId)}\t${copyText(rec?.region)}\t${rec ? (WINDOWS.test(rec.platform) ? 't' : 'f') : '\\N'}\t${copyText(rec?.state)}\t${copyText(tags)}\t${r.attempt ?? 1}\n`;
  }
}

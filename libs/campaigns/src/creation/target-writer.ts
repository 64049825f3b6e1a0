import { once } from 'events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { InventoryQuery, InventoryRecord } from '@rdpfix/channel';
import { CampaignInputError, CampaignInventoryError } from '../domain/field-error';
import { REGION_SYNTAX } from '../intake/known-regions';
import { INSTANCE_ID_PATTERN, RowNaming, rowLabel } from '../intake/target-row';

/** A row to write: the target as given (line = position), with its attempt number for retries. */
export interface TargetRowInput {
  line: number;
  instanceId: string;
  region: string | null;
  attempt?: number;
}

/** COPY text format: backslash, tab, newline and carriage return are escaped; null is \N. */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const WINDOWS = /windows/i;

export function copyText(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const s = String(v);
  // Almost every value needs no escaping: test once instead of replacing.
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * Why the inventory says an instance cannot run (before exclusions, which are applied in SQL once
 * every parameter is known). Pure. Another tenant's instance, for a tenant-bound key, looks
 * exactly like one that does not exist.
 */
export function inventoryReason(rec: InventoryRecord | null, region: string, scopeTenant: string | null): string | null {
  if (!rec || (scopeTenant !== null && rec.tenantId !== scopeTenant)) return 'not_found';
  if (rec.region !== region) return 'region_mismatch';
  if (!WINDOWS.test(rec.platform)) return 'not_windows';
  if (rec.state === 'stopped' || rec.state === 'stopping') return 'stopped';
  if (rec.state !== 'running') return 'not_running';
  return null;
}

export interface TargetWriterOptions {
  campaignId: string;
  scopeTenant: string | null;
  naming: RowNaming;
  /** The campaign's `region`, for file rows that name none (null while not known). */
  defaultRegion: () => string | null;
  chunkSize: number;
  parallel: number;
}

/**
 * Streams targets straight into campaign_targets (COPY, in the creating transaction) while they
 * are parsed: each chunk of ids is looked up in the inventory first (a few lookups in flight,
 * rows written in order), and each row carries the inventory's reason it cannot run, if any, its
 * owner and its tags. Exclusions and active remediations are applied afterwards in SQL
 * (CampaignCreator). Memory holds at most `parallel` chunks; PostgreSQL ingests while we parse.
 */
export class TargetWriter {
  private copy!: NodeJS.WritableStream & { destroy(err?: Error): void };
  private readonly queue: Promise<string>[] = [];
  private chunk: TargetRowInput[] = [];
  private copyError: Error | null = null;
  rows = 0;
  /** Regions of the rows the inventory did not rule out (a handful: regions are validated). */
  readonly regions = new Set<string>();
  /** Time spent waiting for inventory lookups and for COPY (ms), for the timing log. */
  waitLookupMs = 0;
  waitCopyMs = 0;
  lookupMs = 0;

  constructor(
    private readonly client: PoolClient,
    private readonly inventory: InventoryQuery,
    private readonly opts: TargetWriterOptions,
  ) {}

  open(): void {
    this.copy = this.client.query(
      copyFrom(`COPY campaign_targets (campaign_id, seq, instance_id, region, tenant_id, state, reason, attempt, tags) FROM STDIN`),
    ) as never;
    (this.copy as unknown as NodeJS.EventEmitter).on('error', (err: Error) => (this.copyError ??= err));
  }

  /** Targets as given: looked up in the inventory by id. */
  async add(rows: TargetRowInput[]): Promise<void> {
    for (const r of rows) {
      if (r.region === null) {
        const d = this.opts.defaultRegion();
        if (!d) {
          const at = rowLabel(this.opts.naming, r.line);
          throw CampaignInputError.of(at, `${at}: no region (add a region column to the file, or send the spec part, with a region, before the file)`);
        }
        r.region = d;
      }
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

  private async enrich(rows: TargetRowInput[]): Promise<string> {
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

  /** One COPY line: pending, with the inventory's reason it cannot run (applied after the checks). */
  private line(r: TargetRowInput, rec: InventoryRecord | null): string {
    const region = r.region!;
    const reason = inventoryReason(rec, region, this.opts.scopeTenant);
    if (reason === null) this.regions.add(region);
    const tenant = rec && reason !== 'not_found' ? rec.tenantId : null;
    const tags = rec?.tags && Object.keys(rec.tags).length ? JSON.stringify(rec.tags) : null;
    // Instance ids and regions were validated by pattern: nothing in them needs escaping.
    return `${this.opts.campaignId}\t${r.line}\t${r.instanceId}\t${region}\t${copyText(tenant)}\tpending\t${reason ?? '\\N'}\t${r.attempt ?? 1}\t${copyText(tags)}\n`;
  }
}

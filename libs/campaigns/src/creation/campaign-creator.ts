import { randomUUID } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import type { Readable } from 'stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'zlib';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource } from 'typeorm';
import { INVENTORY_QUERY, InventoryPage, InventoryQuery } from '@rdpfix/channel';
import { AppConfig } from '@rdpfix/config';
import type { Principal } from '@rdpfix/domain';
import { callbackUrlPolicy, validateCallbackUrl } from '@rdpfix/webhooks';
import { CampaignInputError, CampaignInventoryError } from '../domain/field-error';
import { RatePlan, ratePlan } from '../domain/rate-plan';
import { CampaignActor, CampaignEntity, TargetSource } from '../entities';
import { CampaignParams, parseCampaignParams, TargetFilter } from '../intake/campaign-params';
import { readMultipartCampaign } from '../intake/file-intake';
import { IntakeResult, readJsonCampaign } from '../intake/json-intake';
import { knownRegions } from '../intake/known-regions';
import { RowNaming, rowLabel } from '../intake/target-row';
import { CampaignRepository } from '../persistence/campaign.repository';
import { rawClient } from '../persistence/pg-client';
import { CampaignWaker } from '../scheduler/campaign-waker';
import { EXCLUDE_ACTIVE_SQL, excludeSql } from './exclusions';
import { TargetRowInput, TargetWriter } from './target-writer';

export interface Exclusion {
  instanceId: string;
  region: string;
  reason: string;
}

export interface CreationOutcome {
  preview: boolean;
  /** null for a preview: nothing was created. */
  campaign: CampaignEntity | null;
  counts: { input: number; eligible: number; excluded: number; excludedByReason: Record<string, number>; regions: string[] };
  plan: RatePlan;
  /** The first excluded instances with their reason (all of them are in the report). */
  exclusions: Exclusion[];
  /** The first eligible instances, in the order they will start. */
  sample: { instanceId: string; region: string }[];
}

/** Retry overrides: any rate-control field may change; what is done and how stays the parent's. */
export interface RetryOverrides {
  maxConcurrency?: unknown;
  maxErrors?: unknown;
  maxUnreachable?: unknown;
  waves?: unknown;
  waveBakeSeconds?: unknown;
  name?: unknown;
}

interface Feed {
  naming: RowNaming;
  /** Parses the body into the stage; returns the raw parameters. */
  run(sink: (rows: TargetRowInput[]) => Promise<void>, onSpec: (raw: Record<string, unknown>) => void): Promise<IntakeResult>;
  /** Parameters from the raw body fields (the retry path builds them from the parent). */
  params(raw: Record<string, unknown>): CampaignParams;
  source(p: CampaignParams, raw: IntakeResult): TargetSource;
  parentId: string | null;
}

const EXCLUSIONS_SHOWN = 100;
const SAMPLE_SHOWN = 20;

/**
 * Creates a campaign from a streamed body (JSON list, uploaded file or inventory filter) or as a
 * retry of another: stage → check → freeze, all in ONE transaction on one connection, so bad
 * input writes nothing. The whole list is never in memory: rows go from the parser through the
 * inventory lookup into COPY, and the checks are set-based SQL over the staged rows.
 */
@Injectable()
export class CampaignCreator {
  private readonly log = new Logger(CampaignCreator.name);
  private readonly regions: ReadonlySet<string>;
  private readonly checkCallbackUrl: (url: string) => string | null;

  constructor(
    private readonly config: AppConfig,
    private readonly ds: DataSource,
    private readonly campaigns: CampaignRepository,
    private readonly waker: CampaignWaker,
    @Inject(INVENTORY_QUERY) private readonly inventory: InventoryQuery,
  ) {
    this.regions = knownRegions(config);
    const policy = callbackUrlPolicy(config);
    this.checkCallbackUrl = (u) => {
      const r = validateCallbackUrl(u, policy);
      return r.ok ? null : r.reason;
    };
  }

  /** POST /v1/campaigns: `application/json` or `multipart/form-data` (spec + targets file). */
  fromRequest(headers: IncomingHttpHeaders, raw: Readable, who: Principal, preview: boolean): Promise<CreationOutcome> {
    const type = String(headers['content-type'] ?? '').toLowerCase();
    const body = decoded(raw, headers['content-encoding']);
    const intake = { limit: this.config.CAMPAIGN_BODY_LIMIT, maxTargets: this.config.CAMPAIGN_MAX_TARGETS, regions: this.regions };
    let feed: Feed;
    if (/^application\/json\b/.test(type)) {
      feed = {
        naming: 'json',
        run: (sink) => readJsonCampaign(body, { ...intake, sink }),
        params: (raw) => parseCampaignParams(raw, { regions: this.regions, checkCallbackUrl: this.checkCallbackUrl }),
        source: (p, r) => this.sourceOf(r.hasTargets ? 'list' : 'filter', p),
        parentId: null,
      };
    } else if (/^multipart\/form-data\b/.test(type)) {
      feed = {
        naming: 'file',
        run: (sink, onSpec) => readMultipartCampaign(headers, body, { ...intake, sink, onSpec }),
        params: (raw) => parseCampaignParams(raw, { regions: this.regions, checkCallbackUrl: this.checkCallbackUrl }),
        source: (p, r) => this.sourceOf(r.hasTargets ? 'file' : 'filter', p),
        parentId: null,
      };
    } else {
      throw CampaignInputError.of('content-type', 'send application/json (targets list or filter) or multipart/form-data (spec + targets file)', 415, 'unsupported_media_type');
    }
    return this.create(feed, who, preview);
  }

  /** A child campaign of `parent` over its targets whose outcome is in `outcomes`. */
  retry(parent: CampaignEntity, outcomes: string[], overrides: RetryOverrides, who: Principal): Promise<CreationOutcome> {
    const raw: Record<string, unknown> = {
      name: overrides.name ?? (parent.name ? `${parent.name} (retry)`.slice(0, 200) : null),
      mode: parent.mode,
      strategy: parent.strategy,
      allowReboot: parent.allowReboot,
      ...(parent.licenseServer ? { licenseServer: parent.licenseServer } : {}),
      ...(parent.licensingMode ? { licensingMode: parent.licensingMode } : {}),
      maxConcurrency: overrides.maxConcurrency ?? parent.maxConcurrencySpec,
      maxErrors: overrides.maxErrors ?? parent.maxErrorsSpec,
      maxUnreachable: overrides.maxUnreachable ?? parent.maxUnreachableSpec,
      waves: overrides.waves ?? (parent.waves.length > 1 ? parent.waves.map((w) => w.spec) : undefined),
      waveBakeSeconds: overrides.waveBakeSeconds ?? parent.waveBakeS,
      ...(parent.callbackUrl ? { callbackUrl: parent.callbackUrl } : {}),
    };
    const feed: Feed = {
      naming: 'file',
      run: async (sink) => ({ params: raw, count: await this.streamParentTargets(parent, outcomes, sink), hasTargets: true }),
      params: (r) => parseCampaignParams(r, { regions: this.regions, checkCallbackUrl: () => null }),
      source: () => ({ kind: 'retry', retryOf: { campaignId: parent.id, outcomes } }),
      parentId: parent.id,
    };
    return this.create(feed, who, false);
  }

  private sourceOf(kind: 'list' | 'file' | 'filter', p: CampaignParams): TargetSource {
    return {
      kind,
      filter: p.filter,
      exclude: p.exclude.instanceIds.length || p.exclude.filters.length ? { instanceIds: p.exclude.instanceIds.length, filters: p.exclude.filters } : null,
    };
  }

  private async create(feed: Feed, who: Principal, preview: boolean): Promise<CreationOutcome> {
    const { client, release } = await rawClient(this.ds);
    let failure: Error | undefined;
    const t0 = Date.now();
    const marks: string[] = [];
    const mark = (what: string) => marks.push(`${what} +${Date.now() - t0} ms`);
    try {
      await client.query('BEGIN');
      // The checks are big statements over the campaign's rows: JIT compilation would cost more than it saves.
      await client.query('SET LOCAL jit = off');
      const id = randomUUID();
      const scope = who.role !== 'admin' && who.role !== 'support' ? who.tenantId : null;
      // A multipart spec read before the file gives file rows without a region theirs.
      let early: CampaignParams | null = null;
      const writer = new TargetWriter(client, this.inventory, { campaignId: id, scopeTenant: scope, naming: feed.naming, defaultRegion: () => early?.region ?? null, chunkSize: 1000, parallel: 6 });
      writer.open();
      const fed = await feed.run(
        (rows) => writer.add(rows),
        (raw) => (early = feed.params(raw)),
      );
      const params = early ?? feed.params(fed.params);
      if (fed.hasTargets && params.filter) throw CampaignInputError.of('filter', 'give either targets (a list or a file) or a filter, not both');
      if (!fed.hasTargets) {
        if (!params.filter) throw CampaignInputError.of('targets', 'give the targets: a list, an uploaded file, or an inventory filter');
        if (scope && params.filter.tenantId !== undefined && params.filter.tenantId !== scope) {
          throw CampaignInputError.of('filter.tenantId', `this API key only sees tenant ${scope}`);
        }
        await this.stageFilter(writer, { ...params.filter, ...(scope ? { tenantId: scope } : {}) });
      }
      const input = await writer.close();
      mark(`written (waited ${writer.waitLookupMs} ms for inventory lookups taking ${writer.lookupMs} ms in all, ${writer.waitCopyMs} ms for COPY)`);
      await this.checkDuplicates(client, id, feed.naming);
      mark('checked');

      const excludedByReason: Record<string, number> = {};
      const ex = excludeSql({ campaignId: id, excludeIds: params.exclude.instanceIds, excludeFilters: params.exclude.filters });
      for (const q of [ex, { sql: EXCLUDE_ACTIVE_SQL, params: [id] }]) {
        for (const r of (await client.query(q.sql, q.params)).rows as { reason: string }[]) excludedByReason[r.reason] = (excludedByReason[r.reason] ?? 0) + 1;
      }
      const excluded = Object.values(excludedByReason).reduce((a, b) => a + b, 0);
      const eligible = input - excluded;
      mark('excluded');
      const actor: CampaignActor = { keyId: who.keyId, role: who.role, source: 'campaign' };
      const plan = ratePlan(params, eligible);
      const regions = [...writer.regions].sort();
      await this.campaigns.insertCreated(client, {
        id,
        params,
        parentId: feed.parentId,
        tenantId: scope,
        actor,
        callbackUrl: params.callbackUrl ?? who.defaultCallbackUrl,
        targetSource: feed.source(params, fed),
        counts: { input, eligible, excluded, excludedOutcomes: excluded },
        plan,
        regions,
      });
      const exclusions: Exclusion[] = excluded
        ? (await client.query(`SELECT instance_id AS "instanceId", region, reason FROM campaign_targets WHERE campaign_id = $1 AND state = 'excluded' ORDER BY seq LIMIT ${EXCLUSIONS_SHOWN}`, [id])).rows
        : [];
      const sample = preview
        ? (await client.query(`SELECT instance_id AS "instanceId", region FROM campaign_targets WHERE campaign_id = $1 AND state = 'pending' ORDER BY seq LIMIT ${SAMPLE_SHOWN}`, [id])).rows
        : [];
      const campaign = preview ? null : await this.campaigns.findById(id, client);
      mark('samples');
      await client.query(preview ? 'ROLLBACK' : 'COMMIT');
      mark('committed');
      this.log.debug(`campaign ${preview ? 'preview' : id} of ${input} target(s): ${marks.join(', ')}`);
      if (campaign) {
        this.log.log(`campaign ${id} created: ${eligible} target(s), ${excluded} excluded`);
        await this.waker.wake(id);
      }
      return { preview, campaign, counts: { input, eligible, excluded, excludedByReason, regions }, plan, exclusions, sample };
    } catch (err) {
      failure = err as Error;
      throw err;
    } finally {
      // After a failure the connection may be mid-COPY: close it (PostgreSQL rolls back).
      release(failure);
    }
  }

  /** Lists the inventory page by page into the stage (the next page is asked for while this one is written); more matches than allowed is a 400. */
  private async stageFilter(stage: TargetWriter, filter: TargetFilter): Promise<void> {
    const page = (token: string | null): Promise<InventoryPage> =>
      this.inventory.list(filter, token, 1000).catch((err: Error) => {
        throw new CampaignInventoryError(`the cloud inventory could not be asked: ${err.message}`);
      });
    let total = 0;
    let next: Promise<InventoryPage> | null = page(null);
    while (next) {
      const current: InventoryPage = await next;
      next = current.nextToken ? page(current.nextToken) : null;
      next?.catch(() => undefined); // awaited on the next turn
      total += current.records.length;
      if (total > this.config.CAMPAIGN_MAX_TARGETS) {
        throw CampaignInputError.of('filter', `the filter matches more than ${this.config.CAMPAIGN_MAX_TARGETS} instances; narrow it (tenant, region, tags)`);
      }
      await stage.addRecords(current.records);
    }
  }

  /** A duplicate instance, named by its line (set-based over the written rows). */
  private async checkDuplicates(client: PoolClient, id: string, naming: RowNaming): Promise<void> {
    // A cheap hash aggregate first; the lines are looked up only when there is a duplicate.
    const dups = (await client.query(`SELECT instance_id FROM campaign_targets WHERE campaign_id = $1 GROUP BY instance_id HAVING count(*) > 1`, [id])).rows as { instance_id: string }[];
    if (!dups.length) return;
    const dup = (
      await client.query(
        `SELECT instance_id, min(seq) AS first, (array_agg(seq ORDER BY seq))[2] AS again
           FROM campaign_targets WHERE campaign_id = $1 AND instance_id = ANY($2::text[]) GROUP BY instance_id ORDER BY again LIMIT 1`,
        [id, dups.slice(0, 10_000).map((d) => d.instance_id)],
      )
    ).rows[0] as { instance_id: string; first: number; again: number };
    const at = rowLabel(naming, dup.again);
    throw CampaignInputError.of(naming === 'json' ? `${at}.instanceId` : at, `${at}: duplicate instance ${dup.instance_id} (already on ${rowLabel(naming, dup.first)})`);
  }

  /** The parent's targets with one of `outcomes`, streamed from another connection (the parent is final). */
  private async streamParentTargets(parent: CampaignEntity, outcomes: string[], sink: (rows: TargetRowInput[]) => Promise<void>): Promise<number> {
    const { client, release } = await rawClient(this.ds);
    let failure: Error | undefined;
    try {
      const stream = client.query(
        new QueryStream(
          `SELECT instance_id, region, attempt FROM campaign_targets
            WHERE campaign_id = $1 AND (outcome = ANY($2::text[]) OR ('not_started' = ANY($2::text[]) AND state = 'pending'))
            ORDER BY seq`,
          [parent.id, outcomes],
          { batchSize: 1000 },
        ),
      );
      let line = 0;
      let batch: TargetRowInput[] = [];
      for await (const row of stream as AsyncIterable<{ instance_id: string; region: string; attempt: number }>) {
        line++;
        batch.push({ line, instanceId: row.instance_id, region: row.region, attempt: row.attempt + 1 });
        if (batch.length >= 1000) {
          await sink(batch);
          batch = [];
        }
      }
      if (batch.length) await sink(batch);
      return line;
    } catch (err) {
      failure = err as Error;
      throw err;
    } finally {
      release(failure);
    }
  }
}

/**
 * The body as sent, decompressed like every other route's (gzip, deflate, br; the size limit
 * counts the decompressed bytes). Anything else is a 415.
 */
function decoded(raw: Readable, encoding: string | string[] | undefined): Readable {
  const e = String(encoding ?? 'identity').trim().toLowerCase();
  const inflate = e === 'gzip' || e === 'x-gzip' ? createGunzip() : e === 'deflate' ? createInflate() : e === 'br' ? createBrotliDecompress() : e === 'identity' || e === '' ? null : undefined;
  if (inflate === undefined) throw CampaignInputError.of('content-encoding', `unsupported content encoding "${e.slice(0, 40)}" (gzip, deflate, br or none)`, 415, 'unsupported_media_type');
  if (inflate === null) return raw;
  // A body that is not what it claims is a 400 from the parser (a broken stream), never a 500; the
  // listener keeps a decompression error from going unhandled when nobody reads any more (the
  // request was refused already).
  inflate.on('error', () => undefined);
  raw.on('error', (err) => inflate.destroy(err));
  return raw.pipe(inflate);
}

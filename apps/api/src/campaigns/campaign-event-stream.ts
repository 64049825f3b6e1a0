import { BeforeApplicationShutdown, Injectable, Logger, Optional } from '@nestjs/common';
import { ApiKeyService } from '@rdpfix/auth';
import type { Request, Response } from 'express';
import { AppConfig } from '@rdpfix/config';
import { CampaignEventRepository, CampaignQueries, CampaignRepository, isFinal, TenantScope } from '@rdpfix/campaigns';
import { sseComment, sseMessage, sseReconnect, sseRetry } from '../events/sse';
import { CampaignCallBudget } from './campaign-call-budget';

const HEARTBEAT_MS = 15_000;

/**
 * Live progress of a campaign as Server-Sent Events: every campaign event (state changes:
 * started, wave done, paused, stopped on errors, cancel, done) with its id, and a `progress`
 * message (counts, error budget, rate, ETA, oldest in flight, channel call budget) whenever the campaign changed. Ends with
 * `end` once the campaign is over. Reads are by primary key and O(in flight), once per
 * CAMPAIGN_PROGRESS_POLL_MS.
 */
@Injectable()
export class CampaignEventStream implements BeforeApplicationShutdown {
  private readonly log = new Logger(CampaignEventStream.name);
  private readonly open = new Set<(final?: string) => void>();

  constructor(
    private readonly config: AppConfig,
    private readonly events: CampaignEventRepository,
    private readonly campaigns: CampaignRepository,
    private readonly queries: CampaignQueries,
    private readonly callBudget: CampaignCallBudget,
    @Optional() private readonly keys?: ApiKeyService,
  ) {}

  /** Streams until the campaign ends, the client goes away, the key is revoked or the app stops. */
  stream(id: string, scope: TenantScope, afterId: string | undefined, req: Request, res: Response, opts: { keyId: string; onClose: () => void }): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const write = (chunk: string) => {
      if (!closed) res.write(chunk);
    };
    const heartbeat = setInterval(() => write(sseComment('heartbeat')), HEARTBEAT_MS);
    let unsubscribe: (() => void) | undefined;
    // `final`: a last message (the shutdown's `reconnect`), written before the stream ends.
    const stop = (final?: string) => {
      if (closed) return;
      if (typeof final === 'string' && !res.writableEnded) res.write(final);
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(timer);
      unsubscribe?.();
      this.open.delete(stop);
      opts.onClose();
      if (!res.writableEnded) res.end();
    };
    this.open.add(stop);
    res.on('close', () => stop());
    // The client may have gone while the request was authenticated and checked.
    if (res.destroyed || req.socket.destroyed) return stop();
    const revoked = () => {
      write(sseMessage('revoked', { statusCode: 401, error: 'unauthorized', message: 'the API key of this stream was revoked' }));
      stop();
    };
    if (this.keys) unsubscribe = this.keys.onRevoked((k) => k === opts.keyId && revoked());

    let cursor = afterId;
    let version = -1;
    const poll = async (): Promise<void> => {
      if (closed) return;
      try {
        if (this.keys && !(await this.keys.isActive(opts.keyId))) return revoked();
        const head = await this.campaigns.findById(id);
        const batch = await this.events.listAfter(id, cursor, 200);
        for (const e of batch) {
          write(sseMessage(e.type, { id: e.id, at: new Date(e.at).toISOString(), type: e.type, message: e.message, data: e.data }, e.id));
          cursor = e.id;
        }
        if (batch.length === 200) return schedule(0);
        if (head && head.version !== version) {
          version = head.version;
          const progress = await this.queries.progress(id, scope);
          const callBudget = await this.callBudget.forRegions(progress.targets.regions);
          write(sseMessage('progress', { ...progress, callBudget }));
        }
        if (!head || isFinal(head.state)) {
          write(sseMessage('end', { id, state: head?.state ?? null, outcomes: head?.outcomes ?? null }));
          return stop();
        }
        schedule(this.config.CAMPAIGN_PROGRESS_POLL_MS);
      } catch (err) {
        // Without `end` the client reconnects with Last-Event-ID and loses nothing.
        this.log.warn(`event stream of campaign ${id} stopped: ${(err as Error).message}`);
        stop();
      }
    };
    const schedule = (ms: number) => {
      if (!closed) timer = setTimeout(() => void poll(), ms);
    };
    write(sseRetry(2000));
    void poll();
  }

  beforeApplicationShutdown(): void {
    for (const stop of [...this.open]) stop(sseReconnect());
  }
}

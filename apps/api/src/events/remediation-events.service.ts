import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { RemediationEntity, TimelineRepository } from '@rdpfix/persistence';
import { RemediationNotFoundError, timelineEventView } from '@rdpfix/remediation';
import { DEFAULT_EVENTS_STREAM_OPTIONS, EVENTS_STREAM_OPTIONS, EventsStreamOptions } from './events-stream.options';
import { sseComment, sseMessage, sseRetry } from './sse';

type Head = Pick<RemediationEntity, 'id' | 'state' | 'outcome' | 'reason' | 'finishedAt' | 'tenantId'>;

/**
 * Streams a remediation's timeline from PostgreSQL as Server-Sent Events: poll, write what is
 * new, and once the remediation has finished (and its `finished` event is out) send `end` and
 * close. The timeline id is the SSE id, so a reconnect resumes exactly after the last event.
 */
@Injectable()
export class RemediationEventsService implements BeforeApplicationShutdown {
  private readonly log = new Logger(RemediationEventsService.name);
  private readonly opts: EventsStreamOptions;
  private readonly open = new Set<() => void>();
  private readonly perKey = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly timeline: TimelineRepository,
    @Optional() @Inject(EVENTS_STREAM_OPTIONS) opts?: Partial<EventsStreamOptions>,
  ) {
    this.opts = { ...DEFAULT_EVENTS_STREAM_OPTIONS, ...(opts ?? {}) };
  }

  /** Streams currently open (for tests and metrics). */
  get activeStreams(): number {
    return this.open.size;
  }

  /** Before any byte of the stream: unknown (or another tenant's) remediation is a JSON 404. */
  async assertVisible(id: string, tenantId?: string): Promise<void> {
    const r = await this.head(id);
    if (!r || (tenantId !== undefined && r.tenantId !== tenantId)) throw new RemediationNotFoundError(id);
  }

  /**
   * Reserves a stream slot for an API key; false when it already holds maxStreamsPerKey. Every
   * open stream polls PostgreSQL, so one caller must not be able to open thousands.
   */
  reserve(keyId: string): boolean {
    const n = this.perKey.get(keyId) ?? 0;
    if (n >= this.opts.maxStreamsPerKey) return false;
    this.perKey.set(keyId, n + 1);
    return true;
  }

  release(keyId: string): void {
    const n = (this.perKey.get(keyId) ?? 1) - 1;
    if (n <= 0) this.perKey.delete(keyId);
    else this.perKey.set(keyId, n);
  }

  get maxStreamsPerKey(): number {
    return this.opts.maxStreamsPerKey;
  }

  stream(id: string, afterId: string | undefined, req: Request, res: Response, onClose?: () => void): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);

    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const write = (chunk: string) => {
      if (!closed) res.write(chunk);
    };
    const heartbeat = setInterval(() => write(sseComment('heartbeat')), this.opts.heartbeatMs);
    const stop = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(timer);
      this.open.delete(stop);
      onClose?.();
      if (!res.writableEnded) res.end();
    };
    this.open.add(stop);
    res.on('close', stop); // client went away (or we ended)

    let cursor = afterId;
    let sawFinishedEvent = false;
    let finishedSeenAt: number | undefined;
    const poll = async (): Promise<void> => {
      if (closed) return;
      try {
        // State first, then events: if the state says finished, its events are committed or about to be.
        const head = await this.head(id);
        const events = await this.timeline.list(id, cursor, this.opts.pageSize);
        for (const e of events) {
          write(sseMessage(e.type, timelineEventView(e), e.id));
          cursor = e.id;
          if (e.type === 'finished') sawFinishedEvent = true;
        }
        if (events.length === this.opts.pageSize) return schedule(0);
        if (!head || head.state === 'finished') {
          finishedSeenAt ??= Date.now();
          const grace = this.opts.finishGraceMs;
          const settled =
            !head || sawFinishedEvent || Date.now() - finishedSeenAt >= grace || (head.finishedAt !== null && Date.now() - head.finishedAt.getTime() >= grace);
          if (settled) {
            write(sseMessage('end', { id, state: head?.state ?? null, outcome: head?.outcome ?? null, reason: head?.reason ?? null }));
            return stop();
          }
        }
        await this.drained(res);
        schedule(this.opts.pollMs);
      } catch (err) {
        // Without `end` the client reconnects with Last-Event-ID and loses nothing.
        this.log.warn(`event stream of ${id} stopped: ${(err as Error).message}`);
        stop();
      }
    };
    const schedule = (ms: number) => {
      if (!closed) timer = setTimeout(() => void poll(), ms);
    };
    write(sseRetry(this.opts.retryMs));
    void poll();
  }

  /** Open streams would hold the HTTP server open on shutdown; clients will reconnect elsewhere. */
  beforeApplicationShutdown(): void {
    for (const stop of [...this.open]) stop();
  }

  private head(id: string): Promise<Head | null> {
    return this.ds.getRepository(RemediationEntity).findOne({ where: { id }, select: { id: true, state: true, outcome: true, reason: true, finishedAt: true, tenantId: true } });
  }

  /** Backpressure: a slow client is not sent more until it has read what it has. */
  private drained(res: Response): Promise<void> {
    if (!res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
}

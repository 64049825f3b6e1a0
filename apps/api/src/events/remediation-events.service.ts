import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { ApiKeyService } from '@rdpfix/auth';
import { RemediationEntity, TimelineRepository } from '@rdpfix/persistence';
import { RemediationNotFoundError, timelineEventView } from '@rdpfix/remediation';
import { Lang, timelineMessage } from '@rdpfix/domain';
import { DEFAULT_EVENTS_STREAM_OPTIONS, EVENTS_STREAM_OPTIONS, EventsStreamOptions } from './events-stream.options';
import { sseComment, sseMessage, sseReconnect, sseRetry } from './sse';
import { StreamSlot, StreamSlots } from './stream-slots';

/** Who holds a stream: its slot, and the key whose revocation ends it (absent for anonymous tests). */
export interface StreamHolder {
  slot: StreamSlot;
  keyId?: string;
  /** The language of the events' messages (Accept-Language; the stored messages are English). */
  lang?: Lang;
}

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
  private readonly open = new Set<(final?: string) => void>();
  private readonly slots: StreamSlots;

  constructor(
    private readonly ds: DataSource,
    private readonly timeline: TimelineRepository,
    @Optional() @Inject(EVENTS_STREAM_OPTIONS) opts?: Partial<EventsStreamOptions>,
    // The API's key service (absent in apps without authentication, e.g. a test harness).
    @Optional() private readonly keys?: ApiKeyService,
  ) {
    this.opts = { ...DEFAULT_EVENTS_STREAM_OPTIONS, ...(opts ?? {}) };
    this.slots = new StreamSlots(this.opts.maxStreamsPerKey);
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
   * Reserves a stream slot for an API key; null when it already holds maxStreamsPerKey. Every
   * open stream polls PostgreSQL, so one caller must not be able to open thousands. The slot is
   * released exactly once, by the stream when it ends (or by the caller if it never starts).
   */
  reserve(keyId: string): StreamSlot | null {
    return this.slots.reserve(keyId);
  }

  /** Slots a key holds now (tests, metrics). */
  slotsHeld(keyId: string): number {
    return this.slots.held(keyId);
  }

  get maxStreamsPerKey(): number {
    return this.opts.maxStreamsPerKey;
  }

  /**
   * Streams until the remediation ends, the client goes away, the key is revoked or the app stops;
   * whichever comes first releases the holder's slot (once).
   */
  stream(id: string, afterId: string | undefined, req: Request, res: Response, holder: StreamHolder): void {
    // The client may have closed while the request was authenticated and checked: then its
    // 'close' has already fired and a listener added now would never run. Nothing to stream.
    if (clientGone(req, res)) {
      holder.slot.release();
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    const lang = holder.lang ?? 'en';
    res.setHeader('Content-Language', lang === 'zh' ? 'zh-CN' : 'en');
    res.vary('Accept-Language');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);

    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    const write = (chunk: string) => {
      if (!closed) res.write(chunk);
    };
    const heartbeat = setInterval(() => write(sseComment('heartbeat')), this.opts.heartbeatMs);
    // `final`: a last message (the shutdown's `reconnect`), written before the stream ends.
    const stop = (final?: string) => {
      if (closed) return;
      if (typeof final === 'string' && !res.writableEnded) res.write(final);
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(timer);
      unsubscribe?.();
      this.open.delete(stop);
      holder.slot.release();
      if (!res.writableEnded) res.end();
    };
    this.open.add(stop);
    res.on('close', () => stop()); // client went away (or we ended)
    if (clientGone(req, res)) return stop(); // closed between the check above and the listener
    const revoked = () => {
      write(sseMessage('revoked', { statusCode: 401, error: 'unauthorized', message: 'the API key of this stream was revoked' }));
      stop();
    };
    const keyId = holder.keyId;
    // A revocation made through this process ends the stream at once; one made elsewhere is seen
    // by the poll below within AUTH_CACHE_MS.
    if (this.keys && keyId) unsubscribe = this.keys.onRevoked((k) => k === keyId && revoked());

    let cursor = afterId;
    let sawFinishedEvent = false;
    let finishedSeenAt: number | undefined;
    const poll = async (): Promise<void> => {
      if (closed) return;
      try {
        if (this.keys && keyId && !(await this.keys.isActive(keyId))) return revoked();
        // State first, then events: if the state says finished, its events are committed or about to be.
        const head = await this.head(id);
        const events = await this.timeline.list(id, cursor, this.opts.pageSize);
        for (const e of events) {
          const view = timelineEventView(e);
          write(sseMessage(e.type, { ...view, message: timelineMessage(view, lang) }, e.id));
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
    for (const stop of [...this.open]) stop(sseReconnect());
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

/** True once the client's connection is gone (before or after the request was handled). */
function clientGone(req: Request, res: Response): boolean {
  return req.socket.destroyed || res.destroyed || res.writableEnded || req.destroyed;
}

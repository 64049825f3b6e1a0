/** Timing of the event streams; tests shorten the heartbeat. */
export interface EventsStreamOptions {
  /** How often the database is asked for new events. */
  pollMs: number;
  /** Comment lines on an idle stream, so proxies and load balancers keep it open. */
  heartbeatMs: number;
  /**
   * The finisher writes the state and then the `finished` event in two statements; after seeing
   * the state, wait this long for that event before ending the stream.
   */
  finishGraceMs: number;
  /** Events read per query. */
  pageSize: number;
  /** `retry:` sent to EventSource clients. */
  retryMs: number;
  /** Open streams one API key may hold at once (each polls the database): beyond it, 429. */
  maxStreamsPerKey: number;
}

export const EVENTS_STREAM_OPTIONS = Symbol('EVENTS_STREAM_OPTIONS');

export const DEFAULT_EVENTS_STREAM_OPTIONS: EventsStreamOptions = {
  pollMs: 300,
  heartbeatMs: 15_000,
  finishGraceMs: 1_000,
  pageSize: 500,
  retryMs: 2_000,
  maxStreamsPerKey: 20,
};

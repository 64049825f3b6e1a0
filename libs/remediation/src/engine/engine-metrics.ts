/**
 * What the engine counts for operators (the worker app provides it with Prometheus behind;
 * optional, so tests and tools can build the engine without metrics).
 */
export interface EngineMetricsSink {
  /** A command reached a final status. */
  commandFinished(script: string, status: string): void;
  /** The reconciler re-enqueued `n` remediations that had no job. */
  requeued(n: number): void;
  /** A remediation job started (+1) or stopped (-1) running in this process. */
  inFlight(delta: 1 | -1): void;
}

export const ENGINE_METRICS = Symbol('ENGINE_METRICS');

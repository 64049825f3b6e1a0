/** Flapping agent: offline for the last `downMs` of every `periodMs`. */
export interface AgentFlap {
  periodMs: number;
  downMs: number;
}

/** Fault knobs. Global values apply to every instance unless an instance overrides a field. */
export interface FaultConfig {
  /** Probability that an SSM API call fails with ThrottlingException. */
  throttleRate: number;
  /** Probability that an invocation is Failed / Undeliverable at delivery. */
  undeliverableRate: number;
  /** Probability that a script run fails with a PowerShell exception (exit 1, no effect). */
  scriptFailureRate: number;
  /** Script names that never finish: they end as TimedOut / ExecutionTimedOut. */
  hangScripts: string[];
  /** Probability that stdout is replaced by non-JSON noise (exit code unchanged). */
  garbageOutputRate: number;
  /** Probability that stdout is > 24,000 chars, so the result line is cut off. */
  truncateOutputRate: number;
  agentFlap: AgentFlap | null;
  /** Agent unreachable regardless of its own state. */
  agentOffline: boolean;
  /** Probability that SendCommand acts (the command runs) and the connection is then dropped without an answer. */
  dropSendResponseRate: number;
  /** Commands stay out of ListCommands (the marker lookup) this long after they became visible: an eventually consistent listing. */
  delayListingMs: number;
  /**
   * Test hook for kills timed on events: SendCommand is held open, 'before' it acts (dropped
   * unacted if the caller goes away) or 'after' it acted (the answer is lost if the caller goes
   * away), until the caller disconnects or the fault is cleared. GET /admin/held-sends lists them.
   */
  holdSends: 'before' | 'after' | null;
  /** When not empty, dropSendResponseRate and holdSends strike only sends of these scripts (by header name). */
  sendFaultScripts: string[];
}

export interface GlobalFaultConfig extends FaultConfig {
  /** SSM API calls per second across all operations (token bucket); null = unlimited. */
  apiRateLimit: number | null;
}

export const NO_FAULTS: FaultConfig = {
  throttleRate: 0,
  undeliverableRate: 0,
  scriptFailureRate: 0,
  hangScripts: [],
  garbageOutputRate: 0,
  truncateOutputRate: 0,
  agentFlap: null,
  agentOffline: false,
  dropSendResponseRate: 0,
  delayListingMs: 0,
  holdSends: null,
  sendFaultScripts: [],
};

export function effectiveFaults(global: FaultConfig, instance: Partial<FaultConfig> | undefined): FaultConfig {
  const out: FaultConfig = { ...global };
  if (!instance) return out;
  for (const [k, v] of Object.entries(instance)) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

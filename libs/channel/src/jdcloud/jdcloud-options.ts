import type { ChannelBudget } from '../channel-budget';
import type { JdCredentials } from './signing/jdcloud-signer';

export interface JdcloudChannelOptions {
  /** Cloud Assistant endpoint per region (default https://assistant.jdcloud-api.com). */
  endpointFor: (region: string) => string;
  /** VM endpoint per region (default https://vm.jdcloud-api.com), for the agent-status fallback. */
  vmEndpointFor: (region: string) => string;
  /** Read at each call, so a rotated credentials file is picked up; never logged. */
  credentials: () => JdCredentials;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Attempts for reads and deletes (RATE_LIMIT, 500/502/503 retried with backoff + jitter). Sends: 1. */
  maxAttempts: number;
  /** commandContent limit (base64 bytes); every runbook script is checked against it at construction. */
  maxScriptBytes: number;
  /** Seconds after an invocation is seen finished before its command is deleted. */
  deleteDelayS: number;
  budget?: ChannelBudget;
  backoffBaseMs?: number;
}

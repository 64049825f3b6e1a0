import { ParsedScript } from '../scripts/parse-script';

/** CommandInvocationStatus (BOTO enum). */
export type InvocationStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';

export const INVOCATION_STATUSES: readonly InvocationStatus[] = [
  'Pending',
  'InProgress',
  'Delayed',
  'Success',
  'Cancelled',
  'TimedOut',
  'Failed',
  'Cancelling',
];

export interface SimCommand {
  commandId: string;
  documentName: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  /** Region of the endpoint the command was sent to (null when not enforced). */
  region: string | null;
  requestedAt: number;
  /** Invocations are hidden from the API until then (eventual consistency). */
  visibleAt: number;
  timeoutSeconds: number;
  executionTimeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
}

/** Internal phase: what the next transition is waiting for. */
export type InvocationPhase = 'pending' | 'running' | 'cancelling' | 'done';

export interface SimInvocation {
  commandId: string;
  instanceId: string;
  phase: InvocationPhase;
  status: InvocationStatus;
  statusDetails: string;
  /** -1 until the script exits (and for timeouts, cancels, undeliverable). */
  responseCode: number;
  script: ParsedScript;
  requestedAt: number;
  visibleAt: number;
  deliveryDeadline: number;
  /** When delivery completes, once the agent is reachable; null while not (Delayed). */
  deliverAt: number | null;
  startedAt: number | null;
  /** Modelled completion time (Infinity for a hanging script). */
  finishAt: number | null;
  execDeadline: number | null;
  endedAt: number | null;
  cancelAt: number | null;
  /** The machine restarted under a running script; reported as Failed once the agent is back. */
  interruptedAt: number | null;
  stdout: string;
  stderr: string;
  effectApplied: boolean;
}

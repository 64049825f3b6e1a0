import type { CommandStatus } from '@rdpfix/domain';

export interface SendRequest {
  region: string;
  /** 1..maxInstancesPerSend instances that run the same script. */
  instanceIds: string[];
  /** Full script text (header, data line, body). */
  scriptText: string;
  /**
   * Our correlation token (≤ 100 chars, e.g. `rdpfix:<commandRunId>`), stored by the provider with
   * the command (SSM Comment; JD Cloud command name and description), so a send whose outcome is
   * unknown can be looked up instead of resent.
   */
  marker: string;
  executionTimeoutS: number;
  deliveryTimeoutS: number;
  /**
   * The caller already took this send's share of the shared call budget (reserveSend), before it
   * marked the run `sending`: the adapter takes no budget token for the send itself.
   */
  budgetReserved?: boolean;
}

export interface InvocationResult {
  status: CommandStatus;
  providerStatus: string;
  providerStatusDetails: string | null;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface InstanceInfo {
  instanceId: string;
  online: boolean;
  pingStatus: string;
  lastPing: Date | null;
  platformName: string | null;
  platformVersion: string | null;
}

/** Where findByMarker looks: the send's time window, and optionally one instance it targeted. */
export interface MarkerWindow {
  after: Date;
  before: Date;
  instanceId?: string;
}

/** The cloud's guest-agent command channel (DESIGN §5). One port, many adapters. */
export interface CommandChannel {
  /** 'ssm' | 'jdcloud' */
  readonly name: string;
  /** Most instances one send may target (50 for SSM and JD Cloud). */
  readonly maxInstancesPerSend: number;
  /**
   * Takes a send's share of the shared call budget now (SSM: 1 call; JD Cloud: 2). The engine
   * calls it BEFORE it marks a run `sending`, so a runner stuck on the budget never holds a send
   * open; throws ChannelThrottledError when over budget.
   */
  reserveSend(region: string): Promise<void>;
  send(req: SendRequest): Promise<{ commandId: string }>;
  /** null = the invocation is not visible yet (eventual consistency right after a send). */
  result(region: string, commandId: string, instanceId: string): Promise<InvocationResult | null>;
  /** Every instance of one command, paginated inside; instances not visible yet are absent. */
  results(region: string, commandId: string): Promise<Map<string, InvocationResult>>;
  /**
   * The command carrying `marker`, sent within `window` (provider time, InvokedAfter/InvokedBefore).
   * `window.instanceId`, one instance the command targets, lets a channel that can list one
   * instance's commands look only there (SSM): a busy region's whole listing is hundreds of pages.
   * null = not visible (yet): never proof that it was not sent.
   */
  findByMarker(region: string, marker: string, window: MarkerWindow): Promise<string | null>;
  cancel(region: string, commandId: string, instanceIds: string[]): Promise<void>;
  instanceInfo(region: string, instanceIds: string[]): Promise<Map<string, InstanceInfo>>;
}

export const COMMAND_CHANNEL = Symbol('COMMAND_CHANNEL');

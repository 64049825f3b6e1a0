import type { CommandStatus } from '@rdpfix/domain';

export interface SendRequest {
  region: string;
  instanceIds: string[];
  /** Full script text (header, data line, body). */
  scriptText: string;
  /** Our correlation token (`rdpfix:<commandRunId>`), stored by the provider with the command. */
  comment: string;
  executionTimeoutS: number;
  deliveryTimeoutS: number;
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

/** The cloud's guest-agent command channel (DESIGN §5). One port, many adapters. */
export interface CommandChannel {
  readonly name: string;
  send(req: SendRequest): Promise<{ commandId: string }>;
  /** null = the invocation is not visible yet (eventual consistency right after a send). */
  result(region: string, commandId: string, instanceId: string): Promise<InvocationResult | null>;
  /** Finds a command sent to the instance since `since` whose comment equals `comment`. */
  findByComment(region: string, instanceId: string, comment: string, since: Date): Promise<string | null>;
  cancel(region: string, commandId: string, instanceIds: string[]): Promise<void>;
  instanceInfo(region: string, instanceIds: string[]): Promise<Map<string, InstanceInfo>>;
}

export const COMMAND_CHANNEL = Symbol('COMMAND_CHANNEL');

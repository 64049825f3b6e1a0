import { Injectable } from '@nestjs/common';
import { DEFAULT_JD_SIM_CONFIG, JdSimConfig, jdConfigFromEnv } from './jd-sim-config';

/** A saved Cloud Assistant command (createCommand). */
export interface JdSavedCommand {
  commandId: string;
  region: string;
  commandName: string;
  commandType: string;
  commandContent: string;
  commandDescription: string;
  timeout: number;
  username: string;
  workdir: string;
  createdAt: number;
  updatedAt: number;
}

/** One invokeCommand: its instances run as one lifecycle command (the same engine as SSM). */
export interface JdInvocationRecord {
  invokeId: string;
  region: string;
  commandId: string;
  /** Snapshot of the command at invoke time. */
  command: JdSavedCommand;
  /** The lifecycle (SimStore) command id that runs it. */
  simCommandId: string;
  instances: string[];
  timeout: number;
  createdAt: number;
}

export interface JdStats {
  calls: Record<string, number>;
  errors: Record<string, number>;
  authFailures: number;
  droppedResponses: number;
}

/** State of the JD front end only; instances, runs and ground truth live in SimStore. */
@Injectable()
export class JdState {
  config: JdSimConfig = { ...DEFAULT_JD_SIM_CONFIG, ...jdConfigFromEnv() };
  readonly commands = new Map<string, JdSavedCommand>();
  readonly invocations = new Map<string, JdInvocationRecord>();
  /** nonce → when it may be used again. */
  readonly nonces = new Map<string, number>();
  stats: JdStats = { calls: {}, errors: {}, authFailures: 0, droppedResponses: 0 };

  countCall(op: string): void {
    this.stats.calls[op] = (this.stats.calls[op] ?? 0) + 1;
  }

  countError(status: string): void {
    this.stats.errors[status] = (this.stats.errors[status] ?? 0) + 1;
  }

  /** Remembers a nonce; false when it was already used within the window. */
  useNonce(nonce: string, now: number): boolean {
    if (this.nonces.size > 10_000) for (const [n, until] of this.nonces) if (until <= now) this.nonces.delete(n);
    const until = this.nonces.get(nonce);
    if (until !== undefined && until > now) return false;
    this.nonces.set(nonce, now + this.config.nonceWindowS * 1000);
    return true;
  }

  reset(): void {
    this.commands.clear();
    this.invocations.clear();
    this.nonces.clear();
    this.stats = { calls: {}, errors: {}, authFailures: 0, droppedResponses: 0 };
  }
}

import { ScriptResult } from '@rdpfix/runbook/contract';
import { SimInstance } from '../model/instance';

/** What a modelled script run needs to know beyond the instance itself. */
export interface ScriptContext {
  now: number;
  /** A restart is already scheduled (shutdown /r refuses a second one). */
  rebootScheduled: boolean;
}

/** The modelled result of one of our scripts, before faults and output framing. */
export interface ScriptExecution {
  result: ScriptResult;
  /** Human-readable lines printed before the JSON result line. */
  log: string[];
  /** The change the script makes; applied by the lifecycle at completion (or on a late cancel). */
  apply?: (inst: SimInstance) => void;
  /** restart-computer: schedule a restart this many seconds after completion. */
  reboot?: { delaySeconds: number };
}

export type ScriptHandler = (inst: SimInstance, params: Record<string, string>, version: number, ctx: ScriptContext) => ScriptExecution;

import { CHANGING_SCRIPTS, ScriptName } from '@rdpfix/runbook/contract';
import { Rng } from '../common/rng';
import { SimInstance } from '../model/instance';
import { runDiagnose } from './handlers/diagnose.handler';
import { runLicensing } from './handlers/licensing.handler';
import { runRemoveRdshRole } from './handlers/remove-rdsh-role.handler';
import { runRestartComputer } from './handlers/restart-computer.handler';
import { runSetSingleSession } from './handlers/set-single-session.handler';
import { ParsedScript } from './parse-script';
import { NO_POWERSHELL_STDERR, agentExitSuffix, commandNotFound, wmiAccessDenied } from './powershell-errors';
import { ScriptContext, ScriptExecution, ScriptHandler } from './script-execution';

const HANDLERS: Record<ScriptName, ScriptHandler> = {
  diagnose: runDiagnose('diagnose'),
  verify: runDiagnose('verify'),
  'set-single-session': runSetSingleSession,
  'configure-licensing': runLicensing('configure-licensing'),
  'restore-licensing': runLicensing('restore-licensing'),
  'remove-rdsh-role': runRemoveRdshRole,
  'restart-computer': runRestartComputer,
};

/** Output faults decided for this run by the fault service. */
export interface OutputFaults {
  fail: boolean;
  garbage: boolean;
  truncate: boolean;
}

export const NO_OUTPUT_FAULTS: OutputFaults = { fail: false, garbage: false, truncate: false };

export interface ScriptOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  apply?: (inst: SimInstance) => void;
  reboot?: { delaySeconds: number };
  /**
   * A changing script with a run id: `first` = its body ran and the run id is now recorded on the
   * server (the caller records it); not first = the guard refused it (already_ran), nothing done.
   */
  guard?: { script: ScriptName; runId: string; first: boolean };
  /** The script's body ran (its parameters were read and it got to act or refuse). */
  bodyRan?: boolean;
}

export interface ExecuteContext extends ScriptContext {
  instanceId: string;
  commandId: string;
  faults: OutputFaults;
  rng: Rng;
  /** The run-id guard's marker on this server (_change.ps1 Assert-RdpfixFirstRun); absent = never ran. */
  alreadyRan?: (runId: string) => boolean;
}

/** The runId parameter the changing scripts take (the command run's uuid). */
export const RUN_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const CRLF = '\r\n';

/**
 * Runs a parsed script against the modelled server the way powershell.exe under SSM Agent
 * would: our scripts print log lines then one compact JSON line last (exit 0 when ok, 1 when
 * not); anything else fails on the first unknown command. Pure: the caller applies `apply`.
 */
export function executeScript(inst: SimInstance, parsed: ParsedScript, ctx: ExecuteContext): ScriptOutcome {
  if (inst.psVersion === null) return failure(NO_POWERSHELL_STDERR + CRLF, 1, false);
  if (parsed.kind === 'unrecognized') {
    return failure(commandNotFound(parsed.term, parsed.line, ctx.instanceId, ctx.commandId), 1, true);
  }
  if (ctx.faults.fail) return failure(wmiAccessDenied(ctx.instanceId, ctx.commandId), 1, true);

  let execution: ScriptExecution;
  // The run-id guard runs right after the parameters, before anything is read or changed, as in
  // _change.ps1. A script without a runId (older versions, hand-made test scripts) is not guarded.
  const runId = parsed.paramsError === null && CHANGING_SCRIPTS.has(parsed.name) ? parsed.params.runId : undefined;
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) {
    execution = { result: { script: parsed.name, version: parsed.version, ok: false, error: 'bad parameters: runId is not valid' } as ScriptExecution['result'], log: [] };
  } else if (runId !== undefined && ctx.alreadyRan?.(runId)) {
    const result = { script: parsed.name, version: parsed.version, ok: false, alreadyRan: true, runId, error: `already_ran: run ${runId} already acted on this server; nothing was done` };
    const stdout = [`run ${runId} already ran here`, JSON.stringify(result)].join(CRLF) + CRLF;
    return { exitCode: 1, stdout, stderr: agentExitSuffix(1) + CRLF, guard: { script: parsed.name, runId, first: false } };
  } else if (parsed.paramsError !== null) {
    execution = {
      result: { script: parsed.name, version: parsed.version, ok: false, error: parsed.paramsError } as ScriptExecution['result'],
      log: [],
    };
  } else {
    execution = HANDLERS[parsed.name](inst, parsed.params, parsed.version, ctx);
  }
  const exitCode = execution.result.ok ? 0 : 1;
  let stdout = [...execution.log, JSON.stringify(execution.result)].join(CRLF) + CRLF;
  if (ctx.faults.truncate) stdout = verboseNoise(30_000) + stdout;
  if (ctx.faults.garbage) stdout = garbage(ctx.rng);
  return {
    exitCode,
    stdout,
    stderr: exitCode === 0 ? '' : agentExitSuffix(exitCode) + CRLF,
    apply: execution.apply,
    reboot: execution.reboot,
    bodyRan: true,
    ...(runId !== undefined && RUN_ID_PATTERN.test(runId) ? { guard: { script: parsed.name as ScriptName, runId, first: true } } : {}),
  };
}

function failure(stderr: string, exitCode: number, withAgentSuffix: boolean): ScriptOutcome {
  return { exitCode, stdout: '', stderr: withAgentSuffix ? stderr + CRLF + agentExitSuffix(exitCode) + CRLF : stderr };
}

/** Lines a chatty module might print, enough to push the result line past the 24,000 cap. */
function verboseNoise(minChars: number): string {
  const lines: string[] = [];
  let n = 0;
  for (let i = 1; n < minChars; i++) {
    const line = `VERBOSE: Loading module from path 'C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules\\ServerManager\\ServerManager.psd1' (${i}).`;
    lines.push(line);
    n += line.length + 2;
  }
  return lines.join(CRLF) + CRLF;
}

/** Mis-decoded console output: no line of it is JSON. */
function garbage(rng: Rng): string {
  const alphabet = '\u00bf\u00e6\u00ed\ufffd\u2592\u2593#@%&*<>?|~^';
  let s = '';
  for (let i = 0; i < 300; i++) s += i % 60 === 59 ? CRLF : alphabet[rng.int(alphabet.length)];
  return s + CRLF;
}

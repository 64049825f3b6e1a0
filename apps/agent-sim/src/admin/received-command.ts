import { CHANGING_SCRIPTS, ScriptName } from '@rdpfix/runbook/contract';
import { SimCommand, SimInvocation } from '../lifecycle/invocation';

/** What an instance received, for tests and the demo (admin API). */
export interface ReceivedCommand {
  commandId: string;
  scriptName: string | null;
  scriptVersion: number | null;
  /** One of our scripts, recognised by its header. */
  recognized: boolean;
  params: Record<string, string>;
  comment: string;
  receivedAt: string;
  status: string;
  statusDetails: string;
  responseCode: number;
  changing: boolean;
  effectApplied: boolean;
  startedAt: string | null;
  endedAt: string | null;
  stdout: string;
  stderr: string;
}

export function receivedCommand(cmd: SimCommand | undefined, inv: SimInvocation): ReceivedCommand {
  const s = inv.script;
  const name = s.kind === 'rdpfix' ? s.name : s.headerName;
  return {
    commandId: inv.commandId,
    scriptName: name,
    scriptVersion: s.version,
    recognized: s.kind === 'rdpfix',
    params: s.kind === 'rdpfix' ? { ...s.params } : {},
    comment: cmd?.comment ?? '',
    receivedAt: new Date(inv.requestedAt).toISOString(),
    status: inv.status,
    statusDetails: inv.statusDetails,
    responseCode: inv.responseCode,
    changing: s.kind === 'rdpfix' && CHANGING_SCRIPTS.has(s.name as ScriptName),
    effectApplied: inv.effectApplied,
    startedAt: inv.startedAt !== null ? new Date(inv.startedAt).toISOString() : null,
    endedAt: inv.endedAt !== null ? new Date(inv.endedAt).toISOString() : null,
    stdout: inv.stdout,
    stderr: inv.stderr,
  };
}

import { DiagnoseResult } from '@rdpfix/runbook/contract';
import { SimInstance } from '../../model/instance';
import { buildFacts } from '../facts';
import { ScriptExecution } from '../script-execution';

/** diagnose and verify are read-only: they print the facts and change nothing. */
export function runDiagnose(name: 'diagnose' | 'verify') {
  return (inst: SimInstance, _params: Record<string, string>, version: number): ScriptExecution => {
    const facts = buildFacts(inst);
    const result: DiagnoseResult = { script: name, version, ok: true, facts };
    const unknown = Object.keys(facts.unknown);
    return {
      result,
      log: [
        `rdpfix ${name} v${version} on ${inst.computerName}`,
        `OS ${facts.os.version} PowerShell ${facts.os.ps} RDSH installed: ${facts.rdsh.installed ?? 'unknown'}`,
        `sessions: ${facts.sessions === null ? 'unknown' : facts.sessions.length}`,
        ...(unknown.length ? [`could not be read: ${unknown.join(', ')}`] : []),
      ],
    };
  };
}

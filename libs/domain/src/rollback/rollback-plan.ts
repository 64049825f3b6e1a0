import type { DiagnosisFacts, LicensingModeCode } from '../facts';

/** A change as recorded by the apply step (the rollback data). */
export interface RecordedChangeLike {
  action: string;
  setting: string;
  before: unknown;
  after: unknown;
  reversible: boolean;
  /** restore-licensing: the mode was written to the registry but WMI shows it only after a restart. */
  restartNeeded?: boolean;
}

export type RollbackAction =
  | { kind: 'restore-single-session'; value: 0 | 1 }
  | { kind: 'restore-licensing'; mode: LicensingModeCode; servers: string[] };

export type RollbackPlan =
  | { decision: 'rollback'; actions: RollbackAction[]; notes: string[] }
  | { decision: 'refuse'; reason: 'nothing_to_roll_back' | 'not_reversible' | 'drift' | 'facts_incomplete'; detail: string; notes: string[] };

const norm = (servers: unknown): string[] => (Array.isArray(servers) ? servers.map((s) => String(s).toLowerCase()).sort() : []);
const sameList = (a: unknown, b: unknown) => JSON.stringify(norm(a)) === JSON.stringify(norm(b));

/**
 * What undoing a fix takes, from its recorded changes and the server's state now. Pure.
 * Refuses when nothing reversible was changed, when only the irreversible role removal was,
 * and when a value no longer holds what rdpfix set (someone changed it since: "drift").
 */
export function buildRollbackPlan(changes: RecordedChangeLike[], now: DiagnosisFacts): RollbackPlan {
  const notes: string[] = [];
  const irreversible = changes.filter((c) => !c.reversible);
  for (const c of irreversible) {
    notes.push(
      `${c.setting} is not rolled back: reinstalling the Remote Desktop Session Host role would not restore the grace period and would bring the licensing lockout straight back.`,
    );
  }
  const reversible = changes.filter((c) => c.reversible);
  if (reversible.length === 0) {
    return irreversible.length
      ? { decision: 'refuse', reason: 'not_reversible', detail: notes.join(' '), notes }
      : { decision: 'refuse', reason: 'nothing_to_roll_back', detail: 'This remediation changed nothing that can be put back.', notes };
  }
  const actions: RollbackAction[] = [];
  const single = reversible.find((c) => c.setting === 'fSingleSessionPerUser');
  if (single) {
    const before = single.before as { present?: boolean; value?: number | null };
    const after = single.after as { value?: number | null };
    if (now.singleSession.value === null) {
      return unknownNow('fSingleSessionPerUser', notes);
    }
    if (now.singleSession.value !== after.value) {
      return drift(`fSingleSessionPerUser is ${now.singleSession.value} now, not the ${after.value} rdpfix set`, notes);
    }
    if (before.present === false || (before.value !== 0 && before.value !== 1)) {
      notes.push('fSingleSessionPerUser was absent before the fix; it is left at 0 because the absent default is not documented.');
    } else {
      actions.push({ kind: 'restore-single-session', value: before.value });
    }
  }
  const mode = reversible.find((c) => c.setting === 'LicensingMode');
  const servers = reversible.find((c) => c.setting === 'SpecifiedLicenseServers');
  if (mode && servers) {
    if (now.licensing.mode === null || now.licensing.servers === null) {
      return unknownNow('the licensing mode or the license server list', notes);
    }
    if (now.licensing.mode !== mode.after || !sameList(now.licensing.servers, servers.after)) {
      return drift(`licensing is mode ${now.licensing.mode} with [${now.licensing.servers.join(', ')}] now, not what rdpfix set`, notes);
    }
    actions.push({ kind: 'restore-licensing', mode: mode.before as LicensingModeCode, servers: norm(servers.before).length ? (servers.before as string[]) : [] });
  }
  if (actions.length === 0) {
    return { decision: 'refuse', reason: 'nothing_to_roll_back', detail: notes.join(' ') || 'Nothing to put back.', notes };
  }
  return { decision: 'rollback', actions, notes };
}

function unknownNow(what: string, notes: string[]): RollbackPlan {
  return {
    decision: 'refuse',
    reason: 'facts_incomplete',
    detail: `Not rolled back: ${what} could not be read now, so rdpfix cannot tell whether someone changed it after the fix. Run the rollback again; if the read keeps failing, check WMI on the server.`,
    notes,
  };
}

function drift(what: string, notes: string[]): RollbackPlan {
  return {
    decision: 'refuse',
    reason: 'drift',
    detail: `Not rolled back: ${what}. Someone or something changed it after the fix; rdpfix will not overwrite that.`,
    notes,
  };
}

export interface RollbackCheck {
  name: 'single_session_restored' | 'licensing_restored';
  passed: boolean;
  /** The value was written but Windows applies it only after a restart (WMI still shows the old one). */
  pendingRestart?: boolean;
  detail: string;
}

/**
 * After the rollback: every restored value reads back as it was before the fix. The licensing
 * mode is judged by WMI LicensingType (the verify facts), never by the registry value the
 * rollback wrote; `restartNeeded` (from restore-licensing) marks a mode Windows takes only after
 * TermService or the server restarts (modes 1 and 5 are written to the registry).
 */
export function verifyRollback(
  plan: Extract<RollbackPlan, { decision: 'rollback' }>,
  after: DiagnosisFacts,
  opts: { restartNeeded?: boolean } = {},
): { passed: boolean; checks: RollbackCheck[] } {
  const checks = plan.actions.map((a): RollbackCheck => {
    if (a.kind === 'restore-single-session') {
      const ok = after.singleSession.value === a.value;
      return { name: 'single_session_restored', passed: ok, detail: `fSingleSessionPerUser is ${after.singleSession.value ?? 'unknown'}, expected ${a.value}` };
    }
    const serversOk = after.licensing.servers !== null && sameList(after.licensing.servers, a.servers);
    const modeOk = after.licensing.mode === a.mode;
    const shown = `WMI LicensingType ${after.licensing.mode ?? 'unknown'} with [${(after.licensing.servers ?? ['unknown']).join(', ')}], expected mode ${a.mode} with [${a.servers.join(', ')}]`;
    if (serversOk && !modeOk && opts.restartNeeded && after.licensing.mode !== null) {
      return {
        name: 'licensing_restored',
        passed: false,
        pendingRestart: true,
        detail: `${shown}: LicensingMode ${a.mode} is written (RCM\\Licensing Core) and takes effect after TermService or the server restarts`,
      };
    }
    return { name: 'licensing_restored', passed: serversOk && modeOk, detail: shown };
  });
  return { passed: checks.every((c) => c.passed), checks };
}

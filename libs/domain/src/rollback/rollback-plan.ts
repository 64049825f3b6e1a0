import type { DiagnosisFacts, LicensingModeCode } from '../facts';

/** A change as recorded by the apply step (the rollback data). */
export interface RecordedChangeLike {
  action: string;
  setting: string;
  before: unknown;
  after: unknown;
  reversible: boolean;
}

export type RollbackAction =
  | { kind: 'restore-single-session'; value: 0 | 1 }
  | { kind: 'restore-licensing'; mode: LicensingModeCode; servers: string[] };

export type RollbackPlan =
  | { decision: 'rollback'; actions: RollbackAction[]; notes: string[] }
  | { decision: 'refuse'; reason: 'nothing_to_roll_back' | 'not_reversible' | 'drift'; detail: string; notes: string[] };

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

function drift(what: string, notes: string[]): RollbackPlan {
  return {
    decision: 'refuse',
    reason: 'drift',
    detail: `Not rolled back: ${what}. Someone or something changed it after the fix; rdpfix will not overwrite that.`,
    notes,
  };
}

/** After the rollback: every restored value reads back as it was before the fix. */
export function verifyRollback(plan: Extract<RollbackPlan, { decision: 'rollback' }>, after: DiagnosisFacts) {
  const checks = plan.actions.map((a) => {
    if (a.kind === 'restore-single-session') {
      const ok = after.singleSession.value === a.value;
      return { name: 'single_session_restored', passed: ok, detail: `fSingleSessionPerUser is ${after.singleSession.value}, expected ${a.value}` };
    }
    const ok = after.licensing.mode === a.mode && sameList(after.licensing.servers, a.servers);
    return {
      name: 'licensing_restored',
      passed: ok,
      detail: `licensing is mode ${after.licensing.mode} with [${after.licensing.servers.join(', ')}], expected mode ${a.mode} with [${a.servers.join(', ')}]`,
    };
  });
  return { passed: checks.every((c) => c.passed), checks };
}

import { Injectable } from '@nestjs/common';

/** One changing script, for one run id, on one instance. */
export interface LedgerRun {
  script: string;
  /** The runId parameter ('' when the script carried none). */
  runId: string;
  /** Sends of it the cloud accepted for this instance. */
  received: number;
  /** Times its body actually ran on the server (made, or tried to make, its change). */
  executed: number;
  /** Times the run-id guard refused it (already_ran): nothing was done. */
  refused: number;
}

export interface InstanceLedger {
  runs: LedgerRun[];
  byScript: Record<string, { received: number; executed: number; refused: number }>;
}

/**
 * What reached each simulated server, for the at-most-once tests (GET /admin/instances/:id/ledger):
 * every changing script by run id — received, executed, refused by the guard. It also holds the
 * run ids the scripts' guard has recorded on each server (the registry marker of _change.ps1).
 */
@Injectable()
export class RunLedger {
  private readonly runs = new Map<string, Map<string, LedgerRun>>();
  private readonly guards = new Map<string, Set<string>>();

  private entry(instanceId: string, script: string, runId: string | undefined): LedgerRun {
    let m = this.runs.get(instanceId);
    if (!m) this.runs.set(instanceId, (m = new Map()));
    const key = `${script}|${runId ?? ''}`;
    let e = m.get(key);
    if (!e) m.set(key, (e = { script, runId: runId ?? '', received: 0, executed: 0, refused: 0 }));
    return e;
  }

  received(instanceId: string, script: string, runId: string | undefined): void {
    this.entry(instanceId, script, runId).received += 1;
  }

  executed(instanceId: string, script: string, runId: string | undefined): void {
    this.entry(instanceId, script, runId).executed += 1;
  }

  refused(instanceId: string, script: string, runId: string | undefined): void {
    this.entry(instanceId, script, runId).refused += 1;
  }

  /** The script guard's marker: has this run id acted on this server already? */
  hasRun(instanceId: string, runId: string): boolean {
    return this.guards.get(instanceId)?.has(runId) ?? false;
  }

  markRun(instanceId: string, runId: string): void {
    let s = this.guards.get(instanceId);
    if (!s) this.guards.set(instanceId, (s = new Set()));
    s.add(runId);
  }

  view(instanceId: string): InstanceLedger {
    const runs = [...(this.runs.get(instanceId)?.values() ?? [])].map((r) => ({ ...r }));
    const byScript: InstanceLedger['byScript'] = {};
    for (const r of runs) {
      const s = (byScript[r.script] ??= { received: 0, executed: 0, refused: 0 });
      s.received += r.received;
      s.executed += r.executed;
      s.refused += r.refused;
    }
    return { runs, byScript };
  }

  clear(): void {
    this.runs.clear();
    this.guards.clear();
  }
}

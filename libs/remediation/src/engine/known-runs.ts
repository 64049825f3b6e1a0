import { Injectable } from '@nestjs/common';
import type { CommandRunEntity, RemediationEntity } from '@rdpfix/persistence';

/**
 * The command runs read in the same statement as their remediation's row (one read per wake
 * instead of a row read plus a run read per command). Held per row object: a row the engine wrote
 * and got back within the same job inherits them; any other row reads its runs from PostgreSQL.
 *
 * Why a snapshot is safe here: every use of a run is guarded by the database, not by this copy.
 * A run missing here is requested with INSERT … ON CONFLICT DO NOTHING, which returns the real
 * row if it exists; a run that moved on since is claimed, sent or closed only by compare-and-set
 * on its status and epoch, so a stale copy can only make the step wait, never act twice.
 */
@Injectable()
export class KnownRuns {
  private readonly byRow = new WeakMap<RemediationEntity, Map<string, CommandRunEntity>>();

  attach(row: RemediationEntity, runs: CommandRunEntity[]): void {
    this.byRow.set(row, new Map(runs.map((run) => [keyOf(run.purpose, run.attempt), run])));
  }

  /** `to` is the row a write of `from` returned: the runs are those of the same remediation. */
  carry(from: RemediationEntity, to: RemediationEntity): void {
    const runs = this.byRow.get(from);
    if (runs && from.id === to.id) this.byRow.set(to, runs);
  }

  /** A run this job saw end: later steps of the same job read this copy. */
  remember(row: RemediationEntity, run: CommandRunEntity): void {
    this.byRow.get(row)?.set(keyOf(run.purpose, run.attempt), run);
  }

  /** The run as read with the row; null: it did not exist then; undefined: not known, read it. */
  get(row: RemediationEntity, purpose: string, attempt: number): CommandRunEntity | null | undefined {
    const runs = this.byRow.get(row);
    if (!runs) return undefined;
    return runs.get(keyOf(purpose, attempt)) ?? null;
  }
}

function keyOf(purpose: string, attempt: number): string {
  return `${attempt}:${purpose}`;
}

import type { ChaosWorld } from './chaos-world';
import type { Submitted } from './run-chaos';

/** Changing scripts (libs/runbook contract): each may reach a server at most once per remediation. */
const CHANGING = ['set-single-session', 'configure-licensing', 'restore-licensing', 'remove-rdsh-role', 'restart-computer'];
/** How long an ending may legitimately outlive the deadline: the longest command limit or restart window it waits for. */
const ENDING_GRACE_MS = 240_000;

export interface Tally {
  lost: number;
  stuck: number;
  duplicates: number;
  falseFixed: number;
  internalErrors: number;
  outcomes: Record<string, number>;
  details: string[];
  simNote: string;
}

/** Counts, from PostgreSQL (the truth), Redis and the simulator's own record of what each server received. */
export async function tally(world: ChaosWorld, submitted: Submitted[]): Promise<Tally> {
  const details: string[] = [];
  const rows: { id: string; instance_id: string; state: string; outcome: string | null; reason: string | null; deadline_at: Date; finished_at: Date | null; updated_at: Date }[] =
    await world.ds.query(`SELECT id, instance_id, state, outcome, reason, deadline_at, finished_at, updated_at FROM remediations`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const outcomes: Record<string, number> = {};
  let lost = 0;
  let stuck = 0;
  let falseFixed = 0;
  let internalErrors = 0;
  const now = Date.now();
  for (const s of submitted) {
    const r = byId.get(s.id);
    if (!r) {
      lost++;
      details.push(`lost: ${s.id} was accepted but has no row`);
      continue;
    }
    const key = r.state === 'finished' ? `${r.outcome}${r.reason ? `/${r.reason}` : ''}` : r.state;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (r.reason === 'internal_error') internalErrors++;
    const endedAt = r.finished_at ? r.finished_at.getTime() : now;
    if (endedAt > r.deadline_at.getTime() + ENDING_GRACE_MS) {
      stuck++;
      details.push(`stuck: ${s.id} ${r.state} ${r.finished_at ? `finished ${((endedAt - r.deadline_at.getTime()) / 1000).toFixed(0)}s after its deadline` : 'still active past its deadline'}`);
    }
    if (r.state !== 'finished' && r.state !== 'awaiting_approval') {
      // Active at the end: lost when nothing would ever move it again (no live job in Redis).
      const job = await world.redis.hgetall(`${world.config.QUEUE_PREFIX}:remediations:rem-${s.id}`);
      const live = job && Object.keys(job).length > 0 && !job.finishedOn;
      if (!live && now - r.updated_at.getTime() > 10_000) {
        lost++;
        details.push(`lost: ${s.id} is ${r.state} with no job in Redis`);
      }
    }
    if (r.state === 'finished' && r.outcome === 'fixed') {
      const gt = await world.simHttp('GET', `/admin/instances/${s.instanceId}/ground-truth`);
      if (!gt.canRdp) {
        falseFixed++;
        details.push(`false fixed: ${s.id} on ${s.instanceId}: ${JSON.stringify(gt.reasons)}`);
      }
    }
  }
  let duplicates = 0;
  for (const s of submitted) {
    const body = await world.simHttp('GET', `/admin/instances/${s.instanceId}/commands`);
    const cmds: { scriptName: string | null }[] = Array.isArray(body) ? body : body.commands;
    for (const script of CHANGING) {
      const k = cmds.filter((c) => c.scriptName === script).length;
      if (k > 1) {
        duplicates += k - 1;
        details.push(`duplicate: ${s.instanceId} received ${script} ${k} times (remediation ${s.id})`);
      }
    }
  }
  const stats = await world.simHttp('GET', '/admin/stats');
  const simNote = `${stats.commandsSent} commands sent, ${stats.throttled} calls throttled, ${stats.reboots} reboots${stats.errors ? `, errors ${JSON.stringify(stats.errors)}` : ''}`;
  return { lost, stuck, duplicates, falseFixed, internalErrors, outcomes, details, simNote };
}

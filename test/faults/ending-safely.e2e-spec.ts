import { Client } from 'pg';
import { countScript } from '../support/commands';
import { Json, Stack } from '../support/stack';
import { seeds, sleep, until } from './support/seeded';

/**
 * Issue 8, defect 4: a remediation that must end (deadline, internal error) while its change is
 * on the server used to finish at once and free the instance; a second remediation could then
 * start while the first change still ran, and the first change's rollback data was lost.
 * Now the ending waits (bounded, rescheduling) for the change's final status, keeps the
 * instance's active slot meanwhile, cancels at the cloud what has not started, and records the
 * change. Each case counts what the simulator actually executed.
 */
const OSES = ['2012R2', '2016', '2019', '2022'];

describe('ending safely: no finish while a change runs', () => {
  let stack: Stack;
  let pg: Client;
  beforeAll(async () => {
    // The fix script runs 5 s on the server; deliveries take 1.2 s, so a change can be caught pending.
    stack = await Stack.start({ sim: { pendingMs: 1200, scriptRunMs: { 'set-single-session': 5000 } } });
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  const row = async (id: string): Promise<Json> => (await pg.query(`SELECT * FROM remediations WHERE id = $1`, [id])).rows[0];
  const events = async (id: string): Promise<string[]> => (await pg.query(`SELECT type FROM timeline_events WHERE remediation_id = $1 ORDER BY id`, [id])).rows.map((r) => r.type);
  const change = async (instanceId: string) => (await stack.simCommands(instanceId)).find((c) => c.scriptName === 'set-single-session');
  const finished = (id: string) => until(`remediation ${id} to finish`, async () => ((await row(id)).state === 'finished' ? row(id) : null), 90_000);
  /** While the first is ending, a second remediation for the same instance is refused (the slot is kept). */
  const secondIsRefused = async (instanceId: string) => {
    const res = await stack.http('POST', '/v1/remediations', { instanceId, region: 'eu-west-1', mode: 'diagnose' });
    expect(res.status).toBe(409);
  };

  for (const seed of seeds([11, 22, 33])) {
    const os = OSES[seed % OSES.length];

    it(`deadline while the change runs on the server: waits for it, keeps the instance, records the rollback data (seed ${seed}, ${os})`, async () => {
      const instanceId = await stack.instance(os, 'cause-a');
      const rem = await stack.submit({ instanceId, mode: 'fix' });
      await until('the change to run on the server', async () => (await change(instanceId))?.startedAt, 60_000, 50);
      await pg.query(`UPDATE remediations SET deadline_at = now() - interval '1 second' WHERE id = $1`, [rem.id]);
      await until('the ending to begin', async () => (await events(rem.id)).includes('ending'), 30_000, 50);
      // The change is still running, the remediation has not finished, the instance is still taken.
      if (!(await change(instanceId))!.endedAt) {
        expect((await row(rem.id)).state).toBe('running');
        await secondIsRefused(instanceId);
      }
      const r = await finished(rem.id);
      const cmd = (await change(instanceId))!;
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'failed', reason: 'deadline_exceeded' });
      expect(cmd.status).toBe('Success');
      expect(new Date(r.finished_at).getTime()).toBeGreaterThanOrEqual(new Date(cmd.endedAt).getTime());
      // Rollback data kept: the value before the change and after it.
      expect(r.changes).toEqual([expect.objectContaining({ setting: 'fSingleSessionPerUser', before: expect.objectContaining({ value: 1 }), reversible: true })]);
      expect(r.reason_detail).toMatch(/deadline/);
      expect(r.reason_detail).toMatch(/let finish: it succeeded/);
      expect(await events(rem.id)).toEqual(expect.arrayContaining(['ending', 'command_settled', 'finished']));
      // Only now may the next remediation start; the server received exactly one change.
      const second = await stack.submit({ instanceId, mode: 'diagnose' });
      expect((await finished(second.id)).outcome).toBe('diagnosed');
      expect(countScript(await stack.simCommands(instanceId), 'set-single-session')).toBe(1);
    }, 120_000);

    it(`deadline while the change waits for delivery: cancelled at the cloud, never executed (seed ${seed}, ${os})`, async () => {
      const instanceId = await stack.instance(os, 'cause-a');
      const rem = await stack.submit({ instanceId, mode: 'fix' });
      await until('the change to be sent', async () => await change(instanceId), 60_000, 20);
      // The agent goes away: the invocation stays Pending/Delayed at the cloud.
      await stack.setAgent(instanceId, false);
      const sent = (await change(instanceId))!;
      expect(sent.startedAt).toBeNull();
      await pg.query(`UPDATE remediations SET deadline_at = now() - interval '1 second' WHERE id = $1`, [rem.id]);
      await until('the cancel at the cloud', async () => (await events(rem.id)).includes('command_cancel_requested'), 30_000, 50);
      const r = await finished(rem.id);
      await stack.setAgent(instanceId, true);
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'failed', reason: 'deadline_exceeded' });
      const cmd = (await change(instanceId))!;
      expect({ status: cmd.status, effectApplied: cmd.effectApplied }).toEqual({ status: 'Cancelled', effectApplied: false });
      expect(r.changes).toEqual([]);
      expect((await stack.groundTruth(instanceId)).canRdp).toBe(false); // nothing was changed
      // Back online, the cancelled command never runs later.
      await sleep(1500);
      expect((await change(instanceId))!.effectApplied).toBe(false);
    }, 120_000);
  }

  for (const seed of seeds([44, 55])) {
    const os = OSES[seed % OSES.length];

    it(`internal error during apply: the change ends first, its values are recorded, the instance stays taken (seed ${seed}, ${os})`, async () => {
      const instanceId = await stack.instance(os, 'cause-a');
      const rem = await stack.submit({ instanceId, mode: 'fix' });
      await until('the change to run on the server', async () => (await change(instanceId))?.startedAt, 60_000, 50);
      // A row the apply step cannot read: every attempt throws (a bug, not an outage).
      await pg.query(`UPDATE remediations SET step_data = jsonb_set(step_data, '{actionIndex}', '"corrupt"') WHERE id = $1`, [rem.id]);
      await secondIsRefused(instanceId);
      const r = await finished(rem.id);
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'failed', reason: 'internal_error' });
      const cmd = (await change(instanceId))!;
      expect(cmd.status).toBe('Success');
      expect(new Date(r.finished_at).getTime()).toBeGreaterThanOrEqual(new Date(cmd.endedAt).getTime());
      expect(r.changes).toEqual([expect.objectContaining({ setting: 'fSingleSessionPerUser', before: expect.objectContaining({ value: 1 }) })]);
      expect(await events(rem.id)).toEqual(expect.arrayContaining(['ending', 'finished']));
      expect(countScript(await stack.simCommands(instanceId), 'set-single-session')).toBe(1);
    }, 120_000);
  }
});

import { Client } from 'pg';
import { CHANGING, countScript } from '../support/commands';
import { Stack } from '../support/stack';
import { seeds, until } from './support/seeded';

/**
 * Issue 8, defect 9 (engine side): a cancel accepted while a change runs is honoured at the next
 * step even when that step is the verification (it used to be ignored there and the remediation
 * ended `fixed`); and after an approval the worker asks the inventory again before it changes
 * anything, so an instance that changed owner in between gets nothing.
 */
const OSES = ['2012R2', '2016', '2019', '2022'];

describe('cancel and approval at the job’s next step', () => {
  let stack: Stack;
  let pg: Client;
  beforeAll(async () => {
    stack = await Stack.start({ sim: { scriptRunMs: { 'set-single-session': 2500 } } });
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  for (const seed of seeds([3, 6])) {
    const os = OSES[seed % OSES.length];

    it(`a cancel accepted while the last change runs ends the remediation cancelled before verification, with the change recorded (seed ${seed}, ${os})`, async () => {
      const instanceId = await stack.instance(os, 'cause-a');
      const rem = await stack.submit({ instanceId, mode: 'fix' });
      await until('the change to run', async () => (await stack.simCommands(instanceId)).find((c) => c.scriptName === 'set-single-session')?.startedAt, 60_000, 50);
      const res = await stack.http('POST', `/v1/remediations/${rem.id}/cancel`);
      expect(res.status).toBe(202);
      const r = await stack.waitFor(rem.id, ['finished'], 60_000);
      expect(r.outcome).toBe('cancelled');
      expect(r.reasonDetail).toMatch(/changes already applied stay in place/);
      // The change that was running ended first and its values are kept for a rollback.
      expect(r.changes).toEqual([expect.objectContaining({ setting: 'fSingleSessionPerUser', reversible: true })]);
      expect(countScript(await stack.simCommands(instanceId), 'set-single-session')).toBe(1);
    });

    it(`an instance that changed owner after the approval gets no change (seed ${seed}, ${os})`, async () => {
      const instanceId = await stack.instance(os, 'cause-b');
      const rem = await stack.submit({ instanceId, mode: 'fix' });
      expect((await stack.waitFor(rem.id, ['awaiting_approval'], 60_000)).state).toBe('awaiting_approval');
      // The worker is away while the approval comes in and the instance changes hands.
      await stack.stopInProcessWorker();
      expect((await stack.http('POST', `/v1/remediations/${rem.id}/approve`)).status).toBe(202);
      await stack.http('PUT', `${stack.simUrl}/admin/instances/${instanceId}/owner`, { tenantId: 'tenant-other' });
      await stack.startInProcessWorker();
      const r = await stack.waitFor(rem.id, ['finished'], 60_000);
      expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'failed', reason: 'instance_not_found' });
      expect(r.reasonDetail).toMatch(/after the approval/);
      const cmds = await stack.simCommands(instanceId);
      for (const s of CHANGING) expect({ s, n: countScript(cmds, s) }).toEqual({ s, n: 0 });
    });
  }
});

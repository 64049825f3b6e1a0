import { Client } from 'pg';
import { RemediationRepository } from '@rdpfix/persistence';
import { countScript } from '../support/commands';
import { Json, Stack } from '../support/stack';
import { expectErrorShape } from './support/error-shape';

const types = (r: Json): string[] => r.timeline.map((e: Json) => e.type);

/** Polls the remediation until `pred` holds (bounded). */
async function until(stack: Stack, id: string, pred: (r: Json) => boolean, timeoutMs = 30_000): Promise<Json> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await stack.get(id);
    if (pred(r)) return r;
    if (Date.now() > end) throw new Error(`condition not met for ${id}: ${r.state}/${r.step} ${JSON.stringify(types(r))}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/**
 * Issue 8 items that live in the API (9: approvals and cancels): an approval given after the
 * remediation's deadline still completes; a cancel is refused with a reason once the restart was
 * sent; and an approve or cancel takes effect at the job's next step, not at the reconciler's.
 */
describe('approvals and cancels (issue 8, API side)', () => {
  describe('approvals against the deadline; cancels around a slow reboot', () => {
    let stack: Stack;
    beforeAll(async () => {
      // The server stays down 4 s on a restart so a cancel can arrive while it is away.
      stack = await Stack.start({ config: { APPROVAL_TTL_S: 86400 }, sim: { rebootDownMs: 4000 } });
    });
    afterAll(async () => stack.close());

    it('an approval given after the deadline passed is accepted and the remediation finishes (not deadline_exceeded)', async () => {
      const inst = await stack.instance('2022', 'cause-b');
      const c = await stack.submit({ instanceId: inst, mode: 'fix' });
      const parked = await stack.waitFor(c.id, ['awaiting_approval']);
      // Parking gives the approval window plus a whole deadline...
      expect(new Date(parked.deadlineAt).getTime()).toBeGreaterThan(new Date(parked.approvalExpiresAt).getTime());
      // ...but a remediation parked with an earlier deadline (an older release parked it, or the
      // approval came late in a long window) must not die after an accepted approval: its
      // deadline is now behind it (the defaults' REMEDIATION_DEADLINE_S 1 h vs APPROVAL_TTL_S 24 h).
      const pg = new Client({ connectionString: stack.dbUrl });
      await pg.connect();
      await pg.query(`UPDATE remediations SET deadline_at = now() - interval '1 minute' WHERE id = $1`, [c.id]);
      await pg.end();

      const approvedAt = Date.now();
      const approved = await stack.http('POST', `/v1/remediations/${c.id}/approve`);
      expect(approved.status).toBe(202);
      // Before the fix: 202 here, then `failed (deadline_exceeded)` below (issue 8, defect 3).
      const done = await stack.waitFor(c.id);
      expect({ outcome: done.outcome, reason: done.reason }).toEqual({ outcome: 'fixed', reason: null });
      expect(done.rebooted).toBe(true);
      // The deadline moved to leave the restart (delivery + run), the reboot window and a last verify their time.
      const cfg = stack.config;
      const needMs = (cfg.REBOOT_DEADLINE_S + 2 * (cfg.DELIVERY_TIMEOUT_S + cfg.COMMAND_TIMEOUT_S)) * 1000;
      expect(new Date(approved.body.deadlineAt).getTime()).toBeGreaterThanOrEqual(approvedAt + needMs);
      expect(done.timeline.find((e: Json) => e.type === 'approved').message).toMatch(/deadline moved to/);
      expect(countScript(await stack.simCommands(inst), 'restart-computer')).toBe(1);
    });

    it('a cancel after the restart was sent is refused with 409 saying the restart is under way, and the fix completes', async () => {
      const inst = await stack.instance('2022', 'cause-b');
      const c = await stack.submit({ instanceId: inst, mode: 'fix', allowReboot: true });
      await until(stack, c.id, (r) => types(r).includes('reboot_scheduled') || r.state === 'finished');
      const res = await stack.http('POST', `/v1/remediations/${c.id}/cancel`);
      expect(res.status).toBe(409);
      expectErrorShape(res.body, 409);
      expect(res.body.error).toBe('restart_in_progress');
      expect(res.body.message).toMatch(/the restart was sent .*under way/);
      const r = await stack.waitFor(c.id);
      expect(r).toEqual(expect.objectContaining({ outcome: 'fixed', cancelRequested: false }));
      expect(types(r)).not.toContain('cancel_requested');
    });

    it('a cancel before the restart is still honoured (the restart is not sent)', async () => {
      const inst = await stack.instance('2022', 'cause-b');
      const c = await stack.submit({ instanceId: inst, mode: 'fix', allowReboot: false });
      await stack.waitFor(c.id, ['awaiting_approval']);
      const res = await stack.http('POST', `/v1/remediations/${c.id}/cancel`);
      expect(res.status).toBe(202);
      expect((await stack.waitFor(c.id)).outcome).toBe('cancelled');
      expect(countScript(await stack.simCommands(inst), 'restart-computer')).toBe(0);
    });
  });

  describe('with long poll delays (the job sleeps 30 s between polls; the reconciler runs every 2 min)', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await Stack.start({
        config: { POLL_INTERVAL_MS: 30_000, POLL_MAX_INTERVAL_MS: 30_000, RECONCILE_INTERVAL_MS: 120_000 },
        sim: { scriptRunMs: { diagnose: 120_000 } },
      });
    });
    afterAll(async () => stack.close());

    it('a cancel while the job sits in its delay takes effect at once, not after the delay', async () => {
      const inst = await stack.instance('2019', 'cause-a');
      const c = await stack.submit({ instanceId: inst, mode: 'fix' });
      // The diagnose command is out and the job now waits 30 s for its first poll.
      await until(stack, c.id, (r) => types(r).includes('command_sent'));
      const sentAt = Date.now();
      const res = await stack.http('POST', `/v1/remediations/${c.id}/cancel`);
      expect(res.status).toBe(202);
      const r = await stack.waitFor(c.id, ['finished'], 15_000);
      expect(r.outcome).toBe('cancelled');
      // Well inside the 30 s poll delay (and the reconciler's 2 min): the job was woken up.
      expect(Date.now() - sentAt).toBeLessThan(15_000);
      expect(countScript(await stack.simCommands(inst), 'set-single-session')).toBe(0);
    });

    it('a cancel when only the read-only verification is left is refused with 409 saying so (not ignored)', async () => {
      // As the engine leaves it after the last change of a fix without reboot (the reconciler of
      // this stack does not look for 2 min, so nothing moves it meanwhile).
      const r = await stack['api']!.get(RemediationRepository).insert({
        instanceId: 'i-0bbbbbbbbbbbbbbb1', region: 'eu-west-1', tenantId: 'tenant-a', mode: 'fix', strategy: 'remove-role', source: 'api',
        state: 'running', step: 'verify', deadlineAt: new Date(Date.now() + 3600_000),
      });
      const res = await stack.http('POST', `/v1/remediations/${r.id}/cancel`);
      expect(res.status).toBe(409);
      expectErrorShape(res.body, 409);
      expect(res.body).toEqual(expect.objectContaining({ error: 'verification_in_progress', state: 'running' }));
      expect((await stack.get(r.id)).cancelRequested).toBe(false);
    });
  });
});

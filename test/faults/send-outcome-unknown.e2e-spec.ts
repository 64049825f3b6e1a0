import { Json, Stack } from '../support/stack';
import { duplicates, ledger, SEEDS } from './support/send-faults';

/**
 * Defect 1, the other half: when the listing never shows the command within the lookup bound
 * (here SEND_LOOKUP_MAX_S = 4 s; in production the delivery timeout), the engine must not guess
 * "not sent". The run ends send_outcome_unknown, the remediation failed (send_outcome_unknown)
 * with a message that says so, and the server received the command once — never twice.
 */
describe.each(SEEDS)('a send whose outcome stays unknown (seed %i)', (seed) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ sim: { seed }, config: { SEND_LOOKUP_MAX_S: 4 } });
  });
  afterAll(async () => stack.close());

  const lostForever = (script: string) => ({ dropSendResponseRate: 1, sendFaultScripts: [script], delayListingMs: 3_600_000 });

  it('a fix: failed (send_outcome_unknown), sent and executed once, never resent', async () => {
    const id = await stack.instance('2019', 'cause-a');
    await stack.setFaults(id, lostForever('set-single-session'));
    const r = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix' })).id, ['finished'], 60_000);
    expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'failed', reason: 'send_outcome_unknown' });
    expect(r.reasonDetail).toMatch(/cannot tell whether set-single-session reached the server/);
    expect(r.reasonDetail).toMatch(/not sent again/);
    const types = r.timeline.map((e: Json) => e.type);
    expect(types).toContain('command_send_unknown');
    expect(types).toContain('command_send_outcome_unknown');
    expect(types).not.toContain('command_recovered');
    const l = await ledger(stack, id);
    expect(duplicates(l)).toEqual([]);
    // It did reach the server (only the answer and the listing were lost): once.
    expect(l.byScript['set-single-session']).toEqual({ received: 1, executed: 1, refused: 0 });
  }, 90_000);

  it('a restart: failed (send_outcome_unknown), the restart sent once, nothing after it', async () => {
    const id = await stack.instance('2019', 'cause-b');
    await stack.setFaults(id, lostForever('restart-computer'));
    const r = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true })).id, ['finished'], 60_000);
    expect({ outcome: r.outcome, reason: r.reason }).toEqual({ outcome: 'failed', reason: 'send_outcome_unknown' });
    expect(r.reasonDetail).toMatch(/^The restart may or may not have been scheduled\./);
    const l = await ledger(stack, id);
    expect(duplicates(l)).toEqual([]);
    expect(l.byScript['remove-rdsh-role']).toEqual({ received: 1, executed: 1, refused: 0 });
    expect(l.byScript['restart-computer']).toEqual({ received: 1, executed: 1, refused: 0 });
    // Nothing was sent after the unknown restart (no verify on a remediation that ended).
    const cmds = await stack.simCommands(id);
    expect(cmds[cmds.length - 1].scriptName).toBe('restart-computer');
  }, 90_000);
});

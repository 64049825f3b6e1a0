import { INestApplicationContext } from '@nestjs/common';
import { RemediationEngine } from '@rdpfix/remediation';
import { createWorkerApp } from '../../apps/worker/src/bootstrap';
import { Json, Stack } from '../support/stack';
import { duplicates, ledger, SEEDS } from './support/send-faults';

const PRESETS = ['cause-a', 'cause-b', 'cause-a-and-b'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Submits `n` fix remediations (with consent to restart) on fresh instances. */
async function submitMany(stack: Stack, n: number): Promise<{ ids: string[]; rems: Json[] }> {
  const ids: string[] = [];
  const rems: Json[] = [];
  for (let i = 0; i < n; i++) {
    const id = await stack.instance('2019', PRESETS[i % PRESETS.length]);
    ids.push(id);
    rems.push(await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true }));
  }
  return { ids, rems };
}

/** Everything the simulated servers executed: no changing command twice, and every server fixed. */
async function expectAtMostOnce(stack: Stack, ids: string[], finals: Json[]): Promise<void> {
  for (const [i, r] of finals.entries()) {
    expect({ i, outcome: r.outcome, reason: r.reason }).toEqual({ i, outcome: 'fixed', reason: null });
    const l = await ledger(stack, ids[i]);
    expect({ i, dup: duplicates(l) }).toEqual({ i, dup: [] });
    for (const s of Object.values(l.byScript)) expect(s.executed).toBe(1);
  }
}

/**
 * Defect 2 (issue 8): nothing fenced a run in `sending`, so two runners could both send. Two
 * workers run on the same queue (child processes, needs `npm run build`), and two engines in one
 * process race `advance()` on the same remediations, with a third of all send answers lost and
 * listings lagging: every transition is a compare-and-set on (status, send epoch), so each
 * changing command reaches each server once. Counted on the simulator, over several seeds.
 */
describe.each(SEEDS)('two workers at once (seed %i)', (seed) => {
  let stack: Stack;
  beforeAll(async () => {
    // A lost answer is looked up by marker until DELIVERY_TIMEOUT_S; on a loaded CI machine (two
    // worker processes, two engines and the simulator on 2 cores) 30 s was sometimes not enough to
    // see the lagging listing, and the run then ends send_outcome_unknown (safe, but not what this
    // test is about: it counts executions on the servers).
    stack = await Stack.start({ worker: 'none', config: { DELIVERY_TIMEOUT_S: 90 }, sim: { seed, faults: { dropSendResponseRate: 0.3, delayListingMs: 800 } } });
  });
  afterAll(async () => stack.close());

  it('two worker processes on one queue: no changing command reaches a server twice', async () => {
    stack.spawnWorker();
    stack.spawnWorker();
    const { ids, rems } = await submitMany(stack, 9);
    const finals = await Promise.all(rems.map((r) => stack.waitFor(r.id, ['finished'], 120_000)));
    await expectAtMostOnce(stack, ids, finals);
  }, 180_000);

  it('two engines racing advance() on the same remediations: every send claimed once', async () => {
    const apps: INestApplicationContext[] = [await createWorkerApp(stack.config), await createWorkerApp(stack.config)];
    try {
      const engines = apps.map((a) => a.get(RemediationEngine));
      const { ids, rems } = await submitMany(stack, 6);
      const raced = rems.map(async (r) => {
        // Besides the queue's own jobs, both engines advance the same row at the same moment.
        for (let i = 0; i < 400; i++) {
          if ((await stack.get(r.id)).state === 'finished') return;
          await Promise.all(engines.map((e) => e.advance(r.id).catch(() => undefined)));
          await sleep(30);
        }
      });
      await Promise.all(raced);
      const finals = await Promise.all(rems.map((r) => stack.waitFor(r.id, ['finished'], 120_000)));
      await expectAtMostOnce(stack, ids, finals);
    } finally {
      for (const a of apps) await a.close();
    }
  }, 180_000);
});

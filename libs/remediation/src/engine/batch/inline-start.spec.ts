import type { AppConfig } from '@rdpfix/config';
import type { RemediationEntity } from '@rdpfix/persistence';
import type { RemediationDispatcher } from '@rdpfix/queue';
import type { RemediationEngine } from '../remediation-engine';
import type { BatchWorkerService } from './batch-worker.service';
import { InlineAdvance } from './inline-advance';

/**
 * Inline starts are bounded per process: a campaign at 100 % may claim tens of thousands of
 * targets in a few ticks, and each start's first step waits (no CPU) on a batched call. At most
 * 200 advance at once; the rest queue; one that waited half its safety delay is left to its job.
 */
describe('InlineAdvance.start', () => {
  function make(safetyMs = 30_000) {
    let held: Promise<void> | null = null;
    const gate = {
      hold: () => {
        let open!: () => void;
        held = new Promise<void>((r) => (open = r));
        return () => {
          held = null;
          open();
        };
      },
    };
    let inFlight = 0;
    let maxInFlight = 0;
    const advanced: string[] = [];
    const reads: number[] = [];
    const engine = {
      readMany: async (ids: string[]) => {
        reads.push(ids.length);
        return new Map(ids.map((id) => [id, { id } as RemediationEntity]));
      },
      readShared: async (id: string) => ({ id }) as RemediationEntity,
      advanceUntilWait: async (id: string, _max: number, known?: RemediationEntity) => {
        if (known?.id !== id) reads.push(1); // every start comes with its row, read in a shared statement
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (held) await held;
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        advanced.push(id);
        return { kind: 'wait' as const, ms: 1000 };
      },
    };
    const rescheduled: string[] = [];
    const dispatcher = { reschedule: async (id: string) => void rescheduled.push(id), retire: async () => undefined };
    const inline = new InlineAdvance(
      { BATCH_INLINE_ADVANCE: true, BATCH_SAFETY_WAKE_MS: safetyMs, SHUTDOWN_GRACE_MS: 20_000 } as AppConfig,
      engine as unknown as RemediationEngine,
      dispatcher as unknown as RemediationDispatcher,
      { wake: async () => undefined, wakeAll: async () => undefined } as unknown as BatchWorkerService,
    );
    return { inline, advanced, rescheduled, reads, gate, max: () => maxInFlight };
  }

  it('10,000 claimed by ten ticks at once (the queue compacts as it drains): every one is started and rescheduled, never more than 200 at a time', async () => {
    const { inline, advanced, rescheduled, reads, max } = make();
    const ids = Array.from({ length: 10_000 }, (_, i) => `r${i}`);
    await Promise.all(Array.from({ length: 10 }, (_, t) => inline.start(ids.slice(t * 1000, (t + 1) * 1000))));
    // Lanes started by an earlier call may still be draining the queue: wait for them.
    while (advanced.length < 10_000) await new Promise((r) => setTimeout(r, 5));
    expect(new Set(advanced)).toEqual(new Set(ids));
    expect(advanced).toHaveLength(10_000);
    expect(new Set(rescheduled)).toEqual(new Set(ids));
    expect(max()).toBe(200);
    expect(reads).toEqual([]);
  });

  it('one that waited half its safety delay in the queue is left to its job', async () => {
    const { inline, advanced, gate } = make(1000);
    const release = gate.hold();
    const blockers = inline.start(Array.from({ length: 200 }, (_, i) => `block${i}`)); // every lane busy
    const queued = inline.start(['old']); // waits in the queue
    const now = Date.now();
    const spy = jest.spyOn(Date, 'now').mockReturnValue(now + 600); // more than half of 1 s later
    release();
    await Promise.all([blockers, queued]);
    spy.mockRestore();
    await inline.start(['fresh']);
    expect(advanced).not.toContain('old');
    expect(advanced).toContain('fresh');
    expect(advanced.filter((id) => id.startsWith('block'))).toHaveLength(200);
  });

  it('on shutdown: the starts under way finish their step, the queued ones and later ones are left to their jobs', async () => {
    const { inline, advanced, rescheduled, gate } = make();
    const release = gate.hold();
    const ids = Array.from({ length: 300 }, (_, i) => `r${i}`);
    const started = inline.start(ids); // 200 under way (held), 100 queued
    await new Promise((r) => setTimeout(r, 10));
    const drained = inline.beforeApplicationShutdown();
    let done = false;
    void drained.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // waits for the steps under way
    release();
    await drained;
    await started;
    expect(advanced).toHaveLength(200);
    expect(new Set(advanced)).toEqual(new Set(ids.slice(0, 200)));
    expect(rescheduled).toHaveLength(200);
    await inline.start(['late']);
    expect(advanced).not.toContain('late');
  });
});

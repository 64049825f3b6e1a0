import { Injectable } from '@nestjs/common';

/** A SendCommand the simulator is holding open (fault `holdSends`). */
export interface HeldSend {
  id: number;
  instanceIds: string[];
  /** 'before': not acted on yet; 'after': the command exists and runs, the answer is held. */
  stage: 'before' | 'after';
  since: string;
  /** The command id when stage is 'after'. */
  commandId: string | null;
}

const CHECK_MS = 20;
const MAX_HOLD_MS = 10 * 60_000;

/**
 * The sends held open right now, so a test can kill the caller at the exact moment
 * (GET /admin/held-sends): a kill timed on an event, not on the clock.
 */
@Injectable()
export class HeldSends {
  private next = 1;
  private readonly held = new Map<number, HeldSend>();

  list(): HeldSend[] {
    return [...this.held.values()];
  }

  /**
   * Holds until the caller goes away ('closed') or the hold no longer applies ('released').
   * `stillHeld` is asked every few milliseconds (the fault may be cleared meanwhile).
   */
  async hold(entry: Omit<HeldSend, 'id' | 'since'>, closed: () => boolean, stillHeld: () => boolean): Promise<'closed' | 'released'> {
    const id = this.next++;
    this.held.set(id, { ...entry, id, since: new Date().toISOString() });
    const end = Date.now() + MAX_HOLD_MS;
    try {
      for (;;) {
        if (closed()) return 'closed';
        if (!stillHeld() || Date.now() > end) return 'released';
        await new Promise((r) => setTimeout(r, CHECK_MS).unref());
      }
    } finally {
      this.held.delete(id);
    }
  }

  clear(): void {
    this.held.clear();
  }
}

/**
 * Where a group's claim starts reading (its `requested_at` floor), per process.
 *
 * Why: a claimed run leaves the partial index of requested runs only at the next VACUUM; until
 * then every claim of its group walks past its (killed) entry. Read from the start, a claim's cost
 * grows with the runs claimed since the last VACUUM: 769 buffer reads for one claim's scan behind
 * 199,000 claimed runs, 16 from a floor (docs/batching.md). So a claim starts at the oldest run the
 * last claim of its group took, less a margin.
 *
 * Why that is safe: `requested_at` is the requesting transaction's start, so a run can become
 * visible after runs requested later; one that commits more than FLOOR_MARGIN_MS after it began,
 * or one put back to `requested` (an unsent or split batch), can sit below the floor. Every
 * FULL_CLAIM_EVERY_MS a group's claim reads from the start again, and a floored claim that finds
 * nothing drops the floor and the caller claims again from the start: such a run waits at most
 * that long.
 */
export const FLOOR_MARGIN_MS = 10_000;
export const FULL_CLAIM_EVERY_MS = 5_000;
/** The claim's floor when it reads from the start (a timestamptz PostgreSQL accepts). */
export const NO_FLOOR = '-infinity';
/** Groups remembered (a bound, not a cache policy: the map is cleared when it is reached). */
const MAX_GROUPS = 10_000;

interface Floor {
  /** Oldest claimed run's requested_at less the margin (ms since epoch), or null: read from the start. */
  at: number | null;
  /** When this group's claim last read from the start. */
  fullAt: number;
}

export class ClaimFloors {
  private readonly groups = new Map<string, Floor>();

  /** The floor for the next claim of a group: NO_FLOOR when none is known or a full read is due. */
  next(region: string, key: string, now = Date.now()): string {
    const f = this.groups.get(groupOf(region, key));
    if (!f || f.at === null || now - f.fullAt >= FULL_CLAIM_EVERY_MS) {
      this.set(region, key, { at: f?.at ?? null, fullAt: now });
      return NO_FLOOR;
    }
    return new Date(f.at).toISOString();
  }

  /** A claim took runs; the oldest of them was requested at `oldest`. */
  claimed(region: string, key: string, oldest: Date | string): void {
    const t = new Date(oldest).getTime();
    if (!Number.isFinite(t)) return;
    const f = this.groups.get(groupOf(region, key));
    this.set(region, key, { at: t - FLOOR_MARGIN_MS, fullAt: f?.fullAt ?? 0 });
  }

  /** A claim from a floor found nothing: the next one reads from the start. */
  missed(region: string, key: string): void {
    this.groups.delete(groupOf(region, key));
  }

  size(): number {
    return this.groups.size;
  }

  private set(region: string, key: string, f: Floor): void {
    if (this.groups.size >= MAX_GROUPS && !this.groups.has(groupOf(region, key))) this.groups.clear();
    this.groups.set(groupOf(region, key), f);
  }
}

function groupOf(region: string, key: string): string {
  return `${region}\u0000${key}`;
}

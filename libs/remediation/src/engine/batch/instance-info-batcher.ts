import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { COMMAND_CHANNEL, CommandChannel, InstanceInfo, withBudgetPriority } from '@rdpfix/channel';
import type { RemediationEntity } from '@rdpfix/persistence';

interface Waiter {
  instanceId: string;
  resolve: (info: InstanceInfo | undefined) => void;
  reject: (err: unknown) => void;
}

/** A lookup waits this long for others to join it (bounded, a timer: no CPU). */
const LINGER_MS = 25;
/** An instance asked about within this long is "watched": its state rides along in later calls. */
const WATCH_MS = 15_000;
/** Bound of the per-process maps (memory stays flat whatever the fleet size). */
const MAX_ENTRIES = 20_000;

/**
 * DescribeInstanceInformation for many instances in one call (issue 10). Campaign prechecks and
 * reboot watches in this process ask through here:
 * - lookups arriving within LINGER_MS, and every lookup that arrives while a call is in flight
 *   (at most one per region), go out together in one call (up to 50 ids);
 * - a call not full yet is filled with other instances this process is watching (restarts in
 *   progress), oldest answer first, and every answer is kept for a fraction of the poll interval,
 *   so a watch that polls soon after finds its answer without a call of its own.
 * A single fix asks the channel directly, at the top priority.
 */
@Injectable()
export class InstanceInfoBatcher {
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly busy = new Set<string>();
  /** instanceId -> last answer (undefined = not registered) and when it was read. */
  private readonly cache = new Map<string, { info: InstanceInfo | undefined; at: number }>();
  /** region -> instanceId -> when it was last asked about. */
  private readonly watched = new Map<string, Map<string, number>>();

  constructor(
    private readonly config: AppConfig,
    @Inject(COMMAND_CHANNEL) private readonly channel: CommandChannel,
  ) {}

  private get freshMs(): number {
    return Math.max(50, Math.round(this.config.POLL_INTERVAL_MS * 0.6));
  }

  lookup(r: RemediationEntity, batched: boolean): Promise<InstanceInfo | undefined> {
    if (!batched) return this.channel.instanceInfo(r.region, [r.instanceId]).then((m) => m.get(r.instanceId));
    const now = Date.now();
    const w = this.watched.get(r.region) ?? new Map<string, number>();
    this.watched.set(r.region, w);
    w.delete(r.instanceId);
    w.set(r.instanceId, now); // re-inserted: the map stays in order of last interest
    const hit = this.cache.get(r.instanceId);
    if (hit && now - hit.at <= this.freshMs) return Promise.resolve(hit.info);
    return new Promise((resolve, reject) => {
      const q = this.waiting.get(r.region) ?? [];
      q.push({ instanceId: r.instanceId, resolve, reject });
      this.waiting.set(r.region, q);
      if (!this.busy.has(r.region)) {
        this.busy.add(r.region);
        setTimeout(() => void this.flush(r.region), LINGER_MS);
      }
    });
  }

  private async flush(region: string): Promise<void> {
    const q = this.waiting.get(region) ?? [];
    if (!q.length) {
      this.busy.delete(region);
      return;
    }
    const max = Math.max(1, this.channel.maxInstancesPerSend);
    const batch = q.splice(0, max);
    const ids = [...new Set(batch.map((w) => w.instanceId))];
    for (const id of this.ridealong(region, new Set(ids), max - ids.length)) ids.push(id);
    try {
      const found = await withBudgetPriority('info', () => this.channel.instanceInfo(region, ids));
      const at = Date.now();
      for (const id of ids) this.cache.set(id, { info: found.get(id), at });
      if (this.cache.size > MAX_ENTRIES) for (const k of [...this.cache.keys()].slice(0, this.cache.size - MAX_ENTRIES)) this.cache.delete(k);
      for (const w of batch) w.resolve(found.get(w.instanceId));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      if ((this.waiting.get(region) ?? []).length) void this.flush(region);
      else this.busy.delete(region);
    }
  }

  /** Up to `room` watched instances of the region whose answer is the oldest (forgets stale watches). */
  private ridealong(region: string, taken: Set<string>, room: number): string[] {
    const w = this.watched.get(region);
    if (!w || room <= 0) return [];
    const now = Date.now();
    for (const [id, at] of w) {
      if (now - at <= WATCH_MS && w.size <= MAX_ENTRIES) break;
      w.delete(id); // oldest interest first: stale, or over the bound
    }
    return [...w.keys()]
      .filter((id) => !taken.has(id))
      .map((id) => ({ id, at: this.cache.get(id)?.at ?? 0 }))
      .sort((a, b) => a.at - b.at)
      .slice(0, room)
      .map((x) => x.id);
  }
}

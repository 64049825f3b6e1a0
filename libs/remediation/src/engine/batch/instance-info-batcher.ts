import { Inject, Injectable } from '@nestjs/common';
import { COMMAND_CHANNEL, CommandChannel, InstanceInfo, withBudgetPriority } from '@rdpfix/channel';
import type { RemediationEntity } from '@rdpfix/persistence';

interface Waiter {
  instanceId: string;
  resolve: (info: InstanceInfo | undefined) => void;
  reject: (err: unknown) => void;
}

/** A lookup waits this long for others to join it (bounded, a timer: no CPU). */
const LINGER_MS = 25;

/**
 * DescribeInstanceInformation for many instances in one call (issue 10). Campaign prechecks and
 * reboot watches in this process ask through here: lookups arriving within LINGER_MS, and every
 * lookup that arrives while a call is in flight (at most one per region), go out together in one
 * call (up to 50). A single fix asks the channel directly, at the top priority.
 */
@Injectable()
export class InstanceInfoBatcher {
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly busy = new Set<string>();

  constructor(@Inject(COMMAND_CHANNEL) private readonly channel: CommandChannel) {}

  lookup(r: RemediationEntity, batched: boolean): Promise<InstanceInfo | undefined> {
    if (!batched) return this.channel.instanceInfo(r.region, [r.instanceId]).then((m) => m.get(r.instanceId));
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
    this.busy.add(region);
    try {
      const ids = [...new Set(batch.map((w) => w.instanceId))];
      const found = await withBudgetPriority('info', () => this.channel.instanceInfo(region, ids));
      for (const w of batch) w.resolve(found.get(w.instanceId));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.busy.delete(region);
      if ((this.waiting.get(region) ?? []).length) void this.flush(region);
    }
  }
}

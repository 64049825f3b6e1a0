import { Injectable } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { ChannelError, ChannelThrottledError } from '@rdpfix/channel';
import { RemediationEntity } from '@rdpfix/persistence';
import { StepHandler, StepOutcome } from '../step-outcome';
import { BatchedRuns } from '../batch/batched-runs';
import { InstanceInfoBatcher } from '../batch/instance-info-batcher';
import { InventoryBatcher } from '../batch/inventory-batcher';

const VNC_ADVICE = 'Use the cloud console\'s VNC (remote console) to log in, then check that the SSM agent service is running.';

/**
 * Step 1, before anything is sent: does the instance exist, still belong to the remediation's
 * tenant (live inventory), run Windows, and is its guest agent online? Offline means nothing can
 * be done through the channel.
 */
@Injectable()
export class PrecheckStep implements StepHandler {
  readonly step = 'precheck' as const;

  constructor(
    private readonly config: AppConfig,
    private readonly info: InstanceInfoBatcher,
    private readonly batched: BatchedRuns,
    private readonly inventory: InventoryBatcher,
  ) {}

  async run(r: RemediationEntity): Promise<StepOutcome> {
    // The inventory says whose instance this is and whether it is Windows at all (campaign
    // targets share one call: inventory-batcher.ts).
    const batched = this.batched.handles(r);
    let owner;
    try {
      owner = await this.inventory.find(r.instanceId, r.region, batched);
    } catch {
      return { kind: 'wait', ms: this.config.POLL_INTERVAL_MS };
    }
    if (!owner) {
      return { kind: 'finish', outcome: 'failed', reason: 'instance_not_found', detail: `The cloud inventory has no instance ${r.instanceId}.` };
    }
    // The instance must still belong to the tenant the remediation was made for: an instance that
    // changed owner since (a console request, a rollback, a retry after a restore) gets nothing.
    if (r.tenantId !== null && owner.tenantId !== r.tenantId) {
      return {
        kind: 'finish',
        outcome: 'failed',
        reason: 'instance_not_found',
        detail: `${r.instanceId} no longer belongs to tenant ${r.tenantId}, for whom this remediation was made; nothing was sent to it.`,
      };
    }
    if (owner.region !== r.region) {
      return { kind: 'finish', outcome: 'failed', reason: 'instance_not_found', detail: `${r.instanceId} is in ${owner.region}, not ${r.region}.` };
    }
    if (!/windows/i.test(owner.platform)) {
      return { kind: 'finish', outcome: 'failed', reason: 'unsupported_os', detail: `${r.instanceId} runs ${owner.platform}, not Windows.` };
    }
    const tenantPatch = r.tenantId ? {} : { tenantId: owner.tenantId };
    let info;
    try {
      info = await this.info.lookup(r, batched);
    } catch (err) {
      if (err instanceof ChannelThrottledError) return { kind: 'wait', ms: err.retryAfterMs };
      if (err instanceof ChannelError && err.retryable) return { kind: 'wait', ms: this.config.POLL_INTERVAL_MS };
      return { kind: 'finish', outcome: 'failed', reason: 'channel_error', detail: `The command channel could not be asked about the instance: ${(err as Error).message}` };
    }
    if (!info) {
      return {
        kind: 'finish',
        outcome: 'failed',
        reason: 'agent_offline',
        detail: `No guest agent is registered for ${r.instanceId} in ${r.region}. ${VNC_ADVICE}`,
      };
    }
    if (!info.online) {
      return {
        kind: 'finish',
        outcome: 'failed',
        reason: 'agent_offline',
        detail: `The guest agent on ${r.instanceId} is ${info.pingStatus} (last seen ${info.lastPing?.toISOString() ?? 'never'}). ${VNC_ADVICE}`,
      };
    }
    if (info.platformName && !/windows/i.test(info.platformName)) {
      return { kind: 'finish', outcome: 'failed', reason: 'unsupported_os', detail: `${r.instanceId} runs ${info.platformName}, not Windows.` };
    }
    return {
      kind: 'advance',
      patch: { step: 'diagnose', ...tenantPatch },
      event: { type: 'agent_online', message: `agent online (${info.platformName ?? 'Windows'} ${info.platformVersion ?? ''})`.trim() },
    };
  }
}

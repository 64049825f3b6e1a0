import { ChannelError } from '../channel-errors';
import { CommandChannel, InstanceInfo, InvocationResult, MarkerWindow, SendRequest } from '../command-channel.port';
import { channelIdRules, ChannelIdRules } from '../jdcloud/jdcloud-id-rules';

/** An adapter that can also restart a VM through the cloud API (JD Cloud's rebootInstance). */
export interface CloudRebooter {
  rebootInstance(region: string, instanceId: string): Promise<void>;
}

function canReboot(c: CommandChannel): c is CommandChannel & CloudRebooter {
  return typeof (c as Partial<CloudRebooter>).rebootInstance === 'function';
}

/**
 * One CommandChannel over several adapters, chosen per region (CHANNEL default +
 * CHANNEL_BY_REGION), so a deployment can mix SSM and JD Cloud regions. Every call goes to the
 * adapter of its region; the shared budget already keys by channel + region.
 *
 * `name` is 'routing'; what actually served a region is `nameFor(region)` — the engine should
 * record that in command_runs.channel (it records `name` today; see docs/channels.md).
 */
export class RoutingCommandChannel implements CommandChannel {
  readonly name = 'routing';
  readonly maxInstancesPerSend: number;

  constructor(
    private readonly channels: ReadonlyMap<string, CommandChannel>,
    private readonly defaultName: string,
    private readonly byRegion: Readonly<Record<string, string>>,
  ) {
    if (!channels.has(defaultName)) throw new Error(`routing: no adapter ${defaultName}`);
    for (const [region, name] of Object.entries(byRegion)) if (!channels.has(name)) throw new Error(`routing: region ${region} names unknown adapter ${name}`);
    this.maxInstancesPerSend = Math.min(...[...channels.values()].map((c) => c.maxInstancesPerSend));
  }

  /** The adapter name that serves `region`. */
  nameFor(region: string): string {
    return this.byRegion[region] ?? this.defaultName;
  }

  channelFor(region: string): CommandChannel {
    return this.channels.get(this.nameFor(region))!;
  }

  /** Instance-id and region-id rules of the channel serving `region` (for request validation). */
  idRulesFor(region: string): ChannelIdRules {
    return channelIdRules(this.nameFor(region));
  }

  reserveSend(region: string): Promise<void> {
    return this.channelFor(region).reserveSend(region);
  }

  send(req: SendRequest): Promise<{ commandId: string }> {
    return this.channelFor(req.region).send(req);
  }

  result(region: string, commandId: string, instanceId: string): Promise<InvocationResult | null> {
    return this.channelFor(region).result(region, commandId, instanceId);
  }

  results(region: string, commandId: string): Promise<Map<string, InvocationResult>> {
    return this.channelFor(region).results(region, commandId);
  }

  findByMarker(region: string, marker: string, window: MarkerWindow): Promise<string | null> {
    return this.channelFor(region).findByMarker(region, marker, window);
  }

  cancel(region: string, commandId: string, instanceIds: string[]): Promise<void> {
    return this.channelFor(region).cancel(region, commandId, instanceIds);
  }

  instanceInfo(region: string, instanceIds: string[]): Promise<Map<string, InstanceInfo>> {
    return this.channelFor(region).instanceInfo(region, instanceIds);
  }

  /** Restart through the cloud API where the region's adapter has one (JD Cloud); otherwise a clear refusal. */
  rebootInstance(region: string, instanceId: string): Promise<void> {
    const c = this.channelFor(region);
    if (!canReboot(c)) return Promise.reject(new ChannelError(`${c.name} has no cloud reboot API here`, 'RebootUnsupported', false, 'no'));
    return c.rebootInstance(region, instanceId);
  }

  destroy(): void {
    for (const c of this.channels.values()) (c as { destroy?: () => void }).destroy?.();
  }
}

/** Instance-id and region-id patterns per channel, for request validation (the API calls channelIdRules). */
export interface ChannelIdRules {
  instanceId: RegExp;
  region: RegExp;
  /** Human-readable forms for error messages. */
  instanceIdExample: string;
  regionExample: string;
}

const RULES: Record<string, ChannelIdRules> = {
  // SSM GetCommandInvocation's InstanceId pattern (command-channels.md §1.2), and AWS region names.
  ssm: {
    instanceId: /^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$/,
    region: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
    instanceIdExample: 'i-0123456789abcdef0',
    regionExample: 'eu-west-1',
  },
  // JD Cloud: `i-` + lowercase alphanumerics (10 in every example seen; no official pattern), regions like cn-north-1.
  jdcloud: {
    instanceId: /^i-[a-z0-9]{1,30}$/,
    region: /^[a-z]{2}-[a-z]+-\d{1,2}$/,
    instanceIdExample: 'i-uvvtdzuxre',
    regionExample: 'cn-north-1',
  },
};

/** The id rules of a channel; throws for an unknown channel name. */
export function channelIdRules(channelName: string): ChannelIdRules {
  const r = RULES[channelName];
  if (!r) throw new Error(`no id rules for channel ${channelName}`);
  return r;
}

/** Problems with (instanceId, region) for the channel that serves the region (empty = valid). */
export function checkIds(channelName: string, instanceId: string, region: string): string[] {
  const r = channelIdRules(channelName);
  const out: string[] = [];
  if (!r.instanceId.test(instanceId)) out.push(`instanceId must look like ${r.instanceIdExample} on ${channelName}`);
  if (!r.region.test(region)) out.push(`region must look like ${r.regionExample} on ${channelName}`);
  return out;
}

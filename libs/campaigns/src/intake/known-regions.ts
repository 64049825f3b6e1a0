/**
 * Regions a campaign target may name. Anything else is an unknown region (400, naming the
 * line): a typo there would otherwise only show up at run time, instance by instance.
 */
export const BUILTIN_REGIONS: readonly string[] = [
  // AWS commercial, GovCloud and China
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1',
  'me-central-1', 'mx-central-1', 'sa-east-1', 'us-gov-east-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1',
  // JD Cloud
  'cn-east-1', 'cn-east-2', 'cn-south-1', 'cn-central-1',
];

export const REGION_SYNTAX = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** Built-in regions, every region of CHANNEL_ENDPOINTS and CAMPAIGN_EXTRA_REGIONS. */
export function knownRegions(config: { CHANNEL_ENDPOINTS?: string; CAMPAIGN_EXTRA_REGIONS?: string; REGIONS?: string }): ReadonlySet<string> {
  // A deployment that lists its regions (REGIONS) serves exactly those.
  const served = (config.REGIONS ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  if (served.length) return new Set(served);
  const set = new Set(BUILTIN_REGIONS);
  if (config.CHANNEL_ENDPOINTS) {
    try {
      for (const r of Object.keys(JSON.parse(config.CHANNEL_ENDPOINTS) as object)) set.add(r);
    } catch {
      /* validated at boot */
    }
  }
  for (const r of (config.CAMPAIGN_EXTRA_REGIONS ?? '').split(',')) if (r.trim()) set.add(r.trim());
  return set;
}

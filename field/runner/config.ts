import { OS_FAMILIES, OsFamily } from '@rdpfix/domain';

/** The scenarios of issue 7 item 12 that the kit runs on a customer's own test VMs. */
export const FIELD_SCENARIOS = [
  /** A licensed Session Host (mode + working license server) must not be touched. */
  'licensed-untouched',
  /** ...with the license server's RPC blocked from the VM (status 6). */
  'licensed-untouched-ls-blocked',
  /** ...with WMI broken (winmgmt stopped and disabled) while rdpfix diagnoses. */
  'licensed-untouched-wmi-broken',
  /** A Session Host past its grace period without licensing: remove-role with consent, verified. */
  'lockout-repair',
  /** configure-licensing with the customer's license server, then the rollback. */
  'licensing-round-trip',
  /** Sessions of localized / Chinese user names: quser as rdpfix reads it. */
  'quser-names',
  /** Restart timing: TermService and the listener after the agent; rdpfix's verify waits. */
  'restart-timing',
] as const;
export type FieldScenario = (typeof FIELD_SCENARIOS)[number];

export interface FieldVm {
  instanceId: string;
  os: OsFamily;
  /** e.g. en-US, zh-CN (reported only). */
  locale?: string;
  scenarios: FieldScenario[];
  /** quser-names: the accounts that hold sessions, as the operator logged them on. */
  accounts?: { name: string; state: 'active' | 'disconnected' }[];
}

export interface FieldConfig {
  region: string;
  /** SSM endpoint override (default: the region's AWS endpoint). Credentials: the SDK's default chain. */
  ssmEndpoint?: string;
  /** The rdpfix API that repairs the VMs (configured with the same cloud), and a support key. */
  rdpfixUrl: string;
  /** Name of the environment variable holding the API key (never the key itself). */
  rdpfixApiKeyEnv: string;
  /** licensing-round-trip and licensed-untouched-ls-blocked: the customer's license server. */
  licenseServer?: string;
  licensingMode?: 'per-user' | 'per-device';
  vms: FieldVm[];
}

/** Problems with a config (empty = usable). */
export function checkFieldConfig(c: unknown): string[] {
  const p: string[] = [];
  const o = c as Partial<FieldConfig>;
  if (!o || typeof o !== 'object') return ['config must be a JSON object'];
  if (typeof o.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(o.region)) p.push('region: a cloud region such as cn-north-1');
  if (typeof o.rdpfixUrl !== 'string' || !/^https?:\/\//.test(o.rdpfixUrl)) p.push('rdpfixUrl: the rdpfix API base URL');
  if (typeof o.rdpfixApiKeyEnv !== 'string' || !/^[A-Z_][A-Z0-9_]*$/.test(o.rdpfixApiKeyEnv)) p.push('rdpfixApiKeyEnv: the NAME of the environment variable with the API key');
  if (!Array.isArray(o.vms) || o.vms.length === 0) p.push('vms: at least one test VM');
  for (const [i, vm] of (Array.isArray(o.vms) ? o.vms : []).entries()) {
    if (typeof vm?.instanceId !== 'string' || !/^(i-[0-9a-f]{8,17}|mi-[0-9a-f]{17})$/.test(vm.instanceId)) p.push(`vms[${i}].instanceId`);
    if (!(OS_FAMILIES as readonly string[]).includes(vm?.os)) p.push(`vms[${i}].os: one of ${OS_FAMILIES.join(', ')}`);
    if (!Array.isArray(vm?.scenarios) || vm.scenarios.some((s: string) => !(FIELD_SCENARIOS as readonly string[]).includes(s))) p.push(`vms[${i}].scenarios: from ${FIELD_SCENARIOS.join(', ')}`);
    if (vm?.scenarios?.includes('quser-names') && !(Array.isArray(vm.accounts) && vm.accounts.length > 0)) p.push(`vms[${i}].accounts: quser-names needs the logged-on accounts`);
    const needsLs = vm?.scenarios?.some((s: string) => s === 'licensing-round-trip' || s === 'licensed-untouched-ls-blocked');
    if (needsLs && !(typeof o.licenseServer === 'string' && o.licenseServer.length > 0)) p.push(`licenseServer: needed by vms[${i}]`);
    if (vm?.scenarios?.includes('licensing-round-trip') && o.licensingMode !== 'per-user' && o.licensingMode !== 'per-device') p.push('licensingMode: per-user or per-device');
  }
  return p;
}

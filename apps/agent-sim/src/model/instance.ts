import { LicensingModeCode, OsFamily, SettingSource } from '@rdpfix/domain';

/**
 * A setting that Group Policy may override. `value` is the local (registry/WMI) value the
 * scripts can write; when `source` is 'policy' the effective value is `policyValue`
 * (rdp-licensing.md §1 "Which setting wins").
 */
export interface PolicySetting<T> {
  value: T;
  source: SettingSource;
  policyValue: T | null;
}

/** One logon session as `quser` would list it. */
export interface SimSession {
  username: string;
  /** rdp-tcp#N or console; null for a disconnected session (quser leaves the column empty). */
  sessionName: string | null;
  id: number;
  state: 'Active' | 'Disc';
  idleMinutes: number;
  /** ISO-8601 UTC. */
  logonTime: string;
}

export interface SimLicensing {
  /** Local mode (RCM\Licensing Core / WMI ChangeMode): 1 admin, 2 per device, 4 per user, 5 not configured. */
  mode: LicensingModeCode;
  modeSource: SettingSource;
  /** GPO "Set the Remote Desktop licensing mode" when modeSource = 'policy'. */
  policyMode: LicensingModeCode | null;
  /** Local SpecifiedLicenseServers. */
  servers: string[];
  serversSource: SettingSource;
  /** GPO "Use the specified Remote Desktop license servers" when serversSource = 'policy'. */
  policyServers: string[] | null;
  /**
   * GetTStoLSConnectivityStatus per server name (11 = connectable, 6 = not connectable, ...).
   * A server missing here is reachable (11): the simulated network "has" any server it is told of.
   */
  reachability: Record<string, number>;
}

/** The modelled Windows server plus its cloud identity. Times are ISO-8601 strings. */
export interface SimInstance {
  instanceId: string;
  tenantId: string;
  region: string;
  computerName: string;
  os: OsFamily;
  /** "major.minor"; null = no PowerShell at all (the 2008 default). */
  psVersion: string | null;
  is64: boolean;
  agent: {
    /** Desired agent state; reboots, flaps and the agentOffline fault overlay it. */
    online: boolean;
    version: string;
  };
  bootTime: string;
  rdsh: { installed: boolean; removalPending: boolean };
  /** GetGracePeriodDays().DaysLeft; only meaningful when RDSH is installed. Static (does not tick). */
  graceDays: number;
  licensing: SimLicensing;
  singleSession: PolicySetting<0 | 1>;
  domain: {
    /** Win32_ComputerSystem.DomainRole 0..5; 4/5 = domain controller. */
    role: number;
    partOfDomain: boolean;
  };
  rds: { broker: boolean; webAccess: boolean; gateway: boolean; licensingRole: boolean; sessionDirectory: boolean };
  pendingReboot: boolean;
  termService: 'running' | 'stopped';
  listener: { up: boolean; port: number };
  denyConnections: PolicySetting<0 | 1>;
  sessions: SimSession[];
  /** Preset the instance was built from ('custom' when none). */
  preset: string;
  createdAt: string;
}

type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

/** A session as callers describe it: username and id, the rest defaulted (Active, idle 0, an hour ago). */
export type SessionInput = Pick<SimSession, 'username' | 'id'> & Partial<Omit<SimSession, 'username' | 'id'>>;

/** Field overrides applied on top of a preset (objects merge, arrays replace). */
export type InstanceOverrides = DeepPartial<
  Omit<SimInstance, 'instanceId' | 'tenantId' | 'region' | 'os' | 'preset' | 'createdAt' | 'sessions'>
> & { sessions?: SessionInput[] };

export function isDomainController(inst: SimInstance): boolean {
  return inst.domain.role >= 4;
}

export function isRdsDeployment(inst: SimInstance): boolean {
  const r = inst.rds;
  return r.broker || r.webAccess || r.gateway || r.licensingRole || r.sessionDirectory;
}

export function effective<T>(setting: PolicySetting<T>): T {
  return setting.source === 'policy' && setting.policyValue !== null ? setting.policyValue : setting.value;
}

export function effectiveLicensingMode(inst: SimInstance): LicensingModeCode {
  const l = inst.licensing;
  return l.modeSource === 'policy' && l.policyMode !== null ? l.policyMode : l.mode;
}

export function effectiveLicenseServers(inst: SimInstance): string[] {
  const l = inst.licensing;
  return l.serversSource === 'policy' && l.policyServers !== null ? l.policyServers : l.servers;
}

/** GetTStoLSConnectivityStatus for one server (absent = 11, connectable). */
export function serverStatus(inst: SimInstance, server: string): number {
  return inst.licensing.reachability[server] ?? 11;
}

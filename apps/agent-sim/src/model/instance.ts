import { FactRead, LicensingModeCode, OsFamily, SettingSource } from '@rdpfix/domain';

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
   * GetTStoLSConnectivityStatus per server name as the diagnose script (LocalSystem) sees it:
   * 11 = valid, 6 = not connectable, 8 = access denied, -1 = the call fails, ... A server missing
   * here is reachable (11): the simulated network "has" any server it is told of.
   */
  reachability: Record<string, number>;
  /**
   * A mode written to RCM\Licensing Core (restore-licensing, modes 1/5) that WMI and TermService
   * take only at the next restart; null = none pending.
   */
  pendingMode: LicensingModeCode | null;
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
  rds: {
    broker: boolean;
    webAccess: boolean;
    gateway: boolean;
    /** The RD Licensing role service is installed on this server. */
    licensingRole: boolean;
    sessionDirectory: boolean;
    /** With licensingRole: the local license server is activated. */
    lsActivated: boolean;
    /** With licensingRole: real (non-built-in) CAL packs installed on it. */
    lsCalPacks: number;
  };
  /** Component Based Servicing or Windows Update waits for a restart (blocks a role removal). */
  pendingReboot: boolean;
  /** PendingFileRenameOperations is set (antivirus, agents, drivers): reported, blocks nothing. */
  pendingFileRename: boolean;
  termService: 'running' | 'stopped';
  listener: { up: boolean; port: number };
  /** Windows Firewall: on for the active profile, and an enabled inbound rule admits the RDP port. */
  firewall: { enabled: boolean; rdpAllowed: boolean };
  denyConnections: PolicySetting<0 | 1>;
  sessions: SimSession[];
  /**
   * Reads that fail on this server (WMI errors, a missing TerminalServices class, ...): read name
   * (as in DiagnosisFacts.unknown) -> the error text the script reports. The facts that come from
   * a failed read are reported null, exactly as diagnose.ps1 does.
   */
  readFailures: Partial<Record<FactRead, string>>;
  /**
   * Windows servicing: how long Uninstall-WindowsFeature takes here, in modelled seconds (scaled
   * like execution timeouts by the simulator's timeoutScale); null = the script's normal run time.
   * Longer than the command's executionTimeout: the channel kills PowerShell, servicing goes on
   * and the removal is pending when it is done.
   */
  servicing: { roleRemovalSeconds: number | null };
  /** After a restart TermService and the RDP-Tcp listener come up this long after the agent (ms). */
  boot: { termServiceDelayMs: number; listenerDelayMs: number };
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

/**
 * An RDS deployment: broker, Web Access, Gateway, an active session directory, or a local license
 * server that is activated and holds real CAL packs (an unactivated RD Licensing role is not one).
 */
export function isRdsDeployment(inst: SimInstance): boolean {
  const r = inst.rds;
  return r.broker || r.webAccess || r.gateway || r.sessionDirectory || (r.licensingRole && r.lsActivated && r.lsCalPacks > 0);
}

/** Licensing is configured: effective mode 2/4 with at least one effective license server. */
export function isLicensingConfigured(inst: SimInstance): boolean {
  const mode = effectiveLicensingMode(inst);
  return (mode === 2 || mode === 4) && effectiveLicenseServers(inst).length > 0;
}

/** A read fails on this server. */
export function readFails(inst: SimInstance, read: FactRead): boolean {
  return Object.prototype.hasOwnProperty.call(inst.readFailures ?? {}, read);
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

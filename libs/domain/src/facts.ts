import { OsFamily } from './os';

/** Where a setting's effective value comes from. 'policy' = Group Policy (local or domain). */
export type SettingSource = 'local' | 'policy';

/**
 * RDS licensing mode as WMI LicensingType reports it (rdp-licensing.md §2):
 * 1 = RD for Administration, 2 = Per Device, 4 = Per User, 5 = Not configured.
 */
export type LicensingModeCode = 1 | 2 | 4 | 5;

/** GetTStoLSConnectivityStatus value for one license server (11 = connectable, valid). */
export interface LicenseServerReachability {
  server: string;
  status: number;
}

/**
 * The structured facts that diagnose.ps1 (and verify.ps1) print as their JSON result line,
 * and that the simulator produces for its modelled instances. The planner decides from these.
 * Keep additions compact: the whole result line must stay under 2,500 characters.
 */
export interface DiagnosisFacts {
  os: {
    /** "major.minor.build" from [Environment]::OSVersion.Version */
    version: string;
    family: OsFamily | null;
    /** $PSVersionTable.PSVersion as "major.minor" */
    ps: string;
    /** 64-bit PowerShell host (a 32-bit host sees a redirected registry). */
    is64: boolean;
  };
  /** Last boot time, ISO-8601 UTC. */
  bootTime: string;
  rdsh: {
    /** RDS-RD-Server (TS-Terminal-Server on 2008) feature installed. */
    installed: boolean;
    /** Win32_TerminalServiceSetting.TerminalServerMode: 1 = AppServer (RDSH), 0 = RemoteAdmin. */
    terminalServerMode: 0 | 1;
    /** A role removal ran and waits for a restart. */
    removalPending: boolean;
  };
  /** GetGracePeriodDays().DaysLeft; null when not an RDSH or the call failed. */
  graceDays: number | null;
  licensing: {
    mode: LicensingModeCode;
    modeSource: SettingSource;
    servers: string[];
    serversSource: SettingSource;
    reachability: LicenseServerReachability[];
  };
  singleSession: {
    /** 1 = restrict each user to a single session. */
    value: 0 | 1;
    source: SettingSource;
  };
  domain: {
    /** Win32_ComputerSystem.DomainRole: 0/1 workstation, 2/3 member or standalone server, 4/5 DC. */
    role: number;
    partOfDomain: boolean;
    isDomainController: boolean;
  };
  rds: {
    broker: boolean;
    webAccess: boolean;
    gateway: boolean;
    licensingRole: boolean;
    /** Win32_TSSessionDirectory.SessionDirectoryActive */
    sessionDirectory: boolean;
  };
  pendingReboot: boolean;
  termService: 'running' | 'stopped' | 'unknown';
  listener: { up: boolean; port: number };
  denyConnections: { value: 0 | 1; source: SettingSource };
  /** Raw `quser` rows without the header, whitespace collapsed; parsed by parseQuserRows. */
  sessions: string[];
  sessionsTruncated: boolean;
  /** Non-fatal errors of individual checks ("check: message"). */
  errors: string[];
}

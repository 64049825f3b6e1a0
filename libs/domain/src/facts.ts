import { OsFamily } from './os';

/** Where a setting's effective value comes from. 'policy' = Group Policy (local or domain). */
export type SettingSource = 'local' | 'policy';

/**
 * RDS licensing mode as WMI LicensingType reports it (rdp-licensing.md §2):
 * 1 = RD for Administration, 2 = Per Device, 4 = Per User, 5 = Not configured.
 */
export type LicensingModeCode = 1 | 2 | 4 | 5;

/**
 * The reads the facts collector makes. When one fails, every fact that came from it is `null`
 * ("unknown") and `DiagnosisFacts.unknown[read]` carries the error that prevented reading it.
 * Short keys keep the result line small; READ_LABELS says what each one is in plain words.
 */
export const FACT_READS = [
  /** Win32_TerminalServiceSetting (root\cimv2\TerminalServices) could not be queried. */
  'ts',
  /** Get-WindowsFeature / ServerManagerCmd: installed roles. */
  'features',
  /** GetGracePeriodDays. */
  'grace',
  /** LicensingType (WMI, registry fallback). */
  'mode',
  /** License server list (policy value, GetSpecifiedLicenseServerList, 2008 registry value). */
  'servers',
  /** Policy values and PolicySource* flags: which settings Group Policy controls. */
  'policy',
  /** fSingleSessionPerUser (WMI SingleSession, registry fallback). */
  'single',
  /** Win32_ComputerSystem: DomainRole, PartOfDomain. */
  'domain',
  /** Domain controller: DomainRole and ProductType both unreadable. */
  'dc',
  /** Win32_TSSessionDirectory. */
  'sd',
  /** Local RD license server: Win32_TSLicenseServer activation, Win32_TSLicenseKeyPack. */
  'ls',
  /** Component Based Servicing / Windows Update / PendingFileRenameOperations keys. */
  'reboot',
  /** rdpfix's own removal marker (2008 / 2008 R2 removalPending). */
  'marker',
  /** Get-Service TermService. */
  'svc',
  /** qwinsta / netstat listener check. */
  'listener',
  /** Windows Firewall (HNetCfg.FwPolicy2). */
  'fw',
  /** fDenyTSConnections. */
  'deny',
  /** quser. */
  'sessions',
] as const;
export type FactRead = (typeof FACT_READS)[number];

/**
 * The structured facts that diagnose.ps1 (and verify.ps1) print as their JSON result line,
 * and that the simulator produces for its modelled instances. The planner decides from these.
 *
 * Certainty: a fact is either a value or `null` = unknown, and `unknown` names the read that
 * failed with its error. Unknown is never a default: the planner never turns it into a cause.
 * (`graceDays` null is also "not an RD Session Host": then `unknown` has no `grace`/`ts` entry
 * and rdsh is known false.) Keep additions compact: the whole line must stay < 2,500 characters.
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
    installed: boolean | null;
    /** Win32_TerminalServiceSetting.TerminalServerMode: 1 = AppServer (RDSH), 0 = RemoteAdmin. */
    terminalServerMode: 0 | 1 | null;
    /** A role removal ran and waits for a restart. */
    removalPending: boolean | null;
  };
  /** GetGracePeriodDays().DaysLeft; null when not an RDSH (not read) or unknown (see `unknown`). */
  graceDays: number | null;
  licensing: {
    mode: LicensingModeCode | null;
    modeSource: SettingSource | null;
    /** Effective license servers; null = unknown, or not read because this is not an RDSH. */
    servers: string[] | null;
    serversSource: SettingSource | null;
    /**
     * GetTStoLSConnectivityStatus per server, aligned with `servers` (2008 R2+ RDSH only; empty
     * otherwise). -1 = the call failed: unknown, not "unreachable".
     */
    statuses: number[];
  };
  singleSession: {
    /** 1 = restrict each user to a single session (the Windows default on 2008 R2+). */
    value: 0 | 1 | null;
    source: SettingSource | null;
  };
  domain: {
    /** Win32_ComputerSystem.DomainRole: 0/1 workstation, 2/3 member or standalone server, 4/5 DC. */
    role: number | null;
    partOfDomain: boolean | null;
    /** DomainRole 4/5 or ProductType LanmanNT (the registry answers even when WMI does not). */
    isDomainController: boolean | null;
  };
  rds: {
    broker: boolean | null;
    webAccess: boolean | null;
    gateway: boolean | null;
    /** The RD Licensing role service (RDS-Licensing) is installed on this server. */
    licensingRole: boolean | null;
    /** Win32_TSSessionDirectory.SessionDirectoryActive */
    sessionDirectory: boolean | null;
    /** Local license server activated (Win32_TSLicenseServer.GetActivationStatus() = 0); null when no RD Licensing role. */
    lsActivated: boolean | null;
    /** Real CAL packs on the local license server (Win32_TSLicenseKeyPack, built-in packs excluded); null when no role. */
    lsCalPacks: number | null;
  };
  pendingReboot: {
    /** HKLM\...\Component Based Servicing\RebootPending exists. Blocks a role removal. */
    cbs: boolean | null;
    /** HKLM\...\WindowsUpdate\Auto Update\RebootRequired exists. Blocks a role removal. */
    wu: boolean | null;
    /** Session Manager PendingFileRenameOperations is set: reported only (antivirus, agents, drivers). */
    fileRename: boolean | null;
  };
  termService: 'running' | 'stopped' | 'unknown';
  listener: { up: boolean | null; port: number };
  firewall: {
    /** Windows Firewall is on for at least one active profile. */
    enabled: boolean | null;
    /** An enabled inbound allow rule for TCP covers the listener port in an active profile. */
    rdpAllowed: boolean | null;
  };
  denyConnections: { value: 0 | 1 | null; source: SettingSource | null };
  /** Raw `quser` rows without the header, whitespace collapsed; parsed by parseQuserRows. null = unknown. */
  sessions: string[] | null;
  sessionsTruncated: boolean;
  /** Reads that failed: read -> the error (possibly cut, or '' when the line had no room). */
  unknown: Partial<Record<FactRead, string>>;
  /** Other non-fatal errors ("check: message"). */
  errors: string[];
  /** How many further errors were dropped to keep the result line small. */
  errorsDropped: number;
}

/** What each read is, in plain words (refusal details, previews). */
export const READ_LABELS: Record<FactRead, string> = {
  ts: 'the Remote Desktop Services WMI settings (Win32_TerminalServiceSetting in root\\cimv2\\TerminalServices)',
  features: 'the installed roles (Get-WindowsFeature / ServerManagerCmd)',
  grace: 'the licensing grace period (GetGracePeriodDays)',
  mode: 'the licensing mode (LicensingType)',
  servers: 'the license server list',
  policy: 'which settings Group Policy controls',
  single: 'the single-session setting (fSingleSessionPerUser)',
  domain: 'the domain membership (Win32_ComputerSystem)',
  dc: 'whether the server is a domain controller',
  sd: 'the session directory state (Win32_TSSessionDirectory)',
  ls: 'the local RD license server (Win32_TSLicenseServer, Win32_TSLicenseKeyPack)',
  reboot: 'the pending-restart registry keys',
  marker: "rdpfix's role-removal marker (HKLM\\SOFTWARE\\rdpfix)",
  svc: 'the Remote Desktop Services service (TermService)',
  listener: 'the RDP-Tcp listener',
  fw: 'the Windows Firewall rules',
  deny: 'whether Remote Desktop connections are allowed (fDenyTSConnections)',
  sessions: 'the logged-on sessions (quser)',
};

/** The unknown reads of a diagnosis (tolerates facts stored before `unknown` existed). */
export function unknownReads(facts: DiagnosisFacts): FactRead[] {
  const u = facts.unknown ?? {};
  return FACT_READS.filter((r) => Object.prototype.hasOwnProperty.call(u, r));
}

/** "the domain membership (Win32_ComputerSystem): Access denied" for each read, in order. */
export function describeReads(facts: DiagnosisFacts, reads: readonly FactRead[]): string[] {
  const u = facts.unknown ?? {};
  const seen = new Set<FactRead>();
  const out: string[] = [];
  for (const r of reads) {
    if (seen.has(r)) continue;
    seen.add(r);
    const why = u[r];
    out.push(why ? `${READ_LABELS[r]}: ${why}` : READ_LABELS[r]);
  }
  return out;
}

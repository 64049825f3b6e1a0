import { DEFAULT_PS_VERSION, OsFamily } from '@rdpfix/domain';
import { SimInstance } from './instance';
import { DEFAULT_AGENT_VERSION } from './os-catalog';

export const PRESET_NAMES = [
  'healthy',
  'cause-a',
  'cause-b',
  'cause-a-and-b',
  'cause-b-in-grace',
  'licensed-ok',
  'licensed-ls-unreachable',
  'cause-b-with-ls-role',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Everything a preset decides; identity fields come from the caller. */
export type PresetState = Omit<SimInstance, 'instanceId' | 'tenantId' | 'region' | 'computerName' | 'preset' | 'createdAt'>;

/** The logon time of preset sessions: an hour before "now", so rows look plausible. */
function sessionLogon(now: number, minutesAgo: number): string {
  return new Date(now - minutesAgo * 60_000).toISOString();
}

/**
 * A healthy server without RDSH: two free admin sessions, nothing blocking. Like real servers,
 * "restrict each user to a single session" is on (the Windows default on 2008 R2 and later; the
 * 2008 default is not documented, so it stays off there). With nobody logged on it blocks nobody.
 */
export function healthyState(os: OsFamily, now: number): PresetState {
  return {
    os,
    psVersion: DEFAULT_PS_VERSION[os],
    is64: true,
    agent: { online: true, version: DEFAULT_AGENT_VERSION[os] },
    bootTime: new Date(now - 3 * 24 * 3600_000).toISOString(),
    rdsh: { installed: false, removalPending: false },
    graceDays: 0,
    licensing: {
      mode: 5,
      modeSource: 'local',
      policyMode: null,
      servers: [],
      serversSource: 'local',
      policyServers: null,
      reachability: {},
      pendingMode: null,
    },
    singleSession: { value: os === '2008' ? 0 : 1, source: 'local', policyValue: null },
    domain: { role: 3, partOfDomain: false },
    rds: { broker: false, webAccess: false, gateway: false, licensingRole: false, sessionDirectory: false, lsActivated: false, lsCalPacks: 0 },
    pendingReboot: false,
    pendingFileRename: false,
    termService: 'running',
    listener: { up: true, port: 3389 },
    firewall: { enabled: true, rdpAllowed: true },
    denyConnections: { value: 0, source: 'local', policyValue: null },
    sessions: [],
    readFailures: {},
    servicing: { roleRemovalSeconds: null },
    boot: { termServiceDelayMs: 0, listenerDelayMs: 0 },
  };
}

function causeA(s: PresetState, now: number): void {
  s.singleSession = { value: 1, source: 'local', policyValue: null };
  s.sessions = [
    { username: 'administrator', sessionName: 'rdp-tcp#0', id: 2, state: 'Active', idleMinutes: 0, logonTime: sessionLogon(now, 60) },
  ];
}

function causeB(s: PresetState, graceDays: number): void {
  s.rdsh = { installed: true, removalPending: false };
  s.graceDays = graceDays;
  s.licensing = { ...s.licensing, mode: 5, modeSource: 'local', policyMode: null, servers: [], serversSource: 'local', policyServers: null };
}

export function presetState(preset: PresetName, os: OsFamily, now: number): PresetState {
  const s = healthyState(os, now);
  switch (preset) {
    case 'healthy':
      break;
    case 'cause-a':
      causeA(s, now);
      break;
    case 'cause-b':
      causeB(s, 0);
      break;
    case 'cause-a-and-b':
      causeA(s, now);
      causeB(s, 0);
      break;
    case 'cause-b-in-grace':
      causeB(s, 87);
      break;
    case 'licensed-ok':
      // Per-user CALs need a domain, so this server is a domain member with a reachable LS.
      causeB(s, 0);
      s.domain = { role: 3, partOfDomain: true };
      s.licensing.mode = 4;
      s.licensing.servers = ['ls01.corp.example.com'];
      s.licensing.reachability = { 'ls01.corp.example.com': 11 };
      break;
    case 'licensed-ls-unreachable':
      // Configured per-user licensing whose license server does not answer (RPC blocked, or down).
      causeB(s, 0);
      s.domain = { role: 3, partOfDomain: true };
      s.licensing.mode = 4;
      s.licensing.servers = ['ls01.corp.example.com'];
      s.licensing.reachability = { 'ls01.corp.example.com': 6 };
      break;
    case 'cause-b-with-ls-role':
      // The common cloud setup: Session Host plus an installed, never activated RD Licensing role.
      causeB(s, 0);
      s.rds = { ...s.rds, licensingRole: true, lsActivated: false, lsCalPacks: 0 };
      break;
  }
  return s;
}

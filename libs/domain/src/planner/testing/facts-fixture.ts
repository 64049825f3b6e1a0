import { DiagnosisFacts, FactRead } from '../../facts';
import { DEFAULT_PS_VERSION, OS_VERSION } from '../../os';

/** Test helper (no jest globals, so it is safe in the build): partial objects merge one level deep. */
export type FactsOverrides = {
  [K in keyof DiagnosisFacts]?: DiagnosisFacts[K] extends unknown[] | null
    ? DiagnosisFacts[K]
    : DiagnosisFacts[K] extends object
      ? Partial<DiagnosisFacts[K]>
      : DiagnosisFacts[K];
};

/**
 * A healthy Windows Server 2019 workgroup server without RDSH: RDP works, nothing to fix.
 * Single-session is on, as on every real 2008 R2+ server; nobody holds a session, so it blocks nobody.
 */
export function healthyFacts(): DiagnosisFacts {
  return {
    os: { version: OS_VERSION['2019'], family: '2019', ps: '5.1', is64: true },
    bootTime: '2025-01-01T00:00:00Z',
    rdsh: { installed: false, terminalServerMode: 0, removalPending: false },
    graceDays: null,
    licensing: { mode: 5, modeSource: 'local', servers: [], serversSource: 'local', statuses: [] },
    singleSession: { value: 1, source: 'local' },
    domain: { role: 2, partOfDomain: false, isDomainController: false },
    rds: { broker: false, webAccess: false, gateway: false, licensingRole: false, sessionDirectory: false, lsActivated: null, lsCalPacks: null },
    pendingReboot: { cbs: false, wu: false, fileRename: false },
    termService: 'running',
    listener: { up: true, port: 3389 },
    firewall: { enabled: true, rdpAllowed: true },
    denyConnections: { value: 0, source: 'local' },
    sessions: [],
    sessionsTruncated: false,
    unknown: {},
    errors: [],
    errorsDropped: 0,
  };
}

/** factsFixture({ rdsh: { installed: true } }) = healthy 2019 server with that change. */
export function factsFixture(overrides: FactsOverrides = {}): DiagnosisFacts {
  const base = healthyFacts() as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    const cur = base[k];
    base[k] =
      v !== null && typeof v === 'object' && !Array.isArray(v) && cur !== null && typeof cur === 'object' && !Array.isArray(cur)
        ? { ...(cur as object), ...(v as object) }
        : v;
  }
  const facts = base as unknown as DiagnosisFacts;
  // Changing only the family keeps the version/PS consistent with it.
  const fam = overrides.os?.family;
  if (fam && overrides.os?.version === undefined) facts.os.version = OS_VERSION[fam];
  if (fam && overrides.os?.ps === undefined) facts.os.ps = DEFAULT_PS_VERSION[fam] ?? '2.0';
  return facts;
}

/** Overrides for cause B: RDSH installed, grace over, licensing not configured. */
export const LOCKED_OUT: FactsOverrides = {
  rdsh: { installed: true, terminalServerMode: 1, removalPending: false },
  graceDays: 0,
  licensing: { mode: 5, modeSource: 'local', servers: [], serversSource: 'local', statuses: [] },
};

/** An active session of the administrator (quser row as diagnose reports it). */
export const ADMIN_ACTIVE = 'administrator rdp-tcp#0 2 Active . 1/1/2025 10:00 AM';

/** Overrides for cause A: single-session on, set locally, and an account holds an active session. */
export const SINGLE_SESSION: FactsOverrides = { singleSession: { value: 1, source: 'local' }, sessions: [ADMIN_ACTIVE] };

/** Overrides for a correctly licensed RDSH (grace over, which is normal). */
export const LICENSED_RDSH: FactsOverrides = {
  rdsh: { installed: true, terminalServerMode: 1, removalPending: false },
  graceDays: 0,
  domain: { role: 3, partOfDomain: true, isDomainController: false },
  licensing: {
    mode: 4,
    modeSource: 'local',
    servers: ['ls1.corp.example'],
    serversSource: 'local',
    statuses: [11],
  },
};

/** Marks reads as failed with an error text (the fields themselves are set by the caller). */
export function unknownOf(...reads: FactRead[]): FactsOverrides {
  return { unknown: Object.fromEntries(reads.map((r) => [r, `${r}: Access denied`])) };
}

/** Merges several override sets left to right (nested objects merged one level deep). */
export function combine(...sets: FactsOverrides[]): FactsOverrides {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    for (const [k, v] of Object.entries(s)) {
      const cur = out[k];
      out[k] =
        v !== null && typeof v === 'object' && !Array.isArray(v) && cur !== null && typeof cur === 'object' && !Array.isArray(cur)
          ? { ...(cur as object), ...(v as object) }
          : v;
    }
  }
  return out as FactsOverrides;
}

import { DiagnosisFacts, FactRead, describeReads } from '../facts';
import { Cause } from '../plan';
import { Symptom } from '../request';
import { parseQuserRows } from '../sessions';

/**
 * Every assessment here is three-valued: true, false, or null = "could not be determined".
 * A null never becomes a cause: the planner either leaves the cause alone or refuses the fix
 * that would depend on it (`facts_incomplete`).
 */
export type Tri = boolean | null;

/**
 * GetTStoLSConnectivityStatus values that mean "this RDSH can get CALs from that license server"
 * (rdp-licensing.md §2 TSLSSTAT, §3 D5, §4 F2 verify):
 *   11 LS_CONNECTABLE_VALID_LS, 1 LS_CONNECTABLE_VALID_WS08R2, 2 LS_CONNECTABLE_VALID_WS08,
 *    9 LS_CONNECTABLE_VALID_WS08R2_VDI (1/2/9 are what older hosts and license servers report).
 */
export const REACHABLE_LS_STATUSES: ReadonlySet<number> = new Set([11, 1, 2, 9]);

/** -1: our own marker for "the status call failed" (unknown, not unreachable). */
export const LS_STATUS_CALL_FAILED = -1;

/** What each status code means, for people (TSLSSTAT; JAG's rds-lic-svr-chk names). */
export const LS_STATUS_MEANING: Record<number, string> = {
  [-1]: 'the status call failed, so reachability is unknown',
  0: 'LS_CONNECTABLE_UNKNOWN: validity unknown',
  1: 'LS_CONNECTABLE_VALID_WS08R2: valid',
  2: 'LS_CONNECTABLE_VALID_WS08: valid',
  3: 'LS_CONNECTABLE_BETA_RTM_MISMATCH: beta and release versions do not match',
  4: 'LS_CONNECTABLE_LOWER_VERSION: the license server is older than this RD Session Host',
  5: 'LS_CONNECTABLE_NOT_IN_TSCGROUP: this server is not in the license server\'s "Terminal Server Computers" group',
  6: 'LS_NOT_CONNECTABLE: not reachable (RPC port 135 and dynamic ports, name resolution, or the server is down)',
  7: 'LS_CONNECTABLE_UNKNOWN_VALIDITY: reachable, validity unknown',
  8: 'LS_CONNECTABLE_BUT_ACCESS_DENIED: reachable, access denied (LocalSystem may get this from a healthy domain license server)',
  9: 'LS_CONNECTABLE_VALID_WS08R2_VDI: valid',
  10: 'LS_CONNECTABLE_FEATURE_NOT_SUPPORTED: not supported',
  11: 'LS_CONNECTABLE_VALID_LS: valid',
};

export function lsStatusText(status: number): string {
  return `${status} (${LS_STATUS_MEANING[status] ?? 'undocumented value'})`;
}

/** Licensing modes that count as "configured" (§2: 2 = Per Device, 4 = Per User). */
export const CONFIGURED_LICENSING_MODES: ReadonlySet<number> = new Set([2, 4]);

/** Why the licensing of an RDSH cannot issue CALs (each one proven, never assumed). */
export type LicensingProblem =
  /** LicensingType is 1 (admin) or 5 (not configured): event 1069 (§3 D4). */
  | 'mode_not_configured'
  /** No license server in the effective list: event 1130 (§3 D5). */
  | 'no_license_servers'
  /** Servers listed, every one answered a status outside REACHABLE_LS_STATUSES (§3 D5). */
  | 'no_reachable_license_server'
  /** Per User (4) on a workgroup host is not allowed (§0, KB2833839). */
  | 'per_user_on_workgroup';

export interface LicensingAssessment {
  /** RDSH present: feature installed, TerminalServerMode 1, or a removal still waiting for a restart. */
  rdsh: Tri;
  /** The grace period no longer protects logons (DaysLeft 0). */
  graceOver: Tri;
  /** Days left when still within grace; null otherwise. */
  graceDaysLeft: number | null;
  /** Mode 2/4 with at least one listed license server (issue 7: never strip such a server automatically). */
  configured: Tri;
  /** A listed server answers a valid status (null: some statuses could not be read). */
  anyValid: Tri;
  /** Proven problems (empty = none proven; see `usable`). */
  problems: LicensingProblem[];
  /** Licensing can issue CALs. */
  usable: Tri;
  /** Cause B: RDSH, grace over, licensing not usable. */
  lockout: Tri;
  /** 2008: listed servers, no status call exists; the configuration is trusted. */
  reachabilityUnverifiable: boolean;
  /** Plain-word list of what could not be read when `lockout` is null. */
  missing: string[];
}

/** Case-insensitive host name comparison (Windows names are case-insensitive). */
export function sameServer(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Listed license servers (blank names dropped); null when unknown or not read. */
export function listedServers(facts: DiagnosisFacts): string[] | null {
  const s = facts.licensing.servers;
  return s === null ? null : s.filter((x) => x.trim() !== '');
}

/** The status reported for `server` (aligned with `servers`), or null when none was reported. */
export function reachabilityOf(facts: DiagnosisFacts, server: string): number | null {
  const servers = facts.licensing.servers ?? [];
  const i = servers.findIndex((s) => sameServer(s, server));
  if (i < 0) return null;
  const st = facts.licensing.statuses[i];
  return typeof st === 'number' ? st : null;
}

/** Reads that can make `field` unknown, for messages. */
function readsOf(facts: DiagnosisFacts, reads: FactRead[]): string[] {
  const u = facts.unknown ?? {};
  const failed = reads.filter((r) => r in u);
  return describeReads(facts, failed.length ? failed : reads.slice(0, 1));
}

export function isRdsh(facts: DiagnosisFacts): Tri {
  const { installed, terminalServerMode, removalPending } = facts.rdsh;
  // Feature state and WMI mode can disagree mid-change; either one means the RDSH licensing
  // rules apply (§2 "TerminalServerMode 1 = AppServer"; §3 D2). A pending removal has not taken
  // effect until the restart, so the lockout persists until then.
  if (installed === true || terminalServerMode === 1 || removalPending === true) return true;
  if ((installed === false || terminalServerMode === 0) && removalPending === false) return false;
  return null;
}

function rdshMissing(facts: DiagnosisFacts): string[] {
  return readsOf(facts, ['features', 'ts', 'marker']);
}

export function assessLicensing(facts: DiagnosisFacts): LicensingAssessment {
  const rdsh = isRdsh(facts);
  const mode = facts.licensing.mode;
  const listed = listedServers(facts);
  const g = facts.graceDays;
  const missing: string[] = [];

  // §3 D3: >0 = within grace, logons still work; 0 = over. Unknown days are unknown, never "over".
  const graceOver: Tri = rdsh === false ? false : g !== null ? g <= 0 : null;
  const graceDaysLeft = g !== null && g > 0 ? g : null;

  const problems: LicensingProblem[] = [];
  // §3 D4: only 2/4 are configured; 1 and 5 leave the host without a CAL type (event 1069).
  if (mode !== null && !CONFIGURED_LICENSING_MODES.has(mode)) problems.push('mode_not_configured');
  // §3 D5: an empty list after grace is the cause (event 1130).
  if (listed !== null && listed.length === 0) problems.push('no_license_servers');
  const configured: Tri =
    problems.length > 0 ? false : mode !== null && listed !== null ? true : null;

  let anyValid: Tri = null;
  let reachabilityUnverifiable = false;
  if (configured === true && listed) {
    const statuses = listed.map((s) => reachabilityOf(facts, s));
    if (statuses.some((st) => st !== null && REACHABLE_LS_STATUSES.has(st))) {
      anyValid = true;
    } else if (facts.os.family === '2008' && statuses.every((st) => st === null)) {
      // GetTStoLSConnectivityStatus exists on 2008 R2+ only (§2): a listed server cannot be judged,
      // and the only automated consequence of "broken" would be a role removal. Trust it.
      anyValid = true;
      reachabilityUnverifiable = true;
    } else if (statuses.every((st) => st !== null && st !== LS_STATUS_CALL_FAILED)) {
      anyValid = false;
      problems.push('no_reachable_license_server');
    } else {
      const unread = listed.filter((_, i) => statuses[i] === null || statuses[i] === LS_STATUS_CALL_FAILED);
      missing.push(`the license server status (GetTStoLSConnectivityStatus) of ${unread.join(', ')}`);
    }
  }
  // §0 / §10.6: a workgroup RDSH must use Per Device CALs.
  let workgroupOk: Tri = true;
  if (mode === 4) {
    const pod = facts.domain.partOfDomain;
    if (pod === false) problems.push('per_user_on_workgroup');
    workgroupOk = pod;
  }

  const usable: Tri =
    problems.length > 0 ? false : configured === true && anyValid === true && workgroupOk === true ? true : null;
  if (usable === null) {
    if (mode === null) missing.push(...readsOf(facts, ['mode', 'ts']));
    if (listed === null) missing.push(...readsOf(facts, ['servers', 'ts']));
    if (mode === 4 && workgroupOk === null) missing.push(...readsOf(facts, ['domain']));
  }

  let lockout: Tri;
  if (rdsh === false || graceOver === false || usable === true) lockout = false;
  else if (rdsh === true && graceOver === true && usable === false) lockout = true;
  else lockout = null;

  const lockoutMissing: string[] = [];
  if (lockout === null) {
    if (rdsh === null) lockoutMissing.push(...rdshMissing(facts));
    if (graceOver === null && rdsh !== null) lockoutMissing.push(...readsOf(facts, ['grace', 'ts']));
    if (usable === null) lockoutMissing.push(...missing);
  }
  return { rdsh, graceOver, graceDaysLeft, configured, anyValid, problems, usable, lockout, reachabilityUnverifiable, missing: dedupe(lockoutMissing) };
}

export interface SingleSessionAssessment {
  /** present = cause A; absent = no block; undetermined = could not be ruled out. */
  status: 'present' | 'absent' | 'undetermined';
  value: 0 | 1 | null;
  /** Accounts with an active session (quser), lower case as printed. */
  activeAccounts: string[];
  /** The caller reported the symptom. */
  reported: boolean;
  /** Why: plain words for notes and details. */
  why: string;
  missing: string[];
}

export interface SymptomInput {
  symptom?: Symptom | null;
  symptomAccount?: string | null;
}

/** Strips a DOMAIN\ prefix or an @domain suffix: quser prints the bare user name. */
export function bareAccount(name: string): string {
  const n = name.trim();
  const slash = n.lastIndexOf('\\');
  const base = slash >= 0 ? n.slice(slash + 1) : n;
  const at = base.indexOf('@');
  return (at > 0 ? base.slice(0, at) : base).toLowerCase();
}

/**
 * Cause A is the symptom, not the setting (issue 7): fSingleSessionPerUser = 1 is the Windows
 * default on 2008 R2+, so it is a cause only when it blocks a logon: an account already holds an
 * ACTIVE session (its second logon is refused or takes that session over; a disconnected session
 * of one's own account is simply reconnected), or the caller reports exactly that complaint.
 */
export function assessSingleSession(facts: DiagnosisFacts, input: SymptomInput = {}): SingleSessionAssessment {
  const value = facts.singleSession.value;
  const reported = input.symptom === 'another-user-logged-on';
  const rows = facts.sessions;
  const sessions = rows === null ? null : parseQuserRows(rows);
  const activeAccounts = sessions ? sessions.filter((s) => s.state === 'active').map((s) => s.username.toLowerCase()) : [];
  const base = { value, activeAccounts, reported };
  const singleMissing = () => readsOf(facts, ['single', 'ts']);

  if (value === 0) return { ...base, status: 'absent', why: 'each user may open several sessions (fSingleSessionPerUser = 0)', missing: [] };
  if (reported) {
    if (value === 1) return { ...base, status: 'present', why: 'the caller reports that a second logon of the same account is refused or takes over the first session, and "Restrict each user to a single session" is on', missing: [] };
    return { ...base, status: 'undetermined', why: 'the caller reports the one-session-per-user symptom, but the setting could not be read', missing: singleMissing() };
  }
  if (sessions === null) {
    return { ...base, status: 'undetermined', why: 'the sessions could not be read, so rdpfix cannot tell whether the single-session restriction blocks a logon', missing: [...readsOf(facts, ['sessions']), ...(value === null ? singleMissing() : [])] };
  }
  if (activeAccounts.length === 0) {
    if (facts.sessionsTruncated) {
      return { ...base, status: 'undetermined', why: 'more sessions exist than the diagnosis lists, and none of the listed ones is active', missing: ['the full session list (more than the listed quser rows)'] };
    }
    return { ...base, status: 'absent', why: value === 1 ? 'no account holds an active session, so the single-session restriction blocks nobody now' : 'no account holds an active session', missing: [] };
  }
  if (value === null) {
    return { ...base, status: 'undetermined', why: `${activeAccounts.join(', ')} hold(s) an active session, but the single-session setting could not be read`, missing: singleMissing() };
  }
  return { ...base, status: 'present', why: `"Restrict each user to a single session" is on and ${activeAccounts.join(', ')} hold(s) an active session, so a second logon of that account is refused or takes the session over`, missing: [] };
}

/**
 * The causes proven by these facts (DESIGN §1), A then B. Unknown facts never make a cause.
 *  A `single_session`: see assessSingleSession (needs the request's symptom, if any).
 *  B `licensing_lockout`: RDSH present, grace over, and licensing proven unable to issue CALs.
 */
export function detectCauses(facts: DiagnosisFacts, input: SymptomInput = {}): Cause[] {
  const causes: Cause[] = [];
  if (assessSingleSession(facts, input).status === 'present') causes.push('single_session');
  if (assessLicensing(facts).lockout === true) causes.push('licensing_lockout');
  return causes;
}

/** RDP breakage rdpfix does not repair (§3 D11, §6). Only known values count; unknown is not evidence. */
export type OutOfScopeProblem = 'rdp_denied' | 'termservice_stopped' | 'listener_down' | 'firewall_blocked';

export function outOfScopeProblems(facts: DiagnosisFacts): OutOfScopeProblem[] {
  const out: OutOfScopeProblem[] = [];
  if (facts.denyConnections.value === 1) out.push('rdp_denied');
  if (facts.termService === 'stopped') out.push('termservice_stopped');
  if (facts.listener.up === false) out.push('listener_down');
  if (facts.firewall?.enabled === true && facts.firewall.rdpAllowed === false) out.push('firewall_blocked');
  return out;
}

/** Remote (non-console) sessions in the Active state: Remote Desktop for Administration allows two. */
export function activeRemoteSessions(facts: DiagnosisFacts): number | null {
  if (facts.sessions === null) return null;
  return parseQuserRows(facts.sessions).filter((s) => s.state === 'active' && (s.sessionName ?? '').toLowerCase() !== 'console').length;
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

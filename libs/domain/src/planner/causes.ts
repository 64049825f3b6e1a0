import { DiagnosisFacts, LicenseServerReachability } from '../facts';
import { Cause } from '../plan';

/**
 * GetTStoLSConnectivityStatus values that mean "this RDSH can get CALs from that license server"
 * (rdp-licensing.md §2 TSLSSTAT, §3 D5, §4 F2 verify):
 *   11 LS_CONNECTABLE_VALID_LS, 1 LS_CONNECTABLE_VALID_WS08R2, 2 LS_CONNECTABLE_VALID_WS08,
 *    9 LS_CONNECTABLE_VALID_WS08R2_VDI (1/2/9 are what older hosts and license servers report).
 * Everything else is NOT usable: 0 unknown, 3 beta/RTM mismatch, 4 lower version (CAL/LS too old),
 * 5 not in TSC group, 6 not connectable, 7 unknown validity, 8 access denied, 10 not supported.
 */
export const REACHABLE_LS_STATUSES: ReadonlySet<number> = new Set([11, 1, 2, 9]);

/** Licensing modes that count as "configured" (§2: 2 = Per Device, 4 = Per User). */
export const CONFIGURED_LICENSING_MODES: ReadonlySet<number> = new Set([2, 4]);

/** Why the licensing of an RDSH cannot issue CALs. */
export type LicensingProblem =
  /** LicensingType is 1 (admin) or 5 (not configured): event 1069 (§3 D4). */
  | 'mode_not_configured'
  /** No license server in the effective list: event 1130 (§3 D5). */
  | 'no_license_servers'
  /** Servers listed, none reports a status in REACHABLE_LS_STATUSES (§3 D5). */
  | 'no_reachable_license_server'
  /** Per User (4) on a workgroup host is not allowed (§0, KB2833839). */
  | 'per_user_on_workgroup';

export interface LicensingAssessment {
  /** RDSH present: feature installed, TerminalServerMode 1, or a removal still waiting for a restart. */
  rdsh: boolean;
  /** The grace period no longer protects logons (0 days, or unknown on an RDSH: see gracePeriod()). */
  graceOver: boolean;
  /** Days left when still within grace; null otherwise. */
  graceDaysLeft: number | null;
  /** GetGracePeriodDays failed on an RDSH (graceDays null) and we assumed it is over. */
  graceUnknown: boolean;
  /** Empty = licensing can issue CALs. */
  problems: LicensingProblem[];
  /** true when reachability could not be established because the OS has no status call (2008). */
  reachabilityUnverifiable: boolean;
}

/** A reachability entry is usable when its status is in REACHABLE_LS_STATUSES. */
export function isReachable(r: LicenseServerReachability): boolean {
  return REACHABLE_LS_STATUSES.has(r.status);
}

/** Case-insensitive host name comparison (Windows names are case-insensitive). */
export function sameServer(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The reachability status reported for `server`, or null if the diagnosis has none. */
export function reachabilityOf(facts: DiagnosisFacts, server: string): number | null {
  const hit = facts.licensing.reachability.find((r) => sameServer(r.server, server));
  return hit ? hit.status : null;
}

export function isRdsh(facts: DiagnosisFacts): boolean {
  // Feature state and WMI mode can disagree mid-change; either one means the RDSH licensing
  // rules apply (§2 "TerminalServerMode 1 = AppServer"; §3 D2). A pending removal has not taken
  // effect until the restart, so the lockout persists until then.
  return facts.rdsh.installed || facts.rdsh.terminalServerMode === 1 || facts.rdsh.removalPending;
}

export function assessLicensing(facts: DiagnosisFacts): LicensingAssessment {
  const rdsh = isRdsh(facts);
  const { mode, servers, reachability } = facts.licensing;

  const problems: LicensingProblem[] = [];
  // §3 D4: only 2/4 are configured; 1 and 5 leave the host without a CAL type (event 1069).
  if (!CONFIGURED_LICENSING_MODES.has(mode)) problems.push('mode_not_configured');
  // §3 D5: an empty list after grace is the cause (event 1130).
  const listed = servers.filter((s) => s.trim() !== '');
  if (listed.length === 0) problems.push('no_license_servers');

  // GetTStoLSConnectivityStatus exists on 2008 R2+ only (§2). On 2008 a listed server without
  // any status cannot be judged; we trust the configuration rather than call it broken, because
  // the only automated consequence of "broken" would be an unnecessary role removal.
  const reachabilityUnverifiable =
    facts.os.family === '2008' && listed.length > 0 && reachability.length === 0;
  if (listed.length > 0 && !reachabilityUnverifiable) {
    // On 2008 R2+ a listed server with no status means the status call failed: not proven usable.
    const anyReachable = listed.some((s) => {
      const st = reachabilityOf(facts, s);
      return st !== null && REACHABLE_LS_STATUSES.has(st);
    });
    if (!anyReachable) problems.push('no_reachable_license_server');
  }
  // §0 / §10.6: a workgroup RDSH must use Per Device CALs.
  if (mode === 4 && !facts.domain.partOfDomain) problems.push('per_user_on_workgroup');

  // §3 D3: >0 = within grace, logons still work; 0 = over. null on an RDSH means the WMI call
  // failed (§2: "may throw"); the customer reports a lockout, so we treat it as over and say so.
  const g = facts.graceDays;
  const graceUnknown = rdsh && g === null;
  const graceOver = rdsh && (g === null || g <= 0);
  const graceDaysLeft = rdsh && g !== null && g > 0 ? g : null;

  return { rdsh, graceOver, graceDaysLeft, graceUnknown, problems, reachabilityUnverifiable };
}

/**
 * The causes present in these facts (DESIGN §1):
 *  A `single_session`: the effective fSingleSessionPerUser is 1 (whatever its source; the source
 *    only decides whether rdpfix may change it).
 *  B `licensing_lockout`: RDSH present, grace over, and licensing cannot issue CALs (§3 D3:
 *    "0 plus D4/D5 failing"; 0 with licensing usable is normal, the counter always reaches 0).
 * Order is fixed (A then B) so plans and summaries are stable.
 */
export function detectCauses(facts: DiagnosisFacts): Cause[] {
  const causes: Cause[] = [];
  if (facts.singleSession.value === 1) causes.push('single_session');
  const lic = assessLicensing(facts);
  if (lic.rdsh && lic.graceOver && lic.problems.length > 0) causes.push('licensing_lockout');
  return causes;
}

/** RDP breakage rdpfix does not repair (§3 D11, §6). 'unknown' TermService is not evidence. */
export type OutOfScopeProblem = 'rdp_denied' | 'termservice_stopped' | 'listener_down';

export function outOfScopeProblems(facts: DiagnosisFacts): OutOfScopeProblem[] {
  const out: OutOfScopeProblem[] = [];
  if (facts.denyConnections.value === 1) out.push('rdp_denied');
  if (facts.termService === 'stopped') out.push('termservice_stopped');
  if (!facts.listener.up) out.push('listener_down');
  return out;
}

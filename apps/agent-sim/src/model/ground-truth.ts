import {
  SimInstance,
  effective,
  effectiveLicenseServers,
  effectiveLicensingMode,
  serverStatus,
} from './instance';

export type GroundTruthReason =
  | 'rebooting'
  | 'termservice_stopped'
  | 'listener_down'
  | 'firewall_blocked'
  | 'rdp_disabled'
  | 'licensing_lockout'
  | 'single_session_conflict'
  | 'session_limit';

export interface GroundTruth {
  canRdp: boolean;
  reasons: GroundTruthReason[];
}

export interface GroundTruthContext {
  /** The account that tries to log on (Administrator by default). */
  user?: string;
  /** The machine is down for a restart. */
  rebooting?: boolean;
}

/**
 * GetTStoLSConnectivityStatus values that mean "this server can license us":
 * 11 = LS_CONNECTABLE_VALID_LS; 1/2/9 are the OK codes older systems report (rdp-licensing.md D5).
 */
export const USABLE_LS_STATUSES: ReadonlySet<number> = new Set([1, 2, 9, 11]);

/**
 * Whether the license server behind a diagnosed status really issues CALs to TermService. The
 * status is what the diagnose script (LocalSystem) is told, which is not always the truth:
 *  -1  the status call itself failed on this server; the license server is fine;
 *   8  access denied to LocalSystem, while TermService (the computer account) is served on a
 *      domain member (issue 7: "status 8 can be what LocalSystem gets on a healthy domain server");
 *   6  and the rest: the license server really is unusable.
 */
export function licenseServerWorks(status: number, partOfDomain: boolean): boolean {
  if (USABLE_LS_STATUSES.has(status) || status === -1) return true;
  return status === 8 && partOfDomain;
}

/** Without RDSH, Remote Desktop for Administration allows two remote sessions (ADMX help). */
const ADMIN_MODE_SESSION_LIMIT = 2;

/**
 * "Can a user RDP in now, and if not, why" — pure, from the modelled state only.
 * The agent's state is deliberately not an input: RDP does not depend on the guest agent.
 */
export function evaluateGroundTruth(inst: SimInstance, ctx: GroundTruthContext = {}): GroundTruth {
  if (ctx.rebooting) return { canRdp: false, reasons: ['rebooting'] };
  const reasons: GroundTruthReason[] = [];
  const user = (ctx.user ?? 'administrator').toLowerCase();

  if (inst.termService !== 'running') reasons.push('termservice_stopped');
  if (!inst.listener.up) reasons.push('listener_down');
  if (inst.firewall.enabled && !inst.firewall.rdpAllowed) reasons.push('firewall_blocked');
  if (effective(inst.denyConnections) === 1) reasons.push('rdp_disabled');
  if (hasLicensingLockout(inst)) reasons.push('licensing_lockout');

  const active = inst.sessions.filter((s) => s.state === 'Active');
  // A disconnected session of the same user is simply reconnected, so only an active one conflicts.
  if (effective(inst.singleSession) === 1 && active.some((s) => s.username.toLowerCase() === user)) {
    reasons.push('single_session_conflict');
  }
  // The console session does not use one of the two remote-administration slots.
  const remoteActive = active.filter((s) => (s.sessionName ?? '').toLowerCase() !== 'console');
  if (!inst.rdsh.installed && remoteActive.length >= ADMIN_MODE_SESSION_LIMIT) reasons.push('session_limit');

  return { canRdp: reasons.length === 0, reasons };
}

/**
 * Cause B: RDSH installed (a pending removal still counts until the restart), grace over,
 * and no usable licensing — mode not per device/per user, no reachable server, or per-user
 * mode on a workgroup server (per-user CALs need a domain).
 */
export function hasLicensingLockout(inst: SimInstance): boolean {
  if (!inst.rdsh.installed || inst.graceDays > 0) return false;
  return !hasUsableLicensing(inst);
}

export function hasUsableLicensing(inst: SimInstance): boolean {
  const mode = effectiveLicensingMode(inst);
  if (mode !== 2 && mode !== 4) return false;
  if (mode === 4 && !inst.domain.partOfDomain) return false;
  return effectiveLicenseServers(inst).some((s) => licenseServerWorks(serverStatus(inst, s), inst.domain.partOfDomain));
}

import { DiagnosisFacts } from '../facts';
import { Cause, Plan } from '../plan';
import { LICENSING_MODE_CODE } from '../request';
import {
  REACHABLE_LS_STATUSES,
  SymptomInput,
  activeRemoteSessions,
  assessLicensing,
  assessSingleSession,
  lsStatusText,
  reachabilityOf,
  sameServer,
} from '../planner/causes';
import { bootTimeChanged } from './boot-time';

export type ActPlan = Extract<Plan, { decision: 'act' }>;

export interface VerificationInput {
  before: DiagnosisFacts;
  after: DiagnosisFacts;
  plan: ActPlan;
  /** The worker restarted the server during this remediation. */
  rebooted: boolean;
  /** The request's symptom, so cause detection after the fix uses the same rule as before it. */
  symptom?: SymptomInput;
}

export interface VerificationCheck {
  name: VerificationCheckName;
  passed: boolean;
  detail: string;
}

export type VerificationCheckName =
  | 'single_session_cleared'
  | 'rdsh_role_removed'
  | 'licensing_mode'
  | 'license_server_listed'
  | 'license_server_reachable'
  | 'no_cause_remaining'
  | 'termservice_running'
  | 'listener_up'
  | 'firewall_open'
  | 'free_session'
  | 'boot_time';

export interface VerificationResult {
  passed: boolean;
  checks: VerificationCheck[];
}

/** Which causes the plan's actions address (a restart-only plan completes an earlier removal). */
export function addressedCauses(plan: ActPlan): Cause[] {
  const out: Cause[] = [];
  if (plan.actions.some((a) => a.kind === 'allow-multiple-sessions')) out.push('single_session');
  const licensing = plan.actions.some((a) => a.kind === 'remove-rdsh-role' || a.kind === 'configure-licensing');
  if (licensing || (plan.needsReboot && plan.causes.includes('licensing_lockout'))) out.push('licensing_lockout');
  return out;
}

export function removesRole(plan: ActPlan): boolean {
  return plan.needsReboot && addressedCauses(plan).includes('licensing_lockout');
}

/**
 * Proves the configuration from the post-fix facts (rdp-licensing.md §4 "Verify", §6): each
 * addressed cause is gone, TermService runs, the RDP listener is up, the firewall lets 3389 in,
 * after a role removal a free administrator session remains, and a restart really happened when
 * we did one. A fact that could not be read fails its check: nothing unproven is claimed.
 * It verifies the server's configuration, not an actual logon. Pure.
 */
export function evaluateVerification(input: VerificationInput): VerificationResult {
  const { before, after, plan, rebooted } = input;
  const checks: VerificationCheck[] = [];
  const addressed = addressedCauses(plan);

  if (addressed.includes('single_session')) {
    // §4 F1 verify: WMI SingleSession = 0.
    const v = after.singleSession.value;
    checks.push({
      name: 'single_session_cleared',
      passed: v === 0,
      detail:
        v === 0
          ? 'fSingleSessionPerUser is 0: a user may open several sessions.'
          : v === null
            ? 'fSingleSessionPerUser could not be read after the change.'
            : `fSingleSessionPerUser is still 1 (source: ${after.singleSession.source ?? 'unknown'}).`,
    });
  }

  if (addressed.includes('licensing_lockout')) {
    const cfg = plan.actions.find((a) => a.kind === 'configure-licensing');
    if (cfg && cfg.kind === 'configure-licensing') {
      // §4 F2 verify: LicensingType is the requested code, the list holds the LS, status 11 (1/2/9 older).
      const want = LICENSING_MODE_CODE[cfg.licensingMode];
      const mode = after.licensing.mode;
      checks.push({
        name: 'licensing_mode',
        passed: mode === want,
        detail:
          mode === want
            ? `LicensingType is ${want} (${cfg.licensingMode}) as requested.`
            : mode === null
              ? 'LicensingType could not be read after the change.'
              : `LicensingType is ${mode}, expected ${want} (${cfg.licensingMode}).`,
      });
      const servers = after.licensing.servers;
      const listed = servers !== null && servers.some((s) => sameServer(s, cfg.licenseServer));
      checks.push({
        name: 'license_server_listed',
        passed: listed,
        detail: listed
          ? `${cfg.licenseServer} is in the license server list.`
          : servers === null
            ? 'The license server list could not be read after the change.'
            : `${cfg.licenseServer} is not in the license server list (${servers.join(', ') || 'empty'}).`,
      });
      const status = reachabilityOf(after, cfg.licenseServer);
      const reachable = status !== null && REACHABLE_LS_STATUSES.has(status);
      checks.push({
        name: 'license_server_reachable',
        passed: reachable,
        detail: reachable
          ? `${cfg.licenseServer} is reachable (GetTStoLSConnectivityStatus = ${status}).`
          : status === null
            ? `No connectivity status was reported for ${cfg.licenseServer}.`
            : `${cfg.licenseServer} is not proven usable (GetTStoLSConnectivityStatus = ${lsStatusText(status)}; accepted: ${[...REACHABLE_LS_STATUSES].join(', ')}).`,
      });
    } else {
      // remove-role, including a plan that only owed the restart of an earlier removal (§4 F3 verify:
      // feature Available, TerminalServerMode 0).
      const r = after.rdsh;
      const ok = r.installed === false && r.terminalServerMode === 0 && r.removalPending === false;
      checks.push({
        name: 'rdsh_role_removed',
        passed: ok,
        detail: ok
          ? 'The RD Session Host role is removed and TerminalServerMode is 0 (Remote Desktop for Administration).'
          : `The RD Session Host role is not proven removed: installed = ${fmt(r.installed)}, TerminalServerMode = ${fmt(r.terminalServerMode)}, removal pending = ${fmt(r.removalPending)}.`,
      });
      // Remote Desktop for Administration allows two sessions: one must be free for a logon.
      const n = activeRemoteSessions(after);
      checks.push({
        name: 'free_session',
        passed: n !== null && n < 2,
        detail:
          n === null
            ? 'The sessions could not be read, so a free administrator session is not proven.'
            : n < 2
              ? `${n} active remote session(s): Remote Desktop for Administration still has a free session (2 allowed).`
              : `${n} active remote sessions already use both Remote Desktop for Administration sessions; the next logon must disconnect one.`,
      });
    }
  }

  // The planner's own rules must agree: every addressed cause is proven gone, and nothing new
  // appeared. Causes the plan left alone (blocked, or not ruled out) are reported, not re-judged.
  const leftCauses = new Set((plan.left ?? []).map((l) => l.cause));
  const problems: string[] = [];
  const a = assessSingleSession(after, input.symptom ?? {});
  const lic = assessLicensing(after);
  for (const c of addressed) {
    const state = c === 'single_session' ? a.status : lic.lockout === true ? 'present' : lic.lockout === false ? 'absent' : 'undetermined';
    if (state === 'present') problems.push(`${c} is still present`);
    if (state === 'undetermined') problems.push(`${c} could not be ruled out (${(c === 'single_session' ? a.missing : lic.missing).join('; ') || 'facts unknown'})`);
  }
  // A licensing lockout that appears only now would undo the fix. (A new active session with the
  // default single-session setting is not something a fix can cause, so it is not judged here.)
  const fresh: Cause[] = [];
  if (lic.lockout === true && !addressed.includes('licensing_lockout') && !leftCauses.has('licensing_lockout') && !plan.causes.includes('licensing_lockout')) fresh.push('licensing_lockout');
  for (const c of fresh) problems.push(`${c} is present now (it was not before the fix)`);
  checks.push({
    name: 'no_cause_remaining',
    passed: problems.length === 0,
    detail: problems.length === 0 ? 'Every cause the fix addressed is gone, and no new one appeared.' : `${problems.join('; ')}.`,
  });

  // §6: the service and the listener must be up, whatever we changed.
  const tsOk = after.termService === 'running';
  checks.push({ name: 'termservice_running', passed: tsOk, detail: tsOk ? 'TermService is running.' : `TermService is ${after.termService}.` });
  const up = after.listener.up;
  checks.push({
    name: 'listener_up',
    passed: up === true,
    detail:
      up === true
        ? `The RDP-Tcp listener is up on port ${after.listener.port}.`
        : up === null
          ? 'The RDP-Tcp listener could not be checked.'
          : `The RDP-Tcp listener is not listening on port ${after.listener.port}.`,
  });
  checks.push(firewallCheck(after));
  checks.push(bootTimeCheck(before.bootTime, after.bootTime, rebooted, plan.needsReboot));

  return { passed: checks.every((c) => c.passed), checks };
}

function firewallCheck(after: DiagnosisFacts): VerificationCheck {
  const fw = after.firewall ?? { enabled: null, rdpAllowed: null };
  const port = after.listener.port;
  if (fw.enabled === false) {
    return { name: 'firewall_open', passed: true, detail: 'Windows Firewall is off for the active network profiles.' };
  }
  if (fw.rdpAllowed === true) {
    return { name: 'firewall_open', passed: true, detail: `Windows Firewall has an enabled inbound rule allowing TCP ${port}.` };
  }
  if (fw.rdpAllowed === false && fw.enabled === true) {
    return { name: 'firewall_open', passed: false, detail: `Windows Firewall is on and no enabled inbound rule allows TCP ${port} (the "Remote Desktop" rules).` };
  }
  return { name: 'firewall_open', passed: false, detail: `The Windows Firewall rules for TCP ${port} could not be read.` };
}

function bootTimeCheck(before: string, after: string, rebooted: boolean, needsReboot: boolean): VerificationCheck {
  const changed = bootTimeChanged(before, after);
  if (rebooted) {
    // DESIGN §4 step 5: a restart is proven only by a new boot time (beyond clock-step tolerance).
    return {
      name: 'boot_time',
      passed: changed,
      detail: changed ? `The server restarted (boot time ${before} → ${after}).` : `A restart was requested but the boot time did not change (${after}).`,
    };
  }
  if (needsReboot) {
    // A role removal takes effect only after a restart; verifying without one cannot pass.
    return { name: 'boot_time', passed: false, detail: 'The plan needs a restart, but the server was not restarted.' };
  }
  return {
    name: 'boot_time',
    passed: true,
    detail: changed
      ? `No restart was planned, but the boot time changed (${before} → ${after}); the server restarted for another reason.`
      : 'No restart was planned and none happened.',
  };
}

function fmt(v: unknown): string {
  return v === null || v === undefined ? 'unknown' : String(v);
}

import { DiagnosisFacts } from '../facts';
import { Plan } from '../plan';
import { LICENSING_MODE_CODE } from '../request';
import { REACHABLE_LS_STATUSES, detectCauses, reachabilityOf, sameServer } from '../planner/causes';

export type ActPlan = Extract<Plan, { decision: 'act' }>;

export interface VerificationInput {
  before: DiagnosisFacts;
  after: DiagnosisFacts;
  plan: ActPlan;
  /** The worker restarted the server during this remediation. */
  rebooted: boolean;
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
  | 'boot_time';

export interface VerificationResult {
  passed: boolean;
  checks: VerificationCheck[];
}

/**
 * Proves the fix from the post-fix facts (rdp-licensing.md §4 "Verify", §6): each planned cause is
 * gone, TermService runs, the RDP listener is up, and a restart really happened when we did one.
 * Pure; passes only when every check passes.
 */
export function evaluateVerification(input: VerificationInput): VerificationResult {
  const { before, after, plan, rebooted } = input;
  const checks: VerificationCheck[] = [];

  if (plan.causes.includes('single_session')) {
    // §4 F1 verify: WMI SingleSession = 0.
    const ok = after.singleSession.value === 0;
    checks.push({
      name: 'single_session_cleared',
      passed: ok,
      detail: ok
        ? 'fSingleSessionPerUser is 0: a user may open several sessions.'
        : `fSingleSessionPerUser is still 1 (source: ${after.singleSession.source}).`,
    });
  }

  if (plan.causes.includes('licensing_lockout')) {
    const cfg = plan.actions.find((a) => a.kind === 'configure-licensing');
    if (cfg && cfg.kind === 'configure-licensing') {
      // §4 F2 verify: LicensingType is the requested code, the list holds the LS, status 11 (1/2/9 older).
      const want = LICENSING_MODE_CODE[cfg.licensingMode];
      const modeOk = after.licensing.mode === want;
      checks.push({
        name: 'licensing_mode',
        passed: modeOk,
        detail: modeOk
          ? `LicensingType is ${want} (${cfg.licensingMode}) as requested.`
          : `LicensingType is ${after.licensing.mode}, expected ${want} (${cfg.licensingMode}).`,
      });
      const listed = after.licensing.servers.some((s) => sameServer(s, cfg.licenseServer));
      checks.push({
        name: 'license_server_listed',
        passed: listed,
        detail: listed
          ? `${cfg.licenseServer} is in the license server list.`
          : `${cfg.licenseServer} is not in the license server list (${after.licensing.servers.join(', ') || 'empty'}).`,
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
            : `${cfg.licenseServer} is not usable (GetTStoLSConnectivityStatus = ${status}; accepted: ${[...REACHABLE_LS_STATUSES].join(', ')}).`,
      });
    } else {
      // remove-role, including a plan that only owed the restart of an earlier removal (§4 F3 verify:
      // feature Available, TerminalServerMode 0).
      const ok = !after.rdsh.installed && after.rdsh.terminalServerMode === 0 && !after.rdsh.removalPending;
      checks.push({
        name: 'rdsh_role_removed',
        passed: ok,
        detail: ok
          ? 'The RD Session Host role is removed and TerminalServerMode is 0 (Remote Desktop for Administration).'
          : `The RD Session Host role is not fully removed: installed = ${after.rdsh.installed}, TerminalServerMode = ${after.rdsh.terminalServerMode}, removal pending = ${after.rdsh.removalPending}.`,
      });
    }
  }

  // The planner's own cause detection must agree: nothing that blocks logons (planned or not) remains.
  const remaining = detectCauses(after);
  checks.push({
    name: 'no_cause_remaining',
    passed: remaining.length === 0,
    detail:
      remaining.length === 0
        ? 'Neither the single-session restriction nor a licensing lockout is present.'
        : `Still present: ${remaining.join(', ')}${remaining.some((c) => !plan.causes.includes(c)) ? ' (not present before the fix)' : ''}.`,
  });

  // §6: the service and the listener must be up, whatever we changed.
  const tsOk = after.termService === 'running';
  checks.push({
    name: 'termservice_running',
    passed: tsOk,
    detail: tsOk ? 'TermService is running.' : `TermService is ${after.termService}.`,
  });
  checks.push({
    name: 'listener_up',
    passed: after.listener.up,
    detail: after.listener.up
      ? `The RDP-Tcp listener is up on port ${after.listener.port}.`
      : `The RDP-Tcp listener is not listening on port ${after.listener.port}.`,
  });

  checks.push(bootTimeCheck(before.bootTime, after.bootTime, rebooted, plan.needsReboot));

  return { passed: checks.every((c) => c.passed), checks };
}

function bootTimeCheck(before: string, after: string, rebooted: boolean, needsReboot: boolean): VerificationCheck {
  const changed = !sameInstant(before, after);
  if (rebooted) {
    // DESIGN §4 step 5: a restart is proven only by a new boot time.
    return {
      name: 'boot_time',
      passed: changed,
      detail: changed
        ? `The server restarted (boot time ${before} → ${after}).`
        : `A restart was requested but the boot time did not change (${after}).`,
    };
  }
  if (needsReboot) {
    // A role removal takes effect only after a restart; verifying without one cannot pass.
    return {
      name: 'boot_time',
      passed: false,
      detail: 'The plan needs a restart, but the server was not restarted.',
    };
  }
  return {
    name: 'boot_time',
    passed: true,
    detail: changed
      ? `No restart was planned, but the boot time changed (${before} → ${after}); the server restarted for another reason.`
      : 'No restart was planned and none happened.',
  };
}

/** Compares ISO times as instants when both parse, else as strings. */
function sameInstant(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a === b;
  return ta === tb;
}

import { DiagnosisFacts } from '../facts';
import { Cause, Plan, PlanAction, RefusalReason } from '../plan';
import { LICENSING_MODE_CODE, LicensingMode, PlanRequest } from '../request';
import {
  LicensingAssessment,
  assessLicensing,
  detectCauses,
  outOfScopeProblems,
  reachabilityOf,
  REACHABLE_LS_STATUSES,
} from './causes';

/** The only action kinds a plan may ever contain (§10.5: no grace reset, no session limits, no logoff). */
export const PLAN_ACTION_KINDS = ['allow-multiple-sessions', 'configure-licensing', 'remove-rdsh-role'] as const;

/**
 * Refusal precedence: the first blocker found becomes `reason`; `detail` lists all of them so a
 * support engineer sees everything that stands in the way at once.
 */
export const REFUSAL_PRECEDENCE: readonly RefusalReason[] = [
  'domain_controller',
  'rds_deployment',
  'group_policy',
  'missing_license_input',
  'per_user_on_workgroup',
  'pending_reboot',
  'not_a_licensing_problem',
];

/** Host names rdpfix accepts for licenseServer: NetBIOS name, FQDN or IPv4; no separators. */
const LICENSE_SERVER_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*$/;

export function isValidLicenseServerName(name: string): boolean {
  // The runbook passes servers as a comma-separated key=value parameter: a comma, space or newline
  // in the name would smuggle in a second server or parameter, so such names are refused here.
  return LICENSE_SERVER_PATTERN.test(name);
}

const MODE_NAME: Record<number, string> = {
  1: '1 (RD for Administration)',
  2: '2 (Per Device)',
  4: '4 (Per User)',
  5: '5 (Not configured)',
};

interface Blocker {
  reason: RefusalReason | 'strategy_unsupported_on_os';
  detail: string;
  /** Which cause's fix this blocker stops ('all' = any change on this server). */
  blocks: Cause | 'all';
}

/**
 * Decides what to do with a server, purely from its diagnosis facts and the request.
 * Total: every input yields a Plan; never throws. `request.mode` is deliberately ignored
 * (DESIGN §4: diagnose stops after planning, so its plan must be the fix's plan).
 */
export function planRemediation(facts: DiagnosisFacts, request: PlanRequest): Plan {
  const notes: string[] = [];

  // DESIGN §1: only Server 2008–2025; the diagnose script reports family null for anything else.
  if (facts.os.family === null) {
    return {
      decision: 'unsupported',
      reason: 'unsupported_os',
      detail: `Windows version ${facts.os.version || '(unknown)'} is not a supported Windows Server release (2008, 2008 R2, 2012, 2012 R2, 2016, 2019, 2022, 2025).`,
      notes,
    };
  }

  const causes = detectCauses(facts);
  const lic = assessLicensing(facts);
  const hasA = causes.includes('single_session');
  const hasB = causes.includes('licensing_lockout');
  const strategy = request.strategy;

  notes.push(...licensingContextNotes(facts, lic, hasB));
  if (facts.errors.length > 0) {
    // Failed individual checks can hide a fact; a support engineer should see them.
    notes.push(`Some diagnosis checks reported errors: ${facts.errors.slice(0, 3).join('; ')}${facts.errors.length > 3 ? ` (+${facts.errors.length - 3} more)` : ''}.`);
  }

  const outOfScope = outOfScopeDetail(facts);

  // §3 D2/D11: no cause of ours. A broken RDP for another reason is refused, not "healthy",
  // so nobody reads "healthy" while the customer still cannot connect.
  if (causes.length === 0) {
    if (outOfScope.length > 0) {
      return {
        decision: 'refuse',
        reason: 'not_a_licensing_problem',
        detail: `No licensing lockout and no single-session restriction were found, but RDP is broken for another reason: ${outOfScope.join('; ')}. rdpfix does not change these settings; fix them from the VNC console or by policy.`,
        causes,
        notes,
      };
    }
    return { decision: 'healthy', notes };
  }

  const blockers: Blocker[] = [];
  const causeText = causes.map(causeLabel).join(' and ');

  // §10.2: a DC is report-only. We also refuse cause A alone there: DC policy refreshes every
  // 5 minutes (§1 item 4) and rdpfix's default on a DC is "report only", so nothing is changed.
  if (facts.domain.isDomainController) {
    blockers.push({
      reason: 'domain_controller',
      blocks: 'all',
      detail: `This server is a domain controller (Win32_ComputerSystem.DomainRole = ${facts.domain.role}). rdpfix never changes a domain controller: removing a role or restarting a DC affects the whole domain. Found: ${causeText}; fix it by hand during a maintenance window.`,
    });
  }

  // §10.3: role removal breaks a farm and licensing belongs on the broker (Set-RDLicenseConfiguration).
  // Cause A alone is a per-host setting and stays fixable on a deployment member.
  const rdsParts = rdsDeploymentParts(facts);
  if (hasB && rdsParts.length > 0) {
    blockers.push({
      reason: 'rds_deployment',
      blocks: 'licensing_lockout',
      detail: `This server is part of an RDS deployment (${rdsParts.join(', ')}). Removing the RD Session Host role would break the deployment (the server must first leave it with Remove-RDServer), and licensing must be set on the Connection Broker (Set-RDLicenseConfiguration) with the customer's license server and CAL type.`,
    });
  }

  // §1 "which setting wins" + §10.4: a policy value beats the local one and is re-applied within
  // ~90 minutes, so a local write would be reverted. Only settings we would actually change count.
  if (hasA && facts.singleSession.source === 'policy') {
    blockers.push({
      reason: 'group_policy',
      blocks: 'single_session',
      detail: 'fSingleSessionPerUser = 1 is enforced by Group Policy (PolicySourceSingleSession = 1; HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\fSingleSessionPerUser). Set the policy "Restrict Remote Desktop Services users to a single Remote Desktop Services session" to Disabled in the winning GPO (gpresult /scope computer).',
    });
  }
  if (hasB && strategy === 'configure-licensing') {
    const policyParts: string[] = [];
    if (facts.licensing.modeSource === 'policy') {
      policyParts.push(`LicensingMode = ${MODE_NAME[facts.licensing.mode] ?? facts.licensing.mode} ("Set the Remote Desktop licensing mode", PolicySourceLicensingType = 1)`);
    }
    if (facts.licensing.serversSource === 'policy') {
      const list = facts.licensing.servers.length ? facts.licensing.servers.join(',') : '(empty)';
      policyParts.push(`LicenseServers = ${list} ("Use the specified Remote Desktop license servers", PolicySourceConfiguredLicenseServers = 1)`);
    }
    if (policyParts.length > 0) {
      blockers.push({
        reason: 'group_policy',
        blocks: 'licensing_lockout',
        detail: `Licensing is controlled by Group Policy under HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services: ${policyParts.join('; ')}. A local change would be overridden; change the GPO, or use strategy remove-role.`,
      });
    }
  }
  // remove-role is NOT blocked by licensing policies: once the role is gone the host is back to
  // RD for Administration and the licensing policies no longer apply (§0). We only note them.

  if (hasB && strategy === 'configure-licensing') {
    const server = (request.licenseServer ?? '').trim();
    const mode = request.licensingMode ?? null;
    const missing: string[] = [];
    if (server === '') missing.push('licenseServer');
    if (mode === null) missing.push('licensingMode (per-user or per-device)');
    if (missing.length > 0) {
      // §10.5/§10.6: F2 only with a real license server and CAL type from the customer; never guess.
      blockers.push({
        reason: 'missing_license_input',
        blocks: 'licensing_lockout',
        detail: `Strategy configure-licensing needs the customer's license server and CAL type; missing: ${missing.join(', ')}. rdpfix never guesses them (a wrong mode causes event 1004).`,
      });
    } else if (!isValidLicenseServerName(server)) {
      blockers.push({
        reason: 'missing_license_input',
        blocks: 'licensing_lockout',
        detail: `licenseServer "${server.slice(0, 80)}" is not a valid host name (expected a NetBIOS name, FQDN or IPv4 address without spaces or commas).`,
      });
    }
    // §0 / KB2833839: a workgroup RDSH must use Per Device.
    if (mode === 'per-user' && !facts.domain.partOfDomain) {
      blockers.push({
        reason: 'per_user_on_workgroup',
        blocks: 'licensing_lockout',
        detail: 'Per User licensing was requested, but this server is not joined to a domain (Win32_ComputerSystem.PartOfDomain = false). A workgroup RD Session Host must use Per Device CALs.',
      });
    }
    // GetTStoLSConnectivityStatus and SetSpecifiedLicenseServerList exist on 2008 R2+ only (§2),
    // so on 2008 the change could be neither made by the runbook nor verified.
    if (facts.os.family === '2008') {
      blockers.push({
        reason: 'strategy_unsupported_on_os',
        blocks: 'licensing_lockout',
        detail: 'Strategy configure-licensing is not supported on Windows Server 2008: SetSpecifiedLicenseServerList and GetTStoLSConnectivityStatus exist only on 2008 R2 and later, so the license server can be neither set nor verified. Use strategy remove-role, or configure licensing by hand.',
      });
    }
  }

  // §3 D12: feature removal with a reboot already pending may fail or need two reboots; don't chain.
  // A pending removal of the RDSH role itself is the reboot we want, not a blocker.
  if (hasB && strategy === 'remove-role' && facts.pendingReboot && !facts.rdsh.removalPending) {
    blockers.push({
      reason: 'pending_reboot',
      blocks: 'licensing_lockout',
      detail: 'A restart is already pending on this server (Component Based Servicing RebootPending or Windows Update RebootRequired). Removing the RD Session Host role now may fail or need two restarts; restart the server first, then run rdpfix again.',
    });
  }
  if (hasB && strategy === 'configure-licensing' && facts.rdsh.removalPending) {
    blockers.push({
      reason: 'pending_reboot',
      blocks: 'licensing_lockout',
      detail: 'A removal of the RD Session Host role already ran and waits for a restart (rdsh.removalPending); configuring licensing on a role that is being removed would be lost. Restart the server, or use strategy remove-role to let rdpfix do that restart.',
    });
  }

  // Fixing our cause would not restore RDP if it is also broken another way, and verification
  // would then fail after we changed the server: refuse before changing anything.
  if (outOfScope.length > 0) {
    blockers.push({
      reason: 'not_a_licensing_problem',
      blocks: 'all',
      detail: `Besides ${causeText}, RDP is broken for another reason that rdpfix does not repair: ${outOfScope.join('; ')}. Fixing only the licensing/session setting would not restore RDP.`,
    });
  }

  if (blockers.length > 0) {
    // Nothing partial: if any needed change is blocked, none is made (the whole remediation is
    // refused and the detail says which part blocks).
    const refusals = blockers.filter((b): b is Blocker & { reason: RefusalReason } => b.reason !== 'strategy_unsupported_on_os');
    const osOnly = blockers.find((b) => b.reason === 'strategy_unsupported_on_os');
    if (refusals.length === 0 && osOnly) {
      return { decision: 'unsupported', reason: 'unsupported_os', detail: osOnly.detail, notes };
    }
    refusals.sort((a, b) => REFUSAL_PRECEDENCE.indexOf(a.reason) - REFUSAL_PRECEDENCE.indexOf(b.reason));
    const detail = blockers
      .slice()
      .sort((a, b) => rank(a.reason) - rank(b.reason))
      .map((b) => b.detail)
      .join(' ');
    const blockedParts = describeBlockedParts(causes, blockers);
    if (blockedParts) notes.push(blockedParts);
    return { decision: 'refuse', reason: refusals[0].reason, detail, causes, notes };
  }

  // --- act ---------------------------------------------------------------------------------
  const actions: PlanAction[] = [];
  let needsReboot = false;
  // Order: single-session first (cheap, no reboot), then licensing / role removal.
  if (hasA) {
    actions.push({ kind: 'allow-multiple-sessions' });
    notes.push('Allowing several sessions per user (fSingleSessionPerUser = 0) applies to new logons; existing sessions are not touched and no restart is needed.');
    if (rdsParts.length > 0) {
      notes.push(`This server belongs to an RDS deployment (${rdsParts.join(', ')}); only its own single-session setting is changed.`);
    }
  }
  if (hasB && strategy === 'remove-role') {
    if (facts.rdsh.removalPending) {
      // The removal already ran: the restart is all that is owed (F3 needs a restart, §4).
      notes.push('A removal of the RD Session Host role already ran and only waits for a restart; rdpfix will not run it again, only restart the server.');
    } else {
      actions.push({ kind: 'remove-rdsh-role' });
    }
    needsReboot = true; // §4 F3: role removal always needs a restart.
    if (facts.licensing.modeSource === 'policy' || facts.licensing.serversSource === 'policy') {
      notes.push('Group Policy sets the RD licensing mode or license servers; rdpfix leaves the policy alone. It no longer matters once the role is removed, but it applies again if the role is ever reinstalled.');
    }
    notes.push('After the restart the server is back to Remote Desktop for Administration: at most two simultaneous administrator sessions.');
  }
  if (hasB && strategy === 'configure-licensing') {
    const server = (request.licenseServer ?? '').trim();
    const mode = request.licensingMode as LicensingMode;
    actions.push({ kind: 'configure-licensing', licensingMode: mode, licenseServer: server });
    // §4 F2: reboot after WMI is undocumented; we don't restart and let verification prove it works.
    notes.push(...configureLicensingNotes(facts, server, mode));
  }

  if (facts.pendingReboot && !needsReboot) {
    // §3 D12: report it; these changes don't need a restart, so we don't chain one.
    notes.push('A restart is already pending on this server for another reason (Windows servicing); rdpfix does not restart it.');
  }
  if (needsReboot) {
    const n = facts.sessions.length;
    if (n > 0 || facts.sessionsTruncated) {
      // §10.1: never reboot over other people's sessions without consent; the caller must know.
      notes.push(`${facts.sessionsTruncated ? 'At least ' : ''}${n} user session(s) are on the server (quser); the restart will end them and unsaved work will be lost.`);
    }
    if (!request.allowReboot) {
      notes.push('allowReboot is false: the fix waits for approval before restarting the server.');
    }
  }

  return { decision: 'act', causes, actions, needsReboot, notes };
}

function rank(r: Blocker['reason']): number {
  const i = REFUSAL_PRECEDENCE.indexOf(r as RefusalReason);
  return i === -1 ? REFUSAL_PRECEDENCE.length : i;
}

function causeLabel(c: Cause): string {
  return c === 'single_session'
    ? 'the single-session restriction (fSingleSessionPerUser = 1)'
    : 'the RD licensing lockout (RD Session Host installed, grace period over, licensing not usable)';
}

/** When both causes are present, say which one blocks the whole remediation. */
function describeBlockedParts(causes: Cause[], blockers: Blocker[]): string | null {
  if (causes.length < 2) return null;
  const blocked = new Set(blockers.map((b) => b.blocks));
  if (blocked.has('all') || (blocked.has('single_session') && blocked.has('licensing_lockout'))) {
    return 'Both causes are blocked; nothing is changed.';
  }
  if (blocked.has('single_session')) {
    return 'The licensing lockout alone could be fixed, but the single-session setting is blocked; rdpfix makes no partial fix, so nothing is changed.';
  }
  return 'The single-session restriction alone could be fixed, but the licensing lockout is blocked; rdpfix makes no partial fix, so nothing is changed.';
}

function rdsDeploymentParts(facts: DiagnosisFacts): string[] {
  const p: string[] = [];
  if (facts.rds.broker) p.push('RD Connection Broker (RDS-Connection-Broker)');
  if (facts.rds.webAccess) p.push('RD Web Access (RDS-Web-Access)');
  if (facts.rds.gateway) p.push('RD Gateway (RDS-Gateway)');
  if (facts.rds.licensingRole) p.push('RD Licensing role (RDS-Licensing)');
  if (facts.rds.sessionDirectory) p.push('session directory active (Win32_TSSessionDirectory.SessionDirectoryActive = 1)');
  return p;
}

function outOfScopeDetail(facts: DiagnosisFacts): string[] {
  return outOfScopeProblems(facts).map((p) => {
    switch (p) {
      case 'rdp_denied':
        return `Remote Desktop connections are turned off (fDenyTSConnections = 1, set by ${facts.denyConnections.source === 'policy' ? 'Group Policy "Allow users to connect remotely…"' : 'the local setting'})`;
      case 'termservice_stopped':
        return 'the Remote Desktop Services service (TermService) is stopped';
      case 'listener_down':
        return `the RDP-Tcp listener is not listening on port ${facts.listener.port}`;
    }
  });
}

function licensingContextNotes(facts: DiagnosisFacts, lic: LicensingAssessment, hasB: boolean): string[] {
  const notes: string[] = [];
  if (!lic.rdsh) return notes;
  if (lic.graceDaysLeft !== null) {
    // §3 D3: within grace logons still work, so this is not a cause yet.
    notes.push(
      lic.problems.length > 0
        ? `RD Session Host is installed and still within its licensing grace period: ${lic.graceDaysLeft} day(s) left. Logons work until then; before it ends, configure licensing or remove the role.`
        : `RD Session Host is installed and within its licensing grace period (${lic.graceDaysLeft} day(s) left); licensing is configured.`,
    );
  }
  if (lic.graceUnknown) {
    notes.push('GetGracePeriodDays could not be read on this RD Session Host; the grace period is treated as over.');
  }
  if (lic.graceOver && !hasB && !lic.graceUnknown) {
    notes.push('The licensing grace period counter is 0, which is normal when licensing is configured (it always counts down to 0).');
  }
  if (facts.rdsh.removalPending && !hasB) {
    notes.push('A removal of the RD Session Host role already ran and waits for a restart.');
  }
  if (lic.reachabilityUnverifiable) {
    notes.push('Windows Server 2008 has no GetTStoLSConnectivityStatus; license server reachability could not be checked, so the configured licensing is trusted.');
  }
  return notes;
}

function configureLicensingNotes(facts: DiagnosisFacts, server: string, mode: LicensingMode): string[] {
  const notes: string[] = [
    `Licensing will be set to ${mode === 'per-user' ? 'Per User' : 'Per Device'} (LicensingType ${LICENSING_MODE_CODE[mode]}) with license server ${server}; no restart is planned, verification checks that the server is reachable.`,
    `The CAL type on the license server must match the mode (a mismatch causes event 1004), and the license server must be activated and hold RDS CALs for Windows Server ${facts.os.family} or newer.`,
  ];
  if (facts.os.family === '2025') {
    notes.push('Windows Server 2025: CALs of older versions (e.g. 2022 RDS CALs) do not license a 2025 RD Session Host; the license server must run 2025 too.');
  }
  const status = reachabilityOf(facts, server);
  if (status !== null && !REACHABLE_LS_STATUSES.has(status)) {
    notes.push(`The diagnosis already reports license server ${server} with GetTStoLSConnectivityStatus = ${status} (not usable); configuring it will not help until that is fixed (RPC 135 and dynamic ports, activation, TSC group).`);
  }
  return notes;
}

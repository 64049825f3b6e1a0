import { DiagnosisFacts, FactRead, describeReads, unknownReads } from '../facts';
import { Cause, LeftCause, Plan, PlanAction, RefusalReason } from '../plan';
import { LICENSING_MODE_CODE, LicensingMode, PlanRequest } from '../request';
import {
  LicensingAssessment,
  SingleSessionAssessment,
  assessLicensing,
  assessSingleSession,
  bareAccount,
  listedServers,
  lsStatusText,
  outOfScopeProblems,
  reachabilityOf,
  REACHABLE_LS_STATUSES,
} from './causes';

/** The only action kinds a plan may ever contain (§10.5: no grace reset, no session limits, no logoff). */
export const PLAN_ACTION_KINDS = ['allow-multiple-sessions', 'configure-licensing', 'remove-rdsh-role'] as const;

/**
 * Refusal precedence: the first blocker found becomes `reason`; `detail` lists all of them so a
 * support engineer sees everything that stands in the way at once. A definite blocker comes
 * before `facts_incomplete`: it is the more useful thing to fix first.
 */
export const REFUSAL_PRECEDENCE: readonly RefusalReason[] = [
  'domain_controller',
  'rds_deployment',
  'group_policy',
  'license_server_unreachable',
  'licensing_configured',
  'missing_license_input',
  'per_user_on_workgroup',
  'pending_reboot',
  'not_a_licensing_problem',
  'facts_incomplete',
  'plan_changed',
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

/** The advice every facts_incomplete refusal carries. */
export const FACTS_INCOMPLETE_ADVICE =
  'rdpfix does not change a server on facts it could not read. Run the diagnosis again; if the same reads keep failing, check WMI on the server from the VNC console (the Windows Management Instrumentation service, `winmgmt /verifyrepository`) and the Remote Desktop Services WMI provider.';

interface Blocker {
  reason: RefusalReason | 'strategy_unsupported_on_os';
  detail: string;
  /** Which cause's fix this blocker stops ('all' = any change on this server). */
  blocks: Cause | 'all';
}

/** Collects the unknown facts a fix depends on, so one facts_incomplete blocker lists them all. */
class Needs {
  private readonly parts: string[] = [];
  constructor(private readonly facts: DiagnosisFacts) {}
  /** `value` null = needed but unknown; `reads` say which reads could not be made. */
  need(value: unknown, reads: FactRead[], what?: string): void {
    if (value !== null && value !== undefined) return;
    const u = this.facts.unknown ?? {};
    const failed = reads.filter((r) => r in u);
    const described = describeReads(this.facts, failed.length ? failed : reads.slice(0, 1));
    this.parts.push(what ? `${what} (${described.join('; ')})` : described.join('; '));
  }
  add(text: string): void {
    this.parts.push(text);
  }
  list(): string[] {
    return [...new Set(this.parts)];
  }
}

function factsIncomplete(blocks: Cause | 'all', purpose: string, parts: string[]): Blocker {
  return {
    reason: 'facts_incomplete',
    blocks,
    detail: `${purpose} depends on facts that could not be read: ${parts.join('; ')}. ${FACTS_INCOMPLETE_ADVICE}`,
  };
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

  const a = assessSingleSession(facts, request);
  const lic = assessLicensing(facts);
  const hasA = a.status === 'present';
  const hasB = lic.lockout === true;
  const causes: Cause[] = [...(hasA ? (['single_session'] as const) : []), ...(hasB ? (['licensing_lockout'] as const) : [])];
  const strategy = request.strategy;

  // Diagnose mode shows what could not be read, whatever the decision.
  const unknown = unknownReads(facts);
  if (unknown.length > 0) notes.push(`Could not be read: ${describeReads(facts, unknown).join('; ')}.`);
  if (facts.errors.length > 0) {
    const dropped = facts.errorsDropped ?? 0;
    notes.push(`Some diagnosis checks reported errors: ${facts.errors.join('; ')}${dropped > 0 ? ` (+${dropped} more not reported)` : ''}.`);
  }
  notes.push(...licensingContextNotes(facts, lic, hasB));
  notes.push(...singleSessionNotes(a, request));
  notes.push(...factNotes(facts));

  const outOfScope = outOfScopeDetail(facts);
  const undetermined: LeftCause[] = [];
  if (a.status === 'undetermined') {
    undetermined.push({ cause: 'single_session', reason: 'facts_incomplete', present: false, detail: `The single-session restriction could not be ruled out: ${a.why}. Not read: ${a.missing.join('; ')}.` });
  }
  if (lic.lockout === null) {
    undetermined.push({ cause: 'licensing_lockout', reason: 'facts_incomplete', present: false, detail: `A licensing lockout could not be ruled out. Not read: ${lic.missing.join('; ')}.` });
  }

  // §3 D2/D11: no proven cause of ours.
  if (causes.length === 0) {
    if (outOfScope.length > 0) {
      // A broken RDP for another reason is refused, not "healthy", so nobody reads "healthy"
      // while the customer still cannot connect.
      return {
        decision: 'refuse',
        reason: 'not_a_licensing_problem',
        detail: `No licensing lockout and no blocking single-session restriction were found, but RDP is broken for another reason: ${outOfScope.join('; ')}. rdpfix does not change these settings; fix them from the VNC console or by policy.`,
        causes,
        notes,
        ...(undetermined.length ? { left: undetermined } : {}),
      };
    }
    if (undetermined.length > 0) {
      // "Healthy" would claim what was not checked.
      return {
        decision: 'refuse',
        reason: 'facts_incomplete',
        detail: `rdpfix could not tell whether this server has a problem it repairs. ${undetermined.map((u) => u.detail).join(' ')} ${FACTS_INCOMPLETE_ADVICE}`,
        causes,
        notes,
        left: undetermined,
      };
    }
    return { decision: 'healthy', notes };
  }

  const blockers: Blocker[] = [];
  const causeText = causes.map(causeLabel).join(' and ');

  // §10.2: a DC is report-only. We also refuse cause A alone there: DC policy refreshes every
  // 5 minutes (§1 item 4) and rdpfix's default on a DC is "report only", so nothing is changed.
  if (facts.domain.isDomainController === true) {
    blockers.push({
      reason: 'domain_controller',
      blocks: 'all',
      detail: `This server is a domain controller (Win32_ComputerSystem.DomainRole = ${facts.domain.role ?? 'unknown'} or ProductType LanmanNT). rdpfix never changes a domain controller: removing a role or restarting a DC affects the whole domain. Found: ${causeText}; fix it by hand during a maintenance window.`,
    });
  } else if (facts.domain.isDomainController === null) {
    const n = new Needs(facts);
    n.need(null, ['dc', 'domain'], 'whether the server is a domain controller');
    blockers.push(factsIncomplete('all', 'Every change', n.list()));
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

  if (hasA) blockers.push(...singleSessionBlockers(facts));
  if (hasB) blockers.push(...licensingBlockers(facts, lic, request));

  // --- decide which parts go ahead -------------------------------------------------------------
  const blocked = (c: Cause) => blockers.some((b) => b.blocks === 'all' || b.blocks === c);
  const bBlocked = hasB && blocked('licensing_lockout');
  const aBlocked = hasA && blocked('single_session');
  // A blocked cause A never blocks a cause B fix (issue 7). A blocked cause B stops everything:
  // lifting the single-session restriction alone would not let anybody log on while the
  // licensing lockout remains.
  const doB = hasB && !bBlocked;
  const doA = hasA && !aBlocked && (!hasB || doB);

  if (!doA && !doB) {
    const refusals = blockers.filter((b): b is Blocker & { reason: RefusalReason } => b.reason !== 'strategy_unsupported_on_os');
    const osOnly = blockers.find((b) => b.reason === 'strategy_unsupported_on_os');
    if (refusals.length === 0 && osOnly) {
      return { decision: 'unsupported', reason: 'unsupported_os', detail: osOnly.detail, notes };
    }
    refusals.sort((x, y) => rank(x.reason) - rank(y.reason));
    const detail = blockers
      .slice()
      .sort((x, y) => rank(x.reason) - rank(y.reason))
      .map((b) => b.detail)
      .join(' ');
    const blockedParts = describeBlockedParts(causes, blockers);
    if (blockedParts) notes.push(blockedParts);
    return { decision: 'refuse', reason: refusals[0].reason, detail, causes, notes, ...(undetermined.length ? { left: undetermined } : {}) };
  }

  // --- act ---------------------------------------------------------------------------------
  const left: LeftCause[] = [...undetermined];
  if (hasA && !doA) {
    const why = blockers.filter((b) => b.blocks === 'single_session').sort((x, y) => rank(x.reason) - rank(y.reason));
    left.push({
      cause: 'single_session',
      reason: (why[0]?.reason as RefusalReason) ?? 'facts_incomplete',
      present: true,
      detail: `The single-session restriction is left as it is: ${why.map((b) => b.detail).join(' ')}`,
    });
  }
  const actions: PlanAction[] = [];
  let needsReboot = false;
  // Order: single-session first (cheap, no reboot), then licensing / role removal.
  if (doA) {
    actions.push({ kind: 'allow-multiple-sessions' });
    notes.push('Allowing several sessions per user (fSingleSessionPerUser = 0) applies to new logons; existing sessions are not touched and no restart is needed.');
    const parts = rdsDeploymentParts(facts);
    if (parts.length > 0) notes.push(`This server belongs to an RDS deployment (${parts.join(', ')}); only its own single-session setting is changed.`);
  }
  if (doB && strategy === 'remove-role') {
    if (facts.rdsh.removalPending === true) {
      // The removal already ran: the restart is all that is owed (F3 needs a restart, §4).
      notes.push('A removal of the RD Session Host role already ran and only waits for a restart; rdpfix will not run it again, only restart the server.');
    } else {
      const despite = lic.configured === true;
      actions.push(despite ? { kind: 'remove-rdsh-role', despiteLicensing: true } : { kind: 'remove-rdsh-role' });
      if (despite) notes.push('Licensing is configured on this server; the role is removed only because the request explicitly asked for it (removeRoleDespiteLicensing).');
    }
    needsReboot = true; // §4 F3: role removal always needs a restart.
    if (facts.licensing.modeSource === 'policy' || facts.licensing.serversSource === 'policy') {
      notes.push('Group Policy sets the RD licensing mode or license servers; rdpfix leaves the policy alone. It no longer matters once the role is removed, but it applies again if the role is ever reinstalled.');
    }
    notes.push('After the restart the server is back to Remote Desktop for Administration: at most two simultaneous administrator sessions.');
  }
  if (doB && strategy === 'configure-licensing') {
    const server = (request.licenseServer ?? '').trim();
    const mode = request.licensingMode as LicensingMode;
    actions.push({ kind: 'configure-licensing', licensingMode: mode, licenseServer: server });
    // §4 F2: reboot after WMI is undocumented; we don't restart and let verification prove it works.
    notes.push(...configureLicensingNotes(facts, server, mode));
  }

  const blocking = blockingRebootKeys(facts);
  if (blocking.length > 0 && !needsReboot) {
    // §3 D12: report it; these changes don't need a restart, so we don't chain one.
    notes.push(`A restart is already pending on this server for another reason (${blocking.join(', ')}); rdpfix does not restart it.`);
  }
  if (needsReboot) {
    const n = facts.sessions?.length ?? 0;
    if (facts.sessions === null) {
      notes.push('The logged-on sessions could not be read; the restart ends every open session and unsaved work is lost.');
    } else if (n > 0 || facts.sessionsTruncated) {
      // §10.1: never reboot over other people's sessions without consent; the caller must know.
      notes.push(`${facts.sessionsTruncated ? 'At least ' : ''}${n} user session(s) are on the server (quser); the restart will end them and unsaved work will be lost.`);
    }
    if (!request.allowReboot) {
      notes.push('allowReboot is false: nothing is changed until the plan is approved; the approval covers the role removal and the restart together.');
    }
  }

  return { decision: 'act', causes, actions, needsReboot, notes, ...(left.length ? { left } : {}) };
}

function rank(r: Blocker['reason']): number {
  const i = REFUSAL_PRECEDENCE.indexOf(r as RefusalReason);
  return i === -1 ? REFUSAL_PRECEDENCE.length : i;
}

function causeLabel(c: Cause): string {
  return c === 'single_session'
    ? 'the single-session restriction (fSingleSessionPerUser = 1) blocking a logon'
    : 'the RD licensing lockout (RD Session Host installed, grace period over, licensing not usable)';
}

/** Cause A's own blockers: Group Policy, or a source that could not be read. */
function singleSessionBlockers(facts: DiagnosisFacts): Blocker[] {
  // §1 "which setting wins" + §10.4: a policy value beats the local one and is re-applied within
  // ~90 minutes, so a local write would be reverted.
  if (facts.singleSession.source === 'policy') {
    return [
      {
        reason: 'group_policy',
        blocks: 'single_session',
        detail: 'fSingleSessionPerUser = 1 is enforced by Group Policy (PolicySourceSingleSession = 1; HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\fSingleSessionPerUser). Set the policy "Restrict Remote Desktop Services users to a single Remote Desktop Services session" to Disabled in the winning GPO (gpresult /scope computer).',
      },
    ];
  }
  if (facts.singleSession.source === null) {
    const n = new Needs(facts);
    n.need(null, ['policy'], 'whether Group Policy controls fSingleSessionPerUser');
    return [factsIncomplete('single_session', 'Allowing several sessions per user', n.list())];
  }
  return [];
}

/** Cause B's blockers for the requested strategy. */
function licensingBlockers(facts: DiagnosisFacts, lic: LicensingAssessment, request: PlanRequest): Blocker[] {
  const out: Blocker[] = [];
  const strategy = request.strategy;
  const needs = new Needs(facts);

  // §10.3: role removal breaks a farm and licensing belongs on the broker (Set-RDLicenseConfiguration).
  const rdsParts = rdsDeploymentParts(facts);
  if (rdsParts.length > 0) {
    out.push({
      reason: 'rds_deployment',
      blocks: 'licensing_lockout',
      detail: `This server is part of an RDS deployment (${rdsParts.join(', ')}). Removing the RD Session Host role would break the deployment (the server must first leave it with Remove-RDServer), and licensing must be set on the Connection Broker (Set-RDLicenseConfiguration) with the customer's license server and CAL type.`,
    });
  }
  needs.need(facts.rds.broker, ['features'], 'whether an RD Connection Broker is installed');
  needs.need(facts.rds.webAccess, ['features'], 'whether RD Web Access is installed');
  needs.need(facts.rds.gateway, ['features'], 'whether an RD Gateway is installed');
  needs.need(facts.rds.sessionDirectory, ['sd'], 'whether a session directory is active');
  needs.need(facts.rds.licensingRole, ['features'], 'whether the RD Licensing role is installed');
  if (facts.rds.licensingRole === true) {
    // Issue 7: only an activated local license server with real CAL packs makes a deployment.
    needs.need(facts.rds.lsActivated, ['ls'], 'whether the local RD license server is activated');
    if (facts.rds.lsActivated === true) needs.need(facts.rds.lsCalPacks, ['ls'], 'the CAL packs on the local RD license server');
  }

  if (strategy === 'remove-role') {
    const listed = listedServers(facts) ?? [];
    if (lic.configured === true && !request.removeRoleDespiteLicensing) {
      // Issue 7: a server whose licensing is configured is never stripped of its role automatically.
      if (lic.anyValid === false) {
        const statuses = listed.map((s) => `${s}: ${lsStatusText(reachabilityOf(facts, s) ?? -1)}`);
        out.push({
          reason: 'license_server_unreachable',
          blocks: 'licensing_lockout',
          detail: `Licensing is configured (LicensingType ${MODE_NAME[facts.licensing.mode ?? 0] ?? facts.licensing.mode}, license server ${listed.join(', ')}), but no license server answers as valid (GetTStoLSConnectivityStatus ${statuses.join('; ')}). This is a license server problem, not a missing configuration: check the license server, its activation and CALs, and RPC (port 135 and dynamic ports) from this server. rdpfix does not remove the RD Session Host role from a server with configured licensing; to repair it, use strategy configure-licensing with a working license server, or (not from the console) request the removal explicitly with removeRoleDespiteLicensing.`,
        });
      } else {
        out.push({
          reason: 'licensing_configured',
          blocks: 'licensing_lockout',
          detail: `Licensing is configured (LicensingType ${MODE_NAME[facts.licensing.mode ?? 0] ?? facts.licensing.mode}, license server ${listed.join(', ')}), but it cannot issue CALs: ${lic.problems.map(problemText).join('; ')}. rdpfix does not remove the RD Session Host role from a server with configured licensing; correct the licensing (strategy configure-licensing), or (not from the console) request the removal explicitly with removeRoleDespiteLicensing.`,
        });
      }
    } else if (lic.configured === null) {
      needs.need(facts.licensing.mode, ['mode', 'ts'], 'the licensing mode');
      needs.need(facts.licensing.servers, ['servers', 'ts'], 'the license server list');
    }
    // §3 D12: feature removal with a reboot already pending may fail or need two reboots; don't chain.
    // A pending removal of the RDSH role itself is the reboot we want, not a blocker. Only
    // Component Based Servicing and Windows Update block; pending file renames are reported.
    const keys = blockingRebootKeys(facts);
    if (keys.length > 0) needs.need(facts.rdsh.removalPending, ['features', 'marker'], 'whether the pending restart is that of an earlier role removal');
    if (keys.length > 0 && facts.rdsh.removalPending === false) {
      out.push({
        reason: 'pending_reboot',
        blocks: 'licensing_lockout',
        detail: `A restart is already pending on this server (${keys.join(', ')}). Removing the RD Session Host role now may fail or need two restarts; restart the server first, then run rdpfix again.`,
      });
    }
    needs.need(facts.pendingReboot.cbs, ['reboot'], 'the Component Based Servicing RebootPending key');
    needs.need(facts.pendingReboot.wu, ['reboot'], 'the Windows Update RebootRequired key');
  }

  if (strategy === 'configure-licensing') {
    // §1 "which setting wins": a local change under a licensing policy would be overridden.
    const policyParts: string[] = [];
    if (facts.licensing.modeSource === 'policy') {
      policyParts.push(`LicensingMode = ${MODE_NAME[facts.licensing.mode ?? 0] ?? facts.licensing.mode} ("Set the Remote Desktop licensing mode", PolicySourceLicensingType = 1)`);
    }
    if (facts.licensing.serversSource === 'policy') {
      const list = facts.licensing.servers?.length ? facts.licensing.servers.join(',') : '(empty)';
      policyParts.push(`LicenseServers = ${list} ("Use the specified Remote Desktop license servers", PolicySourceConfiguredLicenseServers = 1)`);
    }
    if (policyParts.length > 0) {
      out.push({
        reason: 'group_policy',
        blocks: 'licensing_lockout',
        detail: `Licensing is controlled by Group Policy under HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services: ${policyParts.join('; ')}. A local change would be overridden; change the GPO, or use strategy remove-role.`,
      });
    }
    needs.need(facts.licensing.modeSource, ['policy'], 'whether Group Policy sets the licensing mode');
    needs.need(facts.licensing.serversSource, ['policy'], 'whether Group Policy sets the license servers');

    const server = (request.licenseServer ?? '').trim();
    const mode = request.licensingMode ?? null;
    const missing: string[] = [];
    if (server === '') missing.push('licenseServer');
    if (mode === null) missing.push('licensingMode (per-user or per-device)');
    if (missing.length > 0) {
      // §10.5/§10.6: F2 only with a real license server and CAL type from the customer; never guess.
      out.push({
        reason: 'missing_license_input',
        blocks: 'licensing_lockout',
        detail: `Strategy configure-licensing needs the customer's license server and CAL type; missing: ${missing.join(', ')}. rdpfix never guesses them (a wrong mode causes event 1004).`,
      });
    } else if (!isValidLicenseServerName(server)) {
      out.push({
        reason: 'missing_license_input',
        blocks: 'licensing_lockout',
        detail: `licenseServer "${server.slice(0, 80)}" is not a valid host name (expected a NetBIOS name, FQDN or IPv4 address without spaces or commas).`,
      });
    }
    // §0 / KB2833839: a workgroup RDSH must use Per Device.
    if (mode === 'per-user') {
      if (facts.domain.partOfDomain === false) {
        out.push({
          reason: 'per_user_on_workgroup',
          blocks: 'licensing_lockout',
          detail: 'Per User licensing was requested, but this server is not joined to a domain (Win32_ComputerSystem.PartOfDomain = false). A workgroup RD Session Host must use Per Device CALs.',
        });
      }
      needs.need(facts.domain.partOfDomain, ['domain'], 'whether the server is joined to a domain (Per User needs a domain)');
    }
    // GetTStoLSConnectivityStatus and SetSpecifiedLicenseServerList exist on 2008 R2+ only (§2),
    // so on 2008 the change could be neither made by the runbook nor verified.
    if (facts.os.family === '2008') {
      out.push({
        reason: 'strategy_unsupported_on_os',
        blocks: 'licensing_lockout',
        detail: 'Strategy configure-licensing is not supported on Windows Server 2008: SetSpecifiedLicenseServerList and GetTStoLSConnectivityStatus exist only on 2008 R2 and later, so the license server can be neither set nor verified. Use strategy remove-role, or configure licensing by hand.',
      });
    }
    if (facts.rdsh.removalPending === true) {
      out.push({
        reason: 'pending_reboot',
        blocks: 'licensing_lockout',
        detail: 'A removal of the RD Session Host role already ran and waits for a restart (rdsh.removalPending); configuring licensing on a role that is being removed would be lost. Restart the server, or use strategy remove-role to let rdpfix do that restart.',
      });
    }
    needs.need(facts.rdsh.removalPending, ['features', 'marker'], 'whether a role removal already waits for a restart');
  }

  const parts = needs.list();
  if (parts.length > 0) out.push(factsIncomplete('licensing_lockout', strategy === 'remove-role' ? 'Removing the RD Session Host role' : 'Configuring licensing', parts));
  return out;
}

function problemText(p: string): string {
  switch (p) {
    case 'per_user_on_workgroup':
      return 'Per User mode on a server that is not joined to a domain (a workgroup RD Session Host must use Per Device)';
    case 'no_reachable_license_server':
      return 'no license server answers as valid';
    case 'mode_not_configured':
      return 'the licensing mode is not configured';
    default:
      return 'no license server is configured';
  }
}

/** Which blocking pending-restart keys are set (issue 7: only CBS and Windows Update block). */
export function blockingRebootKeys(facts: DiagnosisFacts): string[] {
  const p = facts.pendingReboot;
  const keys: string[] = [];
  if (p.cbs === true) keys.push('Component Based Servicing\\RebootPending');
  if (p.wu === true) keys.push('WindowsUpdate\\Auto Update\\RebootRequired');
  return keys;
}

/** When a cause is blocked while the other is not, say what happens to each. */
function describeBlockedParts(causes: Cause[], blockers: Blocker[]): string | null {
  if (causes.length < 2) return null;
  const blocked = new Set(blockers.map((b) => b.blocks));
  if (blocked.has('all') || (blocked.has('single_session') && blocked.has('licensing_lockout'))) {
    return 'Both causes are blocked; nothing is changed.';
  }
  return 'The single-session restriction alone could be lifted, but the licensing lockout is blocked and lifting it alone would not let anybody log on; nothing is changed.';
}

/** The RDS deployment pieces found on this server (known true only). */
export function rdsDeploymentParts(facts: DiagnosisFacts): string[] {
  const p: string[] = [];
  const r = facts.rds;
  if (r.broker === true) p.push('RD Connection Broker (RDS-Connection-Broker)');
  if (r.webAccess === true) p.push('RD Web Access (RDS-Web-Access)');
  if (r.gateway === true) p.push('RD Gateway (RDS-Gateway)');
  if (r.licensingRole === true && r.lsActivated === true && (r.lsCalPacks ?? 0) > 0) {
    p.push(`an activated RD license server with ${r.lsCalPacks} CAL pack(s) (RDS-Licensing; Win32_TSLicenseKeyPack)`);
  }
  if (r.sessionDirectory === true) p.push('session directory active (Win32_TSSessionDirectory.SessionDirectoryActive = 1)');
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
      case 'firewall_blocked':
        return `the Windows Firewall is on and no enabled inbound rule allows TCP port ${facts.listener.port} (the "Remote Desktop" rules)`;
    }
  });
}

function licensingContextNotes(facts: DiagnosisFacts, lic: LicensingAssessment, hasB: boolean): string[] {
  const notes: string[] = [];
  if (lic.rdsh !== true) return notes;
  if (lic.graceDaysLeft !== null) {
    // §3 D3: within grace logons still work, so this is not a cause yet.
    notes.push(
      lic.usable === true
        ? `RD Session Host is installed and within its licensing grace period (${lic.graceDaysLeft} day(s) left); licensing is configured.`
        : `RD Session Host is installed and still within its licensing grace period: ${lic.graceDaysLeft} day(s) left. Logons work until then; before it ends, configure licensing or remove the role.`,
    );
  }
  if (lic.graceOver === true && !hasB && lic.usable === true) {
    notes.push('The licensing grace period counter is 0, which is normal when licensing is configured (it always counts down to 0).');
  }
  const listed = listedServers(facts) ?? [];
  const statusParts = listed
    .map((s) => ({ s, st: reachabilityOf(facts, s) }))
    .filter((x) => x.st !== null)
    .map((x) => `${x.s}: ${lsStatusText(x.st as number)}`);
  if (statusParts.length > 0) notes.push(`License server status (GetTStoLSConnectivityStatus): ${statusParts.join('; ')}.`);
  if (facts.rdsh.removalPending === true && !hasB) {
    notes.push('A removal of the RD Session Host role already ran and waits for a restart.');
  }
  if (lic.reachabilityUnverifiable) {
    notes.push('Windows Server 2008 has no GetTStoLSConnectivityStatus; license server reachability could not be checked, so the configured licensing is trusted.');
  }
  return notes;
}

function singleSessionNotes(a: SingleSessionAssessment, request: PlanRequest): string[] {
  const notes: string[] = [];
  if (a.value === 1 && a.status === 'absent') {
    // Issue 7: the Windows default is a fact, not a fault; nobody complained, nothing changes.
    notes.push(`"Restrict each user to a single session" is on (fSingleSessionPerUser = 1, the Windows default on 2008 R2 and later). It is reported, not changed: ${a.why}. If a second logon of the same account is refused, submit again with symptom "another-user-logged-on".`);
  }
  const account = (request.symptomAccount ?? '').trim();
  if (a.reported && account !== '') {
    const bare = bareAccount(account);
    notes.push(
      a.activeAccounts.includes(bare)
        ? `quser shows ${account} with an active session: a second logon of that account is refused or takes that session over.`
        : `quser shows no active session of ${account} right now; the reported symptom is taken as given.`,
    );
  }
  return notes;
}

/** Facts worth saying even when they decide nothing (issue 7: say what was found). */
function factNotes(facts: DiagnosisFacts): string[] {
  const notes: string[] = [];
  const r = facts.rds;
  if (r.licensingRole === true) {
    if (r.lsActivated === false) notes.push('The RD Licensing role is installed on this server, but its license server is not activated; that does not make the server part of an RDS deployment.');
    else if (r.lsActivated === true && r.lsCalPacks === 0) notes.push('The RD Licensing role is installed and activated on this server but holds no CAL packs (only built-in ones); that does not make the server part of an RDS deployment.');
  }
  if (facts.pendingReboot.fileRename === true) {
    notes.push('PendingFileRenameOperations is set (antivirus, agents and drivers set it on many healthy servers); reported only, it does not block anything.');
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
  if (status !== null && status !== -1 && !REACHABLE_LS_STATUSES.has(status)) {
    notes.push(`The diagnosis already reports license server ${server} with GetTStoLSConnectivityStatus = ${lsStatusText(status)}; configuring it will not help until that is fixed (RPC 135 and dynamic ports, activation, TSC group).`);
  }
  return notes;
}

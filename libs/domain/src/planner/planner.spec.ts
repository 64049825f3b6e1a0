import { DiagnosisFacts } from '../facts';
import { OsFamily } from '../os';
import { Plan, RefusalReason } from '../plan';
import { PlanRequest } from '../request';
import { assessLicensing, assessSingleSession, detectCauses } from './causes';
import { PLAN_ACTION_KINDS, isValidLicenseServerName, planRemediation } from './planner';
import { ADMIN_ACTIVE, FactsOverrides, LICENSED_RDSH, LOCKED_OUT, SINGLE_SESSION, combine, factsFixture, unknownOf } from './testing/facts-fixture';

const REMOVE: PlanRequest = { mode: 'fix', strategy: 'remove-role', allowReboot: false };
const OVERRIDE: PlanRequest = { ...REMOVE, removeRoleDespiteLicensing: true };
const SYMPTOM: PlanRequest = { ...REMOVE, symptom: 'another-user-logged-on' };
const CL_DEVICE: PlanRequest = {
  mode: 'fix',
  strategy: 'configure-licensing',
  allowReboot: false,
  licenseServer: 'ls1.corp.example',
  licensingMode: 'per-device',
};
const CL_USER: PlanRequest = { ...CL_DEVICE, licensingMode: 'per-user' };
const DOMAIN: FactsOverrides = { domain: { role: 3, partOfDomain: true, isDomainController: false } };
const DC: FactsOverrides = { domain: { role: 5, partOfDomain: true, isDomainController: true } };
const A_POLICY: FactsOverrides = { singleSession: { value: 1, source: 'policy' }, sessions: [ADMIN_ACTIVE] };
/** Licensing configured: mode 2, one server, status as given. */
const CONFIGURED = (status: number): FactsOverrides => ({ licensing: { mode: 2, modeSource: 'local', servers: ['ls1'], serversSource: 'local', statuses: [status] } });
/** Win32_TerminalServiceSetting missing: no mode/grace/servers from WMI (the registry still gave mode 4). */
const TS_CLASS_MISSING: FactsOverrides = {
  rdsh: { installed: true, terminalServerMode: null, removalPending: false },
  graceDays: null,
  licensing: { mode: 4, modeSource: 'local', servers: null, serversSource: 'local', statuses: [] },
  unknown: { ts: 'Win32_TerminalServiceSetting: Invalid class' },
};
const WMI_CS_FAILED: FactsOverrides = { domain: { role: null, partOfDomain: null, isDomainController: false }, unknown: { domain: 'Win32_ComputerSystem: Access denied' } };

function plan(overrides: FactsOverrides, request: PlanRequest = REMOVE): Plan {
  return planRemediation(factsFixture(overrides), request);
}

interface Expect {
  decision: Plan['decision'];
  reason?: RefusalReason | 'unsupported_os';
  actions?: string[];
  needsReboot?: boolean;
  causes?: string[];
  detail?: RegExp;
  note?: RegExp;
  /** cause:reason of every `left` entry, in order */
  left?: string[];
}

type Row = [name: string, overrides: FactsOverrides, request: PlanRequest, expected: Expect];

function kinds(p: Plan): string[] | undefined {
  return p.decision === 'act' ? p.actions.map((a) => a.kind) : undefined;
}

const rows: Row[] = [
  // --- no cause -------------------------------------------------------------------------
  ['healthy 2019 server (single-session on, nobody logged on)', {}, REMOVE, { decision: 'healthy', note: /reported, not changed/ }],
  ['healthy with configure-licensing strategy and no input', {}, { ...CL_DEVICE, licenseServer: null, licensingMode: null }, { decision: 'healthy' }],
  ['unsupported OS (family null)', { os: { version: '10.0.10240', family: null } }, REMOVE, { decision: 'unsupported', reason: 'unsupported_os', detail: /10\.0\.10240/ }],
  ['unsupported OS even with both causes', combine(LOCKED_OUT, SINGLE_SESSION, { os: { family: null } }), REMOVE, { decision: 'unsupported', reason: 'unsupported_os' }],
  ['RDSH within grace, licensing unconfigured: not a cause', combine(LOCKED_OUT, { graceDays: 30 }), REMOVE, { decision: 'healthy', note: /30 day\(s\) left/ }],
  ['RDSH grace over but licensing usable: normal', LICENSED_RDSH, REMOVE, { decision: 'healthy', note: /normal/ }],
  ['RDSH within grace and licensed', combine(LICENSED_RDSH, { graceDays: 90 }), REMOVE, { decision: 'healthy', note: /90 day\(s\) left\); licensing is configured/ }],
  ['TermService state unknown is not evidence of breakage', { termService: 'unknown' }, REMOVE, { decision: 'healthy' }],
  ['domain controller without a cause is simply healthy', DC, REMOVE, { decision: 'healthy' }],
  ['licensed RDSH with a removal pending: healthy, noted', combine(LICENSED_RDSH, { rdsh: { removalPending: true } }), REMOVE, { decision: 'healthy', note: /waits for a restart/ }],
  ['licensing unconfigured but no RDSH: not a cause', { graceDays: 0 }, REMOVE, { decision: 'healthy' }],

  // --- cause A is the symptom, not the setting (issue 7) ------------------------------------
  ['single-session on, only a disconnected session: not a block', { sessions: ['administrator 2 Disc 1:02 1/1/2025 10:00 AM'] }, REMOVE, { decision: 'healthy', note: /reported, not changed/ }],
  ['single-session on and an active session: cause A', SINGLE_SESSION, REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], causes: ['single_session'] }],
  ['single-session on, Chinese quser row active: cause A', { sessions: ['张三 rdp-tcp#1 3 活动 . 2025/1/1 10:00'] }, REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'] }],
  ['the caller reports the symptom, nobody logged on now: cause A', {}, SYMPTOM, { decision: 'act', actions: ['allow-multiple-sessions'], causes: ['single_session'] }],
  ['symptom naming an account without an active session: noted', {}, { ...SYMPTOM, symptomAccount: 'CORP\\bob' }, { decision: 'act', note: /no active session of CORP\\bob/ }],
  ['symptom naming the account that is active: noted', { sessions: [ADMIN_ACTIVE] }, { ...SYMPTOM, symptomAccount: 'Administrator' }, { decision: 'act', note: /quser shows Administrator with an active session/ }],
  ['single-session off: the symptom alone is no cause', { singleSession: { value: 0, source: 'local' } }, SYMPTOM, { decision: 'healthy' }],
  ['sessions unreadable and single-session on: cannot say healthy', { sessions: null, unknown: { sessions: 'quser exit code 5' } }, REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /quser exit code 5/, left: ['single_session:facts_incomplete'] }],
  ['sessions unreadable but the symptom is reported: cause A', { sessions: null, unknown: { sessions: 'quser exit code 5' } }, SYMPTOM, { decision: 'act', actions: ['allow-multiple-sessions'] }],
  ['single-session unreadable with the symptom: refused', { singleSession: { value: null, source: 'local' }, unknown: { single: 'WMI SingleSession unreadable' } }, SYMPTOM, { decision: 'refuse', reason: 'facts_incomplete', detail: /single-session setting/ }],
  ['single-session source unreadable: A not changed', combine(SINGLE_SESSION, { singleSession: { source: null }, unknown: { policy: 'registry read failed' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /Group Policy controls fSingleSessionPerUser/ }],

  // --- out of scope -----------------------------------------------------------------------
  ['RDP turned off locally', { denyConnections: { value: 1, source: 'local' } }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', causes: [], detail: /fDenyTSConnections = 1, set by the local setting/ }],
  ['RDP turned off by policy', { denyConnections: { value: 1, source: 'policy' } }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', detail: /Group Policy/ }],
  ['TermService stopped', { termService: 'stopped' }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', detail: /TermService\) is stopped/ }],
  ['listener down', { listener: { up: false, port: 3390 } }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', detail: /port 3390/ }],
  ['firewall blocks the RDP port', { firewall: { enabled: true, rdpAllowed: false } }, REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', detail: /Windows Firewall is on/ }],
  ['firewall off: no rule needed', { firewall: { enabled: false, rdpAllowed: false } }, REMOVE, { decision: 'healthy' }],
  ['unknown listener or firewall is not evidence', { listener: { up: null, port: 3389 }, firewall: { enabled: null, rdpAllowed: null } }, REMOVE, { decision: 'healthy' }],
  ['cause A plus TermService stopped: no partial fix', combine(SINGLE_SESSION, { termService: 'stopped' }), REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', causes: ['single_session'], detail: /Besides the single-session/ }],
  ['cause B plus RDP denied', combine(LOCKED_OUT, { denyConnections: { value: 1, source: 'local' } }), REMOVE, { decision: 'refuse', reason: 'not_a_licensing_problem', causes: ['licensing_lockout'] }],

  // --- cause A ----------------------------------------------------------------------------
  ['A, local setting', SINGLE_SESSION, REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], needsReboot: false, causes: ['single_session'], note: /new logons/ }],
  ['A, local, configure-licensing strategy irrelevant', SINGLE_SESSION, { ...CL_DEVICE, licenseServer: null }, { decision: 'act', actions: ['allow-multiple-sessions'], needsReboot: false }],
  ['A enforced by Group Policy', A_POLICY, REMOVE, { decision: 'refuse', reason: 'group_policy', causes: ['single_session'], detail: /PolicySourceSingleSession = 1/ }],
  ['A on a domain controller (conservative: report only)', combine(SINGLE_SESSION, DC), REMOVE, { decision: 'refuse', reason: 'domain_controller', detail: /DomainRole = 5/ }],
  ['A with the domain controller question unanswerable', combine(SINGLE_SESSION, { domain: { role: null, partOfDomain: null, isDomainController: null }, unknown: { domain: 'Access denied', dc: 'ProductType unreadable' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /domain controller/ }],
  ['A on an RDS deployment member is still fixable', combine(SINGLE_SESSION, { rds: { broker: true } }), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], note: /RDS deployment/ }],
  ['A with an unrelated pending reboot', combine(SINGLE_SESSION, { pendingReboot: { cbs: true, wu: false, fileRename: false } }), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], needsReboot: false, note: /already pending.*Component Based Servicing/ }],
  ['A with sessions present: no reboot so no session note', SINGLE_SESSION, REMOVE, { decision: 'act', needsReboot: false }],
  ['A with B undetermined (grace unknown): A fixed, B left', combine(SINGLE_SESSION, LOCKED_OUT, { graceDays: null, unknown: { grace: 'GetGracePeriodDays returned 5' } }), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], causes: ['single_session'], left: ['licensing_lockout:facts_incomplete'] }],

  // --- cause B, remove-role -----------------------------------------------------------------
  ['B, remove-role', LOCKED_OUT, REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], needsReboot: true, causes: ['licensing_lockout'], note: /nothing is changed until the plan is approved/ }],
  ['B, remove-role, allowReboot true: no approval note', LOCKED_OUT, { ...REMOVE, allowReboot: true }, { decision: 'act', actions: ['remove-rdsh-role'], needsReboot: true }],
  ['B, remove-role, sessions present', combine(LOCKED_OUT, { sessions: ['alice rdp-tcp#1 2 Active . x', 'bob 3 Disc . x'] }), REMOVE, { decision: 'act', note: /^2 user session\(s\).*unsaved work/ }],
  ['B, remove-role, sessions truncated', combine(LOCKED_OUT, { sessions: ['alice 2 Disc'], sessionsTruncated: true }), REMOVE, { decision: 'act', note: /^At least 1 user session/ }],
  ['B, remove-role, sessions unknown: restart note says so', combine(LOCKED_OUT, { sessions: null, unknown: { sessions: 'quser failed' } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], note: /sessions could not be read/, left: ['single_session:facts_incomplete'] }],
  ['B, remove-role on 2008 (ServerManagerCmd path)', combine(LOCKED_OUT, { os: { family: '2008' } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], needsReboot: true }],
  ['B, remove-role, licensing set by policy does not block', combine(LOCKED_OUT, { licensing: { mode: 5, modeSource: 'policy', servers: [], serversSource: 'policy', statuses: [] } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], note: /leaves the policy alone/ }],
  ['B, remove-role with CBS RebootPending', combine(LOCKED_OUT, { pendingReboot: { cbs: true, wu: false, fileRename: false } }), REMOVE, { decision: 'refuse', reason: 'pending_reboot', detail: /\(Component Based Servicing\\RebootPending\)/ }],
  ['B, remove-role with Windows Update RebootRequired', combine(LOCKED_OUT, { pendingReboot: { cbs: false, wu: true, fileRename: false } }), REMOVE, { decision: 'refuse', reason: 'pending_reboot', detail: /\(WindowsUpdate\\Auto Update\\RebootRequired\)/ }],
  ['B, remove-role with only PendingFileRenameOperations: not a block', combine(LOCKED_OUT, { pendingReboot: { cbs: false, wu: false, fileRename: true } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], note: /PendingFileRenameOperations is set.*does not block/ }],
  ['B, remove-role with the pending-restart keys unreadable', combine(LOCKED_OUT, { pendingReboot: { cbs: null, wu: null, fileRename: null }, unknown: { reboot: 'registry access denied' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /RebootPending key/ }],
  ['B, role removal already pending: restart only', combine(LOCKED_OUT, { rdsh: { installed: false, terminalServerMode: 1, removalPending: true }, pendingReboot: { cbs: true, wu: false, fileRename: false } }), REMOVE, { decision: 'act', actions: [], needsReboot: true, note: /only waits for a restart/ }],
  ['B, CBS pending and the removal marker unreadable: cannot tell whose restart', combine(LOCKED_OUT, { rdsh: { removalPending: null }, pendingReboot: { cbs: true, wu: false, fileRename: false }, unknown: { marker: 'x' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /pending restart is that of an earlier role removal/ }],
  ['B, role removal pending with configure-licensing', combine(LOCKED_OUT, { rdsh: { installed: false, terminalServerMode: 1, removalPending: true } }), CL_DEVICE, { decision: 'refuse', reason: 'pending_reboot', detail: /removalPending/ }],
  ['B, role removal pending on a DC', combine(LOCKED_OUT, DC, { rdsh: { removalPending: true } }), REMOVE, { decision: 'refuse', reason: 'domain_controller' }],
  ['B on a domain controller', combine(LOCKED_OUT, DC), REMOVE, { decision: 'refuse', reason: 'domain_controller' }],
  ['B on a domain controller, configure-licensing', combine(LOCKED_OUT, DC), CL_DEVICE, { decision: 'refuse', reason: 'domain_controller' }],
  ['B with a Connection Broker', combine(LOCKED_OUT, { rds: { broker: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS-Connection-Broker/ }],
  ['B with RD Web Access', combine(LOCKED_OUT, { rds: { webAccess: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS-Web-Access/ }],
  ['B with RD Gateway', combine(LOCKED_OUT, { rds: { gateway: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS-Gateway/ }],
  ['B with an active session directory', combine(LOCKED_OUT, { rds: { sessionDirectory: true } }), CL_DEVICE, { decision: 'refuse', reason: 'rds_deployment', detail: /SessionDirectoryActive/ }],
  ['B with the roles unreadable (features failed)', combine(LOCKED_OUT, { rdsh: { installed: null }, rds: { broker: null, webAccess: null, gateway: null, licensingRole: null }, unknown: { features: 'Get-WindowsFeature: access denied' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /Connection Broker.*Get-WindowsFeature: access denied/ }],
  ['B with the session directory unreadable', combine(LOCKED_OUT, { rds: { sessionDirectory: null }, unknown: { sd: 'x' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /session directory/ }],
  ['B detected from TerminalServerMode alone', combine(LOCKED_OUT, { rdsh: { installed: false, terminalServerMode: 1, removalPending: false } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'] }],
  ['B, mode configured but no servers', combine(LOCKED_OUT, { licensing: { mode: 2, servers: [] } }), REMOVE, { decision: 'act', causes: ['licensing_lockout'] }],
  ['B, servers listed but mode not configured', combine(LOCKED_OUT, { licensing: { mode: 5, servers: ['ls1'], statuses: [11] } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'] }],
  ['2008: server listed, status call absent: trusted', combine(LOCKED_OUT, { os: { family: '2008' }, licensing: { mode: 2, servers: ['ls1'], statuses: [] } }), REMOVE, { decision: 'healthy', note: /could not be checked/ }],

  // --- unknown is not broken (issue 7) ---------------------------------------------------------
  ['grace days unknown on an RDSH: not "grace over"', combine(LOCKED_OUT, { graceDays: null, unknown: { grace: 'GetGracePeriodDays returned 5' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /grace period.*GetGracePeriodDays returned 5/, left: ['licensing_lockout:facts_incomplete'] }],
  ['TerminalServices class missing on a licensed RDSH: no lockout', combine(LICENSED_RDSH, TS_CLASS_MISSING), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /Invalid class/ }],
  ['TerminalServices class missing, registry says mode 5: still unknown grace', combine(LOCKED_OUT, TS_CLASS_MISSING, { licensing: { mode: 5 } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete' }],
  ['Win32_ComputerSystem failed: not a workgroup, and removal still fine (mode 5)', combine(LOCKED_OUT, WMI_CS_FAILED), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], note: /Win32_ComputerSystem: Access denied/ }],
  ['Win32_ComputerSystem failed with per-user licensing: no per_user_on_workgroup', combine(LICENSED_RDSH, WMI_CS_FAILED), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /domain membership/ }],
  ['Win32_ComputerSystem failed, configure-licensing per-user', combine(LOCKED_OUT, WMI_CS_FAILED), CL_USER, { decision: 'refuse', reason: 'facts_incomplete', detail: /Per User needs a domain/ }],
  ['Win32_ComputerSystem failed, configure-licensing per-device is fine', combine(LOCKED_OUT, WMI_CS_FAILED), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'] }],
  ['licensing mode unreadable, no servers: not configured either way', combine(LOCKED_OUT, { licensing: { mode: null }, unknown: { mode: 'x' } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'] }],
  ['licensing mode unreadable with a server listed', combine(LOCKED_OUT, { licensing: { mode: null, servers: ['ls1'], statuses: [6] }, unknown: { mode: 'x' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /licensing mode/ }],
  ['license server list unreadable with mode 2', combine(LOCKED_OUT, { licensing: { mode: 2, servers: null }, unknown: { servers: 'GetSpecifiedLicenseServerList returned 1' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /GetSpecifiedLicenseServerList returned 1/ }],
  ['licensing sources unreadable, configure-licensing', combine(LOCKED_OUT, { licensing: { modeSource: null, serversSource: null }, unknown: { policy: 'x' } }), CL_DEVICE, { decision: 'refuse', reason: 'facts_incomplete', detail: /Group Policy sets the licensing mode/ }],

  // --- configured licensing is never stripped automatically (issue 7) ----------------------------
  ['configured, status 6 (not connectable): license_server_unreachable', combine(LOCKED_OUT, CONFIGURED(6)), REMOVE, { decision: 'refuse', reason: 'license_server_unreachable', detail: /ls1: 6 \(LS_NOT_CONNECTABLE/ }],
  ['configured, status 8 (access denied): license_server_unreachable', combine(LOCKED_OUT, CONFIGURED(8)), { ...REMOVE, allowReboot: true }, { decision: 'refuse', reason: 'license_server_unreachable', detail: /8 \(LS_CONNECTABLE_BUT_ACCESS_DENIED/ }],
  ['configured, status 5 (not in TSC group)', combine(LOCKED_OUT, CONFIGURED(5)), REMOVE, { decision: 'refuse', reason: 'license_server_unreachable' }],
  ['configured, status -1 (call failed): unknown, not unreachable', combine(LOCKED_OUT, CONFIGURED(-1)), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /status \(GetTStoLSConnectivityStatus\) of ls1/ }],
  ['configured, no status reported on 2019: unknown', combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['ls1'], statuses: [] } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete' }],
  ['configured, one server valid among unreachable ones: healthy', combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['a', 'b'], statuses: [6, 11] } }), REMOVE, { decision: 'healthy' }],
  ['configured, status 6, configure-licensing with a named server: allowed', combine(LOCKED_OUT, CONFIGURED(6)), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'] }],
  ['configured, status 6, explicit removal request: allowed', combine(LOCKED_OUT, CONFIGURED(6)), OVERRIDE, { decision: 'act', actions: ['remove-rdsh-role'], note: /explicitly asked/ }],
  ['configured, status -1, explicit removal request: still unknown', combine(LOCKED_OUT, CONFIGURED(-1)), OVERRIDE, { decision: 'refuse', reason: 'facts_incomplete' }],
  ['configured per-user on a workgroup, server valid: licensing_configured', combine(LOCKED_OUT, { licensing: { mode: 4, servers: ['ls1'], statuses: [11] } }), REMOVE, { decision: 'refuse', reason: 'licensing_configured', detail: /Per User mode on a server that is not joined/ }],
  ['configured per-user on a workgroup, per-device requested: fixed by configuring', combine(LOCKED_OUT, { licensing: { mode: 4, servers: ['ls1.corp.example'], statuses: [11] } }), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'] }],
  ['the explicit request is ignored where licensing is not configured', LOCKED_OUT, OVERRIDE, { decision: 'act', actions: ['remove-rdsh-role'] }],

  // --- the local RD Licensing role (issue 7) ------------------------------------------------------
  ['RD Licensing role installed, not activated: does not block', combine(LOCKED_OUT, { rds: { licensingRole: true, lsActivated: false, lsCalPacks: 0 } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], note: /not activated/ }],
  ['RD Licensing role activated, no CAL packs: does not block', combine(LOCKED_OUT, { rds: { licensingRole: true, lsActivated: true, lsCalPacks: 0 } }), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], note: /holds no CAL packs/ }],
  ['RD Licensing role activated with CAL packs: a deployment', combine(LOCKED_OUT, { rds: { licensingRole: true, lsActivated: true, lsCalPacks: 3 } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /activated RD license server with 3 CAL pack/ }],
  ['RD Licensing role, activation unreadable', combine(LOCKED_OUT, { rds: { licensingRole: true, lsActivated: null, lsCalPacks: null }, unknown: { ls: 'Win32_TSLicenseServer: Invalid class' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /local RD license server is activated/ }],
  ['RD Licensing role activated, packs unreadable', combine(LOCKED_OUT, { rds: { licensingRole: true, lsActivated: true, lsCalPacks: null }, unknown: { ls: 'x' } }), REMOVE, { decision: 'refuse', reason: 'facts_incomplete', detail: /CAL packs/ }],

  // --- cause B, configure-licensing -----------------------------------------------------------
  ['B, configure-licensing per-device on a workgroup', LOCKED_OUT, CL_DEVICE, { decision: 'act', actions: ['configure-licensing'], needsReboot: false, note: /CAL type/ }],
  ['B, configure-licensing per-user on a domain member', combine(LOCKED_OUT, DOMAIN), CL_USER, { decision: 'act', actions: ['configure-licensing'], needsReboot: false }],
  ['B, configure-licensing per-user on a workgroup', LOCKED_OUT, CL_USER, { decision: 'refuse', reason: 'per_user_on_workgroup', detail: /PartOfDomain = false/ }],
  ['B, configure-licensing without server', LOCKED_OUT, { ...CL_DEVICE, licenseServer: undefined }, { decision: 'refuse', reason: 'missing_license_input', detail: /missing: licenseServer/ }],
  ['B, configure-licensing with blank server', LOCKED_OUT, { ...CL_DEVICE, licenseServer: '   ' }, { decision: 'refuse', reason: 'missing_license_input' }],
  ['B, configure-licensing without mode', LOCKED_OUT, { ...CL_DEVICE, licensingMode: null }, { decision: 'refuse', reason: 'missing_license_input', detail: /licensingMode/ }],
  ['B, configure-licensing without either', LOCKED_OUT, { ...CL_DEVICE, licenseServer: null, licensingMode: null }, { decision: 'refuse', reason: 'missing_license_input', detail: /licenseServer, licensingMode/ }],
  ['B, configure-licensing with a comma in the server', LOCKED_OUT, { ...CL_DEVICE, licenseServer: 'ls1,ls2' }, { decision: 'refuse', reason: 'missing_license_input', detail: /not a valid host name/ }],
  ['B, configure-licensing with a newline in the server', LOCKED_OUT, { ...CL_DEVICE, licenseServer: 'ls1\nmode=4' }, { decision: 'refuse', reason: 'missing_license_input' }],
  ['B, configure-licensing, mode set by policy', combine(LOCKED_OUT, { licensing: { modeSource: 'policy' } }), CL_DEVICE, { decision: 'refuse', reason: 'group_policy', detail: /LicensingMode = 5 \(Not configured\)/ }],
  ['B, configure-licensing, servers set by policy', combine(LOCKED_OUT, { licensing: { serversSource: 'policy' } }), CL_DEVICE, { decision: 'refuse', reason: 'group_policy', detail: /LicenseServers = \(empty\)/ }],
  ['B, configure-licensing with an unrelated pending reboot', combine(LOCKED_OUT, { pendingReboot: { cbs: false, wu: true, fileRename: false } }), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'], needsReboot: false, note: /already pending/ }],
  ['B, configure-licensing on 2008: not supported', combine(LOCKED_OUT, { os: { family: '2008' } }), CL_DEVICE, { decision: 'unsupported', reason: 'unsupported_os', detail: /2008 R2 and later/ }],
  ['B, configure-licensing on 2008 R2 works', combine(LOCKED_OUT, { os: { family: '2008R2' } }), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'] }],
  ['B, configure-licensing on 2025: CAL version caveat', combine(LOCKED_OUT, { os: { family: '2025' } }), CL_DEVICE, { decision: 'act', note: /2022 RDS CALs\) do not license a 2025/ }],
  ['B, configure-licensing with a server already known unreachable', combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['ls1.corp.example'], statuses: [6] } }), CL_DEVICE, { decision: 'act', note: /GetTStoLSConnectivityStatus = 6/ }],

  // --- both causes ----------------------------------------------------------------------------
  ['A + B, remove-role: single-session first', combine(SINGLE_SESSION, LOCKED_OUT), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions', 'remove-rdsh-role'], needsReboot: true, causes: ['single_session', 'licensing_lockout'] }],
  ['A + B, configure-licensing', combine(SINGLE_SESSION, LOCKED_OUT), CL_DEVICE, { decision: 'act', actions: ['allow-multiple-sessions', 'configure-licensing'], needsReboot: false }],
  ['A + B, role removal pending', combine(SINGLE_SESSION, LOCKED_OUT, { rdsh: { removalPending: true } }), REMOVE, { decision: 'act', actions: ['allow-multiple-sessions'], needsReboot: true }],
  ['A by policy + B: the licensing fix goes ahead, A is left (issue 7)', combine(A_POLICY, LOCKED_OUT), REMOVE, { decision: 'act', actions: ['remove-rdsh-role'], causes: ['single_session', 'licensing_lockout'], left: ['single_session:group_policy'] }],
  ['A by policy + B, configure-licensing: licensing fixed, A left', combine(A_POLICY, LOCKED_OUT), CL_DEVICE, { decision: 'act', actions: ['configure-licensing'], left: ['single_session:group_policy'] }],
  ['A + B on an RDS deployment: whole remediation refused', combine(SINGLE_SESSION, LOCKED_OUT, { rds: { gateway: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', note: /single-session restriction alone could be lifted/ }],
  ['A + B, missing license input: whole remediation refused', combine(SINGLE_SESSION, LOCKED_OUT), { ...CL_DEVICE, licenseServer: null }, { decision: 'refuse', reason: 'missing_license_input', note: /single-session restriction alone could be lifted/ }],
  ['A by policy + B with broker: both blocked', combine(A_POLICY, LOCKED_OUT, { rds: { broker: true } }), REMOVE, { decision: 'refuse', reason: 'rds_deployment', detail: /RDS deployment.*fSingleSessionPerUser/s, note: /Both causes are blocked/ }],
  ['A + B on a DC with missing input: DC reported first, all blockers listed', combine(SINGLE_SESSION, LOCKED_OUT, DC), { ...CL_DEVICE, licensingMode: null }, { decision: 'refuse', reason: 'domain_controller', detail: /domain controller.*missing: licensingMode/s, note: /Both causes are blocked/ }],
  ['A + B on 2008 with configure-licensing: unsupported', combine(SINGLE_SESSION, LOCKED_OUT, { os: { family: '2008' } }), CL_DEVICE, { decision: 'unsupported', reason: 'unsupported_os' }],
  ['A by policy + B on 2008 with configure-licensing: refusal wins, both listed', combine(A_POLICY, LOCKED_OUT, { os: { family: '2008' } }), CL_DEVICE, { decision: 'refuse', reason: 'group_policy', detail: /fSingleSessionPerUser.*not supported on Windows Server 2008/s }],

  // --- diagnostics -----------------------------------------------------------------------------
  ['check errors are reported as a note with the dropped count', combine(SINGLE_SESSION, { errors: ['grace: access denied', 'quser: x', 'ls: y'], errorsDropped: 2 }), REMOVE, { decision: 'act', note: /grace: access denied.*\(\+2 more not reported\)/ }],
  ['unknown facts are shown even when they decide nothing', { listener: { up: null, port: 3389 }, unknown: { listener: 'netstat exit code 1' } }, REMOVE, { decision: 'healthy', note: /Could not be read: the RDP-Tcp listener: netstat exit code 1/ }],
];

describe('planRemediation — table', () => {
  it.each(rows)('%s', (_name, overrides, request, exp) => {
    const p = plan(overrides, request);
    expect(p.decision).toBe(exp.decision);
    if (exp.reason) expect((p as { reason?: string }).reason).toBe(exp.reason);
    if (exp.actions) expect(kinds(p)).toEqual(exp.actions);
    if (exp.needsReboot !== undefined) expect(p.decision === 'act' && p.needsReboot).toBe(exp.needsReboot);
    if (exp.causes) expect((p as { causes?: string[] }).causes).toEqual(exp.causes);
    if (exp.detail) expect((p as { detail?: string }).detail).toMatch(exp.detail);
    if (exp.note) expect({ notes: p.notes, matches: p.notes.some((n) => exp.note!.test(n)) }).toMatchObject({ matches: true });
    if (exp.left) expect(((p as { left?: { cause: string; reason: string }[] }).left ?? []).map((l) => `${l.cause}:${l.reason}`)).toEqual(exp.left);
    if (p.decision === 'refuse' || p.decision === 'unsupported') expect(p.detail.length).toBeGreaterThan(20);
    // A facts_incomplete refusal names what could not be read and tells what to do.
    if (p.decision === 'refuse' && p.reason === 'facts_incomplete') expect(p.detail).toMatch(/Run the diagnosis again.*WMI/);
  });
});

describe('planRemediation — specifics', () => {
  it('configure-licensing action carries the trimmed server and the requested mode', () => {
    const p = plan(LOCKED_OUT, { ...CL_DEVICE, licenseServer: '  ls9.example.com ' });
    expect(p).toMatchObject({ decision: 'act', actions: [{ kind: 'configure-licensing', licensingMode: 'per-device', licenseServer: 'ls9.example.com' }] });
  });

  it('a healthy server says only that the Windows default single-session setting is on', () => {
    expect(plan({ singleSession: { value: 0, source: 'local' } })).toEqual({ decision: 'healthy', notes: [] });
    const p = plan({});
    expect(p.decision).toBe('healthy');
    expect(p.notes).toHaveLength(1);
    expect(p.notes[0]).toMatch(/fSingleSessionPerUser = 1, the Windows default/);
  });

  it('no approval note when the reboot is allowed, and none for plans without a reboot', () => {
    const allowed = plan(LOCKED_OUT, { ...REMOVE, allowReboot: true });
    expect(allowed.notes.some((n) => /approv/.test(n))).toBe(false);
    const noReboot = plan(SINGLE_SESSION);
    expect(noReboot.notes.some((n) => /approv|restart will end/.test(n))).toBe(false);
  });

  it('a cause A left by Group Policy names the blocking setting precisely', () => {
    const p = plan(combine(A_POLICY, LOCKED_OUT));
    expect(p.decision).toBe('act');
    if (p.decision !== 'act') return;
    const detail = p.left?.[0].detail ?? '';
    expect(detail).toContain('HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\fSingleSessionPerUser');
    expect(detail).toContain('gpresult /scope computer');
  });

  it.each([1, 2, 9, 11])('license server status %i counts as reachable', (status) => {
    const p = plan(combine(LOCKED_OUT, CONFIGURED(status)));
    expect(p.decision).toBe('healthy');
  });

  it.each([0, 3, 4, 5, 6, 7, 8, 10, 12])('license server status %i: a license server problem, never a role removal', (status) => {
    const p = plan(combine(LOCKED_OUT, CONFIGURED(status)), { ...REMOVE, allowReboot: true });
    expect(p).toMatchObject({ decision: 'refuse', reason: 'license_server_unreachable', causes: ['licensing_lockout'] });
    if (p.decision === 'refuse') expect(p.detail).toContain(`ls1: ${status} (`);
  });

  it('status -1 (the call failed) is unknown: never a cause', () => {
    const p = plan(combine(LOCKED_OUT, CONFIGURED(-1)), { ...REMOVE, allowReboot: true });
    expect(p).toMatchObject({ decision: 'refuse', reason: 'facts_incomplete', causes: [] });
  });

  it('a server name match is case-insensitive', () => {
    const p = plan(combine(LOCKED_OUT, { licensing: { mode: 2, servers: ['a', 'B'], statuses: [6, 11] } }));
    expect(p.decision).toBe('healthy');
  });

  it.each([1, 5])('licensing mode %i is not configured: the role may go', (mode) => {
    const p = plan(combine(LOCKED_OUT, { licensing: { mode: mode as 1 | 5, servers: ['ls1'], statuses: [11] } }));
    expect(p).toMatchObject({ decision: 'act', causes: ['licensing_lockout'], actions: [{ kind: 'remove-rdsh-role' }] });
  });

  it('the explicit removal request marks the action, so the script waives its own licensing check', () => {
    const p = plan(combine(LOCKED_OUT, CONFIGURED(6)), OVERRIDE);
    expect(p).toMatchObject({ decision: 'act', actions: [{ kind: 'remove-rdsh-role', despiteLicensing: true }] });
    const q = plan(LOCKED_OUT, OVERRIDE);
    expect(q).toMatchObject({ decision: 'act', actions: [{ kind: 'remove-rdsh-role' }] });
    if (q.decision === 'act') expect(q.actions[0]).not.toHaveProperty('despiteLicensing');
  });

  it('what was fixed and what was left are both in the plan', () => {
    const p = plan(combine(A_POLICY, LOCKED_OUT), { ...REMOVE, allowReboot: true });
    expect(p.decision).toBe('act');
    if (p.decision !== 'act') return;
    expect(p.left).toEqual([expect.objectContaining({ cause: 'single_session', reason: 'group_policy', present: true, detail: expect.stringContaining('left as it is') })]);
  });

  it('never mutates its inputs', () => {
    const facts = factsFixture(combine(SINGLE_SESSION, LOCKED_OUT));
    const req = { ...CL_DEVICE };
    const snapshot = JSON.stringify([facts, req]);
    planRemediation(facts, req);
    expect(JSON.stringify([facts, req])).toBe(snapshot);
  });

  it.each([
    ['ls1', true],
    ['ls1.corp.example', true],
    ['10.0.0.5', true],
    ['LS_01', true],
    ['', false],
    ['ls 1', false],
    ['ls1,ls2', false],
    ['ls1;x', false],
    ["ls1'", false],
    ['a'.repeat(254), false],
    ['-x', false],
  ])('isValidLicenseServerName(%j) = %s', (name, ok) => {
    expect(isValidLicenseServerName(name as string)).toBe(ok);
  });
});

// ---------------------------------------------------------------------------------------------
// Exhaustive sweep: all OS families × all combinations of a few booleans × grace × requests.
// (The random-unknown property test is planner.property.spec.ts.)
// ---------------------------------------------------------------------------------------------

const BOOLS = ['singleSession', 'ssPolicy', 'activeSession', 'rdsh', 'licensed', 'dc', 'rds', 'licPolicy', 'pendingReboot', 'removalPending', 'partOfDomain', 'broken'] as const;
type Flags = Record<(typeof BOOLS)[number], boolean>;

function factsFor(family: OsFamily | null, f: Flags, grace: number | null): DiagnosisFacts {
  return factsFixture({
    os: { family, version: family ? undefined : '5.2.3790' } as FactsOverrides['os'],
    singleSession: { value: f.singleSession ? 1 : 0, source: f.ssPolicy ? 'policy' : 'local' },
    rdsh: { installed: f.rdsh, terminalServerMode: f.rdsh ? 1 : 0, removalPending: f.removalPending },
    graceDays: f.rdsh ? grace : null,
    licensing: f.licensed
      ? { mode: 2, modeSource: f.licPolicy ? 'policy' : 'local', servers: ['ls1'], serversSource: f.licPolicy ? 'policy' : 'local', statuses: [11] }
      : { mode: 5, modeSource: f.licPolicy ? 'policy' : 'local', servers: [], serversSource: f.licPolicy ? 'policy' : 'local', statuses: [] },
    domain: { role: f.dc ? 5 : f.partOfDomain ? 3 : 2, partOfDomain: f.partOfDomain || f.dc, isDomainController: f.dc },
    rds: { broker: f.rds, webAccess: false, gateway: false, licensingRole: false, sessionDirectory: false, lsActivated: null, lsCalPacks: null },
    pendingReboot: { cbs: f.pendingReboot, wu: false, fileRename: true },
    termService: f.broken ? 'stopped' : 'running',
    sessions: f.activeSession ? ['alice 2 Active'] : ['bob 3 Disc'],
  });
}

const REQUESTS: PlanRequest[] = [
  REMOVE,
  { ...REMOVE, allowReboot: true },
  SYMPTOM,
  CL_DEVICE,
  CL_USER,
  { ...CL_DEVICE, licenseServer: null },
];
/** 2008 (no status call, no F2), 2008 R2 (PS 2.0), 2025 (the CAL note), and an unsupported release. */
const SWEEP_FAMILIES: (OsFamily | null)[] = ['2008', '2008R2', '2025', null];

function* allCases(): Generator<{ family: OsFamily | null; f: Flags; grace: number | null; req: PlanRequest; facts: DiagnosisFacts }> {
  for (const family of SWEEP_FAMILIES) {
    for (let bits = 0; bits < 1 << BOOLS.length; bits++) {
      const f = Object.fromEntries(BOOLS.map((k, i) => [k, (bits & (1 << i)) !== 0])) as Flags;
      for (const grace of [0, 45, null]) {
        const facts = factsFor(family, f, grace);
        for (const req of REQUESTS) yield { family, f, grace, req, facts };
      }
    }
  }
}

describe('planRemediation — invariants over all OS families and flag combinations', () => {
  // One pass collects violations per invariant; each `it` then asserts its list is empty, so a
  // failure names the invariant and shows the first offending cases.
  const violations: Record<string, string[]> = {};
  const seen: Record<string, number> = {};
  const fail = (inv: string, c: object) => {
    (violations[inv] ??= []).push(JSON.stringify(c));
  };
  let total = 0;

  beforeAll(() => {
    for (const c of allCases()) {
      total++;
      const key = { family: c.family, ...c.f, grace: c.grace, req: c.req };
      const p = planRemediation(c.facts, c.req);
      // The diagnose/fix identity is checked on a deterministic eighth of the cases (speed).
      const pd = total % 8 === 0 ? planRemediation(c.facts, { ...c.req, mode: 'diagnose' }) : p;
      seen[p.decision] = (seen[p.decision] ?? 0) + 1;
      const causes = detectCauses(c.facts, c.req);
      const acts = p.decision === 'act' ? p.actions : [];
      const has = (k: string) => acts.some((a) => a.kind === k);
      const left = (p as { left?: { cause: string }[] }).left ?? [];

      if (JSON.stringify(p) !== JSON.stringify(pd)) fail('diagnose and fix plan the same', key);
      if (acts.some((a) => !(PLAN_ACTION_KINDS as readonly string[]).includes(a.kind))) fail('only the three action kinds', key);
      if (has('remove-rdsh-role') && !(p.decision === 'act' && p.needsReboot)) fail('remove-rdsh-role implies needsReboot', key);
      if ((p.decision === 'refuse' || p.decision === 'unsupported' || p.decision === 'healthy') && 'actions' in p) fail('non-act plans carry no actions', key);
      if (c.family === null && p.decision !== 'unsupported') fail('unknown OS is unsupported', key);
      if (c.f.dc && p.decision === 'act') fail('never act on a domain controller', key);
      if (c.f.rds && causes.includes('licensing_lockout') && p.decision === 'act') fail('RDS deployment blocks cause B and everything with it', key);
      if (c.f.ssPolicy && has('allow-multiple-sessions')) fail('policy-controlled single-session never changed', key);
      if (c.f.licPolicy && has('configure-licensing')) fail('policy-controlled licensing never configured', key);
      if (c.f.pendingReboot && !c.f.removalPending && has('remove-rdsh-role')) fail('no role removal with a pending reboot', key);
      if (c.f.licensed && has('remove-rdsh-role')) fail('never remove the role where licensing is configured', key);
      if (c.grace === null && (has('remove-rdsh-role') || has('configure-licensing'))) fail('unknown grace never fixes cause B', key);
      if (has('allow-multiple-sessions') && !(c.f.singleSession && (c.f.activeSession || c.req.symptom))) fail('single-session changed only when it blocks a logon', key);
      if (has('configure-licensing') && (!c.req.licenseServer || !c.req.licensingMode)) fail('configure-licensing only with input', key);
      if (has('configure-licensing') && c.req.licensingMode === 'per-user' && !c.facts.domain.partOfDomain) fail('no per-user on workgroup', key);
      if (c.f.broken && p.decision !== 'unsupported' && p.decision !== 'refuse') fail('broken RDP outside scope is refused', key);
      if (p.decision === 'healthy' && causes.length > 0) fail('healthy means no cause', key);
      if (p.decision === 'healthy' && left.length > 0) fail('healthy leaves nothing undetermined', key);
      if (p.decision === 'act') {
        if (JSON.stringify(p.causes) !== JSON.stringify(causes)) fail('act causes = detected causes', key);
        if (p.actions.length === 0 && !p.needsReboot) fail('act does something', key);
        const leftCauses = left.map((l) => l.cause);
        if (causes.includes('single_session') && !has('allow-multiple-sessions') && !leftCauses.includes('single_session')) fail('cause A is addressed or left with a reason', key);
        if (causes.includes('licensing_lockout') && !(has('remove-rdsh-role') || has('configure-licensing') || (c.f.removalPending && p.needsReboot))) fail('cause B is addressed', key);
        if (p.needsReboot !== (causes.includes('licensing_lockout') && c.req.strategy === 'remove-role')) fail('reboot exactly for role removal', key);
        const idx = p.actions.findIndex((a) => a.kind === 'allow-multiple-sessions');
        if (idx > 0) fail('single-session first', key);
        if (p.needsReboot && !p.notes.some((n) => /user session/.test(n))) fail('sessions noted before a reboot', key);
      }
      if (p.decision === 'refuse') {
        if (!p.detail) fail('refusal has detail', key);
        if (JSON.stringify(p.causes) !== JSON.stringify(causes)) fail('refusal causes = detected causes', key);
      }
    }
  });

  const invariants = [
    'diagnose and fix plan the same',
    'only the three action kinds',
    'remove-rdsh-role implies needsReboot',
    'non-act plans carry no actions',
    'unknown OS is unsupported',
    'never act on a domain controller',
    'RDS deployment blocks cause B and everything with it',
    'policy-controlled single-session never changed',
    'policy-controlled licensing never configured',
    'no role removal with a pending reboot',
    'never remove the role where licensing is configured',
    'unknown grace never fixes cause B',
    'single-session changed only when it blocks a logon',
    'configure-licensing only with input',
    'no per-user on workgroup',
    'broken RDP outside scope is refused',
    'healthy means no cause',
    'healthy leaves nothing undetermined',
    'act causes = detected causes',
    'act does something',
    'cause A is addressed or left with a reason',
    'cause B is addressed',
    'reboot exactly for role removal',
    'single-session first',
    'sessions noted before a reboot',
    'refusal has detail',
    'refusal causes = detected causes',
  ];
  it.each(invariants)('%s', (inv) => {
    expect((violations[inv] ?? []).slice(0, 3)).toEqual([]);
  });

  it('the sweep covers every decision kind', () => {
    expect(total).toBe(SWEEP_FAMILIES.length * (1 << BOOLS.length) * 3 * REQUESTS.length);
    for (const d of ['healthy', 'refuse', 'unsupported', 'act']) expect(seen[d]).toBeGreaterThan(0);
    const unknown = Object.keys(violations).filter((k) => !invariants.includes(k));
    expect(unknown).toEqual([]);
  });
});

describe('assessments', () => {
  it('unknown single-session value with an active session is undetermined, never present', () => {
    const a = assessSingleSession(factsFixture({ singleSession: { value: null, source: 'local' }, sessions: [ADMIN_ACTIVE] }));
    expect(a.status).toBe('undetermined');
  });
  it('licensing: unknown grace is never "over"', () => {
    expect(assessLicensing(factsFixture(combine(LOCKED_OUT, { graceDays: null }, unknownOf('grace')))).graceOver).toBeNull();
  });
});

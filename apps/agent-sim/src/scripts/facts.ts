import { DiagnosisFacts, FACT_READS, FactRead, OS_VERSION } from '@rdpfix/domain';
import {
  SimInstance,
  effective,
  effectiveLicenseServers,
  effectiveLicensingMode,
  isDomainController,
  readFails,
  serverStatus,
} from '../model/instance';
import { renderSessions } from './quser';

/** What diagnose.ps1 caps: the first few failed reads keep their text (RESULT_CAPS.unknownMessages/unknownChars). */
const UNKNOWN_MESSAGES = 4;
const UNKNOWN_CHARS = 48;

/**
 * The facts diagnose.ps1 / verify.ps1 would report for this modelled server, including the reads
 * that fail on it (`readFailures`): every fact that comes from a failed read is null and
 * `unknown` names the read, as _facts.ps1 does (a failed WMI class still leaves the registry
 * fallbacks: licensing mode, policy sources, single-session, fDenyTSConnections).
 */
export function buildFacts(inst: SimInstance): DiagnosisFacts {
  const fails = (r: FactRead) => readFails(inst, r);
  const ts = !fails('ts');
  const features = !fails('features');
  const policy = !fails('policy');
  const rdshInstalled = inst.rdsh.installed;
  const tsMode: 0 | 1 | null = ts ? (rdshInstalled ? 1 : 0) : null;
  const installed = features ? rdshInstalled : null;
  // 2012+ report a pending removal in InstallState; 2008/2008 R2 through rdpfix's marker.
  const legacy = inst.os === '2008' || inst.os === '2008R2';
  const markerKnown = !fails('marker');
  let removalPending: boolean | null;
  if (inst.rdsh.removalPending && ((features && !legacy) || markerKnown)) removalPending = true;
  else if (features && (!legacy || markerKnown)) removalPending = false;
  else removalPending = null;
  const isRdsh = installed === true || tsMode === 1 || removalPending === true;
  const notRdsh = !isRdsh && (installed === false || tsMode === 0) && removalPending === false;

  const mode = fails('mode') ? null : effectiveLicensingMode(inst);
  const allServers = effectiveLicenseServers(inst);
  let servers: string[] | null = null;
  if (policy && !fails('servers')) {
    if (inst.licensing.serversSource === 'policy' || inst.os === '2008') servers = [...allServers];
    else if (ts && !notRdsh) servers = [...allServers]; // GetSpecifiedLicenseServerList: RDSH only
  }
  const statuses = ts && servers !== null && inst.os !== '2008' && tsMode === 1 ? servers.slice(0, 3).map((s) => serverStatus(inst, s)) : [];

  const src = (s: 'local' | 'policy') => (policy ? s : null);
  const { rows, truncated } = renderSessions(inst.sessions);
  const domainKnown = !fails('domain');
  const isDc = domainKnown || !fails('dc') ? isDomainController(inst) : null;
  const lsKnown = inst.rds.licensingRole && features && !fails('ls');

  const unknown: Partial<Record<FactRead, string>> = {};
  let n = 0;
  for (const r of FACT_READS) {
    if (!fails(r)) continue;
    unknown[r] = n < UNKNOWN_MESSAGES ? (inst.readFailures[r] ?? '').slice(0, UNKNOWN_CHARS) : '';
    n++;
  }

  return {
    os: { version: OS_VERSION[inst.os], family: inst.os, ps: inst.psVersion ?? '', is64: inst.is64 },
    bootTime: new Date(inst.bootTime).toISOString(),
    rdsh: { installed, terminalServerMode: tsMode, removalPending },
    graceDays: isRdsh && ts && !fails('grace') ? (rdshInstalled || inst.rdsh.removalPending ? inst.graceDays : null) : null,
    licensing: {
      mode,
      modeSource: src(inst.licensing.modeSource),
      servers,
      serversSource: src(inst.licensing.serversSource),
      statuses,
    },
    singleSession: { value: fails('single') ? null : effective(inst.singleSession), source: src(inst.singleSession.source) },
    domain: { role: domainKnown ? inst.domain.role : null, partOfDomain: domainKnown ? inst.domain.partOfDomain : null, isDomainController: isDc },
    rds: {
      broker: features ? inst.rds.broker : null,
      webAccess: features ? inst.rds.webAccess : null,
      gateway: features ? inst.rds.gateway : null,
      licensingRole: features ? inst.rds.licensingRole : null,
      sessionDirectory: fails('sd') ? null : inst.rds.sessionDirectory,
      lsActivated: lsKnown ? inst.rds.lsActivated : null,
      lsCalPacks: lsKnown ? inst.rds.lsCalPacks : null,
    },
    // A role removal waiting for its restart sets the CBS RebootPending key as well.
    pendingReboot: fails('reboot')
      ? { cbs: null, wu: null, fileRename: null }
      : { cbs: inst.pendingReboot || inst.rdsh.removalPending, wu: false, fileRename: inst.pendingFileRename },
    termService: fails('svc') ? 'unknown' : inst.termService,
    listener: { up: fails('listener') ? null : inst.listener.up, port: inst.listener.port },
    firewall: fails('fw') ? { enabled: null, rdpAllowed: null } : { ...inst.firewall },
    denyConnections: { value: fails('deny') ? null : effective(inst.denyConnections), source: src(inst.denyConnections.source) },
    sessions: fails('sessions') ? null : rows,
    sessionsTruncated: fails('sessions') ? false : truncated,
    unknown,
    errors: [],
    errorsDropped: 0,
  };
}

import { DiagnosisFacts, OS_VERSION } from '@rdpfix/domain';
import {
  SimInstance,
  effective,
  effectiveLicenseServers,
  effectiveLicensingMode,
  isDomainController,
  serverStatus,
} from '../model/instance';
import { renderSessions } from './quser';

/** The facts diagnose.ps1 / verify.ps1 would report for this modelled server. */
export function buildFacts(inst: SimInstance): DiagnosisFacts {
  const servers = effectiveLicenseServers(inst);
  const { rows, truncated } = renderSessions(inst.sessions);
  return {
    os: { version: OS_VERSION[inst.os], family: inst.os, ps: inst.psVersion ?? '', is64: inst.is64 },
    bootTime: new Date(inst.bootTime).toISOString(),
    rdsh: {
      installed: inst.rdsh.installed,
      terminalServerMode: inst.rdsh.installed ? 1 : 0,
      removalPending: inst.rdsh.removalPending,
    },
    graceDays: inst.rdsh.installed ? inst.graceDays : null,
    licensing: {
      mode: effectiveLicensingMode(inst),
      modeSource: inst.licensing.modeSource,
      servers: [...servers],
      serversSource: inst.licensing.serversSource,
      reachability: servers.map((server) => ({ server, status: serverStatus(inst, server) })),
    },
    singleSession: { value: effective(inst.singleSession), source: inst.singleSession.source },
    domain: { role: inst.domain.role, partOfDomain: inst.domain.partOfDomain, isDomainController: isDomainController(inst) },
    rds: { ...inst.rds },
    // A role removal waiting for its restart sets the CBS RebootPending key as well.
    pendingReboot: inst.pendingReboot || inst.rdsh.removalPending,
    termService: inst.termService,
    listener: { ...inst.listener },
    denyConnections: { value: effective(inst.denyConnections), source: inst.denyConnections.source },
    sessions: rows,
    sessionsTruncated: truncated,
    errors: [],
  };
}

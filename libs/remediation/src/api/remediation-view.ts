import type { CommandRunEntity, RemediationEntity, TimelineEventEntity } from '@rdpfix/persistence';

/** The public JSON shape of a remediation (list items omit commands and timeline). */
export function remediationSummaryView(r: RemediationEntity, baseUrl = '') {
  return {
    id: r.id,
    instanceId: r.instanceId,
    region: r.region,
    tenantId: r.tenantId,
    mode: r.mode,
    rollbackOf: r.rollbackOf,
    strategy: r.strategy,
    licenseServer: r.licenseServer,
    licensingMode: r.licensingMode,
    allowReboot: r.allowReboot,
    symptom: r.symptom,
    symptomAccount: r.symptomAccount,
    removeRoleDespiteLicensing: r.removeRoleDespiteLicensing,
    source: r.source,
    ticketRef: r.ticketRef,
    state: r.state,
    step: r.step,
    outcome: r.outcome,
    reason: r.reason,
    reasonDetail: r.reasonDetail,
    cancelRequested: r.cancelRequested,
    rebooted: r.rebooted,
    approvalExpiresAt: r.approvalExpiresAt?.toISOString() ?? null,
    deadlineAt: r.deadlineAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    links: {
      self: `${baseUrl}/v1/remediations/${r.id}`,
      cancel: `${baseUrl}/v1/remediations/${r.id}/cancel`,
      approve: `${baseUrl}/v1/remediations/${r.id}/approve`,
      events: `${baseUrl}/v1/remediations/${r.id}/events`,
      rollback: `${baseUrl}/v1/remediations/${r.id}/rollback`,
    },
  };
}

export function commandRunView(c: CommandRunEntity) {
  const end = c.finishedAt ?? null;
  return {
    id: c.id,
    step: c.step,
    purpose: c.purpose,
    attempt: c.attempt,
    script: { name: c.scriptName, version: c.scriptVersion, sha256: c.scriptSha256 },
    parameters: c.parameters,
    channel: c.channel,
    commandId: c.commandId,
    status: c.status,
    providerStatus: c.providerStatus,
    providerStatusDetails: c.providerStatusDetails,
    exitCode: c.exitCode,
    requestedAt: c.requestedAt.toISOString(),
    sentAt: c.sentAt?.toISOString() ?? null,
    startedAt: c.startedAt?.toISOString() ?? null,
    finishedAt: end?.toISOString() ?? null,
    durationMs: c.sentAt && end ? end.getTime() - c.sentAt.getTime() : null,
    polls: c.pollCount,
    outputExcerpt: c.stdoutExcerpt,
    errorExcerpt: c.stderrExcerpt,
    truncated: c.truncated,
    result: c.result,
    error: c.error,
  };
}

export function timelineEventView(e: TimelineEventEntity) {
  return { id: e.id, at: e.at.toISOString(), type: e.type, step: e.step, message: e.message, data: e.data, actor: e.actor };
}

export function remediationDetailView(r: RemediationEntity, runs: CommandRunEntity[], events: TimelineEventEntity[], baseUrl = '') {
  return {
    ...remediationSummaryView(r, baseUrl),
    diagnosis: r.facts,
    plan: r.plan,
    changes: r.changes,
    verification: r.verification,
    commands: runs.map(commandRunView),
    timeline: events.map(timelineEventView),
  };
}

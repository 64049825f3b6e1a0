import { describeStop, stopPoint } from '../domain/rate-control';
import { isFinal } from '../domain/campaign-state';
import { CampaignEntity } from '../entities';
import type { CreationOutcome } from '../creation/campaign-creator';

export function campaignLinks(id: string) {
  const self = `/v1/campaigns/${id}`;
  return {
    self,
    report: `${self}/report`,
    census: `${self}/census`,
    events: `${self}/events`,
    pause: `${self}/pause`,
    resume: `${self}/resume`,
    cancel: `${self}/cancel`,
    approve: `${self}/approve`,
    retry: `${self}/retry`,
  };
}

/** Outcome counts as a reader sees them: targets never started count as not_started once it is over. */
export function outcomeCounts(c: CampaignEntity): Record<string, number> {
  const o = { ...c.outcomes };
  const pending = c.counts.pending ?? 0;
  if ((isFinal(c.state) || c.state === 'stopping' || c.state === 'cancelling') && pending > 0) o.not_started = pending;
  return o;
}

/** The campaign as the API shows it (without live progress; see CampaignQueries.progress). */
export function campaignView(c: CampaignEntity) {
  const overshootBase = c.stop ? c.stop.countAtStop : null;
  return {
    id: c.id,
    name: c.name,
    parentId: c.parentId,
    state: c.state,
    mode: c.mode,
    strategy: c.strategy,
    allowReboot: c.allowReboot,
    licenseServer: c.licenseServer,
    licensingMode: c.licensingMode,
    tenantId: c.tenantId,
    targetSource: c.targetSource,
    createdAt: new Date(c.createdAt).toISOString(),
    startedAt: c.startedAt ? new Date(c.startedAt).toISOString() : null,
    finishedAt: c.finishedAt ? new Date(c.finishedAt).toISOString() : null,
    targets: { input: c.inputCount, eligible: c.targetCount, excluded: c.excludedCount },
    counts: { pending: 0, running: 0, parked: 0, approved: 0, done: 0, excluded: 0, ...c.counts },
    outcomes: outcomeCounts(c),
    rateControl: {
      maxConcurrency: { spec: c.maxConcurrencySpec, value: c.maxConcurrency },
      maxErrors: { spec: c.maxErrorsSpec, value: c.maxErrors, stopsAt: stopPoint(c.maxErrors), text: describeStop(c.maxErrors, 'failure') },
      maxUnreachable: { spec: c.maxUnreachableSpec, value: c.maxUnreachable, stopsAt: stopPoint(c.maxUnreachable), text: describeStop(c.maxUnreachable, 'unreachable instance') },
      waves: c.waves,
      waveBakeSeconds: c.waveBakeS,
      currentWave: c.currentWave,
      bakeUntil: c.bakeUntil ? new Date(c.bakeUntil).toISOString() : null,
    },
    budget: {
      failures: c.failures,
      maxErrors: c.maxErrors,
      unreachable: c.unreachable,
      maxUnreachable: c.maxUnreachable,
      stop: c.stop
        ? {
            ...c.stop,
            // Failures (or unreachable) that came in from work already in flight after the stop.
            overshoot: Math.max(0, (c.stop.kind === 'errors' ? c.failures : c.unreachable) - (overshootBase ?? 0)),
          }
        : null,
    },
    links: campaignLinks(c.id),
  };
}

/** The answer to POST /v1/campaigns (created) or ?preview=true (nothing created). */
export function creationView(o: CreationOutcome) {
  return {
    preview: o.preview,
    ...(o.campaign ? campaignView(o.campaign) : {}),
    targets: o.counts,
    rateControl: o.plan,
    exclusions: o.exclusions,
    exclusionsShown: o.exclusions.length,
    ...(o.preview ? { sample: o.sample } : {}),
  };
}

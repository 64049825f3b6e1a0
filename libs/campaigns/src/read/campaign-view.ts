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

/** Failures (or unreachable) beyond the stop point, from work that was in flight when it stopped. */
export function overshoot(c: Pick<CampaignEntity, 'stop' | 'failures' | 'unreachable' | 'maxErrors' | 'maxUnreachable'>): number {
  if (!c.stop) return 0;
  return c.stop.kind === 'errors' ? Math.max(0, c.failures - stopPoint(c.maxErrors)) : Math.max(0, c.unreachable - stopPoint(c.maxUnreachable));
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
    targets: { input: c.inputCount, eligible: c.targetCount, excluded: c.excludedCount, regions: c.regions ?? [] },
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
            stopsAt: stopPoint(c.stop.kind === 'errors' ? c.maxErrors : c.maxUnreachable),
            // Beyond the stop point: what work already in flight added after the campaign stopped starting.
            overshoot: overshoot(c),
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

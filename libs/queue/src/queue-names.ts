/** Every BullMQ queue and job name (one catalogue, DESIGN §3). */
export const QUEUES = {
  remediations: 'remediations',
} as const;

export const JOBS = {
  /** Advance one remediation by as many steps as it can take without waiting. */
  advanceRemediation: 'advance-remediation',
} as const;

/** Job data carries ids only; Postgres holds the state (DESIGN §3). */
export interface AdvanceRemediationJob {
  remediationId: string;
}

/** One job id per remediation, so a re-enqueue of a live remediation is a no-op. */
export function remediationJobId(remediationId: string): string {
  return `rem-${remediationId}`;
}

/** BullMQ priority of campaign remediation jobs: taken only when no single fix's job waits. */
export const CAMPAIGN_JOB_PRIORITY = 10;

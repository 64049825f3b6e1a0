import type { ActiveRow } from './active-pages';

/** What the check needs of the dispatcher (RemediationDispatcher). */
export interface JobLiveness {
  liveByHash(remediationIds: string[]): Promise<Set<string>>;
  hasLiveJob(remediationId: string): Promise<boolean>;
}

/**
 * The rows whose job is missing or dead. The whole page's job hashes are read in one round trip;
 * a job whose hash says live is believed, unless its remediation has been quiet for longer than
 * `longQuietMs`: then its state is read in full (a hash that outlived its place in BullMQ's lists
 * would otherwise hide a lost job for ever). Full reads: at most `inFlight` at once.
 */
export async function lostJobs(rows: ActiveRow[], jobs: JobLiveness, longQuietMs: number, inFlight: number): Promise<ActiveRow[]> {
  const byHash = await jobs.liveByHash(rows.map((r) => r.id));
  const out = rows.filter((r) => !byHash.has(r.id));
  const check = rows.filter((r) => byHash.has(r.id) && r.quietMs > longQuietMs);
  let next = 0;
  const lane = async () => {
    while (next < check.length) {
      const row = check[next++];
      if (!(await jobs.hasLiveJob(row.id))) out.push(row);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, check.length) }, lane));
  return out;
}

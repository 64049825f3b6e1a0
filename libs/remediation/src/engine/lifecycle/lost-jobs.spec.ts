import { lostJobs, JobLiveness } from './lost-jobs';

const row = (id: string, quietMs: number) => ({ id, source: 'campaign', quietMs });

describe('lostJobs (the reconciler\'s check of a page)', () => {
  function jobs(liveHashes: string[], liveStates: string[]) {
    const fullReads: string[] = [];
    const j: JobLiveness = {
      liveByHash: async (ids) => new Set(ids.filter((id) => liveHashes.includes(id))),
      hasLiveJob: async (id) => {
        fullReads.push(id);
        return liveStates.includes(id);
      },
    };
    return { j, fullReads };
  }

  it('a missing or finished hash is lost at once; a live hash of a recently quiet row is believed without a full read', async () => {
    const { j, fullReads } = jobs(['a', 'b'], []);
    const out = await lostJobs([row('a', 20_000), row('b', 100), row('c', 20_000)], j, 120_000, 4);
    expect(out.map((r) => r.id)).toEqual(['c']);
    expect(fullReads).toEqual([]);
  });

  it('a live hash of a row quiet for longer than the bound is read in full, and lost if BullMQ no longer holds it', async () => {
    const { j, fullReads } = jobs(['old-lost', 'old-live', 'new'], ['old-live']);
    const out = await lostJobs([row('old-lost', 200_000), row('old-live', 200_000), row('new', 1_000)], j, 120_000, 2);
    expect(out.map((r) => r.id)).toEqual(['old-lost']);
    expect(fullReads.sort()).toEqual(['old-live', 'old-lost']);
  });

  it('bounds the full reads in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    const j: JobLiveness = {
      liveByHash: async (xs) => new Set(xs),
      hasLiveJob: async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return true;
      },
    };
    expect(await lostJobs(ids.map((id) => row(id, 1e9)), j, 1, 5)).toEqual([]);
    expect(peak).toBe(5);
  });
});

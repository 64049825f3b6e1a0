import { CensusAccumulator, censusCsvRows } from './census';
import { diagnosedReason, graceBucket, summarizeFacts } from './facts-reader';

const facts = (over: Record<string, unknown> = {}) => ({
  os: { version: '10.0.17763', family: '2019', ps: '5.1', is64: true },
  rdsh: { installed: true, terminalServerMode: 1, removalPending: false },
  graceDays: 0,
  licensing: { mode: 5, modeSource: 'local', servers: [], serversSource: 'local', reachability: [] },
  ...over,
});

describe('summarizeFacts: the one defensive reader of facts and plans', () => {
  it('reads today\'s facts and plan', () => {
    const s = summarizeFacts(facts(), { decision: 'act', causes: ['licensing_lockout'], actions: [], needsReboot: true });
    expect(s).toEqual({ osFamily: '2019', osVersion: '10.0.17763', rdshInstalled: true, graceDays: 0, licensingMode: 'not_configured', causes: ['licensing_lockout'], planDecision: 'act', refusalReason: null, needsReboot: true });
    expect(diagnosedReason(s)).toBe('needs_fix');
  });

  it('turns anything missing, null or "unknown" into unknown, never a default', () => {
    const s = summarizeFacts({ os: { family: 'unknown', version: null }, rdsh: { installed: 'unknown' }, graceDays: 'unknown', licensing: { mode: 'unknown' } }, { decision: 'refuse', reason: 'facts_incomplete' });
    expect(s.osFamily).toBe('unknown');
    expect(s.osVersion).toBe('unknown');
    expect(s.rdshInstalled).toBeNull();
    expect(s.graceDays).toBeNull();
    expect(s.licensingMode).toBe('unknown');
    expect(s.refusalReason).toBe('facts_incomplete');
    expect(graceBucket(s)).toBe('unknown');
    expect(summarizeFacts(null, null).planDecision).toBe('unknown');
    expect(diagnosedReason(summarizeFacts(null, 'garbage'))).toBe('unknown');
  });

  it('buckets grace days for the histogram', () => {
    expect([0, -3, 1, 7, 8, 30, 31, 60, 61, 120, 121].map((d) => graceBucket({ rdshInstalled: true, graceDays: d }))).toEqual([
      'expired', 'expired', '1-7', '1-7', '8-30', '8-30', '31-60', '31-60', '61-120', '61-120', 'over_120',
    ]);
    expect(graceBucket({ rdshInstalled: false, graceDays: null })).toBe('no_rdsh');
  });
});

describe('CensusAccumulator', () => {
  it('aggregates causes by OS, grace days, licensing and would-be refusals; rows without facts count by outcome only', () => {
    const acc = new CensusAccumulator();
    acc.add('diagnosed', summarizeFacts(facts(), { decision: 'act', causes: ['licensing_lockout'], needsReboot: true }));
    acc.add('diagnosed', summarizeFacts(facts({ os: { family: '2016', version: '10.0.14393' }, graceDays: 45 }), { decision: 'refuse', reason: 'domain_controller', causes: ['licensing_lockout'] }));
    acc.add('diagnosed', summarizeFacts(facts({ rdsh: { installed: false }, graceDays: null }), { decision: 'healthy' }));
    acc.add('unreachable', null);
    const c = acc.result();
    expect(c.targets).toBe(4);
    expect(c.diagnosed).toBe(3);
    expect(c.byOutcome).toEqual({ diagnosed: 3, unreachable: 1 });
    expect(c.causesByOs).toEqual({ '2019': { licensing_lockout: 1, none: 1 }, '2016': { licensing_lockout: 1 } });
    expect(c.graceDays).toMatchObject({ expired: 1, '31-60': 1, no_rdsh: 1 });
    expect(c.licensingMode).toEqual({ not_configured: 3 });
    expect(c.wouldRefuse).toEqual({ domain_controller: 1 });
    expect(c.wouldFix).toBe(1);
    expect(c.wouldReboot).toBe(1);
    const rows = censusCsvRows(c);
    expect(rows[0]).toEqual(['section', 'key', 'subkey', 'count']);
    expect(rows).toContainEqual(['cause_by_os', '2016', 'licensing_lockout', '1']);
    expect(rows).toContainEqual(['would_refuse', 'domain_controller', '', '1']);
  });
});

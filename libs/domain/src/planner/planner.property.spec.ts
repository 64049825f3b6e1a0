import fc from 'fast-check';
import { DiagnosisFacts, FACT_READS, FactRead } from '../facts';
import { OS_FAMILIES } from '../os';
import { PlanRequest } from '../request';
import { assessLicensing, assessSingleSession, CONFIGURED_LICENSING_MODES } from './causes';
import { planRemediation } from './planner';
import { describePlan } from '../summary/summary';

/**
 * Issue 7, "done when": over facts with random unknown fields, no plan ever contains
 * remove-rdsh-role when a fact it depends on is unknown, or when licensing is configured (unless
 * the request explicitly asks for it); and no unknown fact ever becomes a cause.
 */
export const PROPERTY_RUNS = 20_000;

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null, freq: 3 });
const src = fc.constantFrom<'local' | 'policy'>('local', 'local', 'policy');
const bool = fc.boolean();
const SESSION_ROWS = ['administrator rdp-tcp#0 2 Active . 1/1/2025 10:00 AM', 'bob 3 Disc 1:02 1/1/2025 9:00 AM', '张三 rdp-tcp#1 4 活动 . 2025/1/1 10:00', 'carol console 1 Active none 1/1/2025 8:00 AM'];

/** Every field of a diagnosis, flat, so scenarios can be perturbed one field at a time. */
const FIELDS = {
  family: fc.constantFrom(...OS_FAMILIES),
  installed: maybe(bool),
  tsMode: maybe(fc.constantFrom<0 | 1>(0, 1)),
  removalPending: maybe(bool),
  graceDays: maybe(fc.constantFrom(0, 0, 0, 3, 119)),
  mode: maybe(fc.constantFrom<1 | 2 | 4 | 5>(1, 2, 4, 5, 5)),
  modeSource: maybe(src),
  servers: maybe(fc.constantFrom<string[]>([], [], ['ls1'], ['ls1', 'ls2'])),
  serversSource: maybe(src),
  statuses: fc.array(fc.constantFrom(-1, 0, 1, 5, 6, 8, 11), { maxLength: 2 }),
  ssValue: maybe(fc.constantFrom<0 | 1>(0, 1, 1)),
  ssSource: maybe(src),
  role: maybe(fc.integer({ min: 0, max: 5 })),
  partOfDomain: maybe(bool),
  isDc: maybe(fc.constantFrom(false, false, false, true)),
  broker: maybe(fc.constantFrom(false, false, true)),
  webAccess: maybe(fc.constantFrom(false, false, true)),
  gateway: maybe(fc.constantFrom(false, false, true)),
  licensingRole: maybe(bool),
  sessionDirectory: maybe(fc.constantFrom(false, false, true)),
  lsActivated: maybe(bool),
  lsCalPacks: maybe(fc.constantFrom(0, 0, 2)),
  cbs: maybe(fc.constantFrom(false, false, true)),
  wu: maybe(fc.constantFrom(false, false, true)),
  fileRename: maybe(bool),
  termService: fc.constantFrom<'running' | 'stopped' | 'unknown'>('running', 'running', 'running', 'stopped', 'unknown'),
  listenerUp: maybe(fc.constantFrom(true, true, true, false)),
  fwEnabled: maybe(bool),
  fwAllowed: maybe(fc.constantFrom(true, true, false)),
  deny: maybe(fc.constantFrom<0 | 1>(0, 0, 0, 1)),
  sessions: maybe(fc.subarray(SESSION_ROWS)),
  truncated: fc.constantFrom(false, false, false, true),
};
type Flat = { [K in keyof typeof FIELDS]: (typeof FIELDS)[K] extends fc.Arbitrary<infer T> ? T : never };
type FieldKey = keyof Flat;
const FIELD_KEYS = Object.keys(FIELDS) as FieldKey[];
/** Fields that may be null (unknown). */
const NULLABLE = FIELD_KEYS.filter((k) => !['family', 'statuses', 'termService', 'truncated'].includes(k));

/** Realistic starting points near every decision boundary; the property then perturbs them. */
const FIXABLE_LOCKOUT: Flat = {
  family: '2019', installed: true, tsMode: 1, removalPending: false, graceDays: 0,
  mode: 5, modeSource: 'local', servers: [], serversSource: 'local', statuses: [],
  ssValue: 1, ssSource: 'local', role: 2, partOfDomain: false, isDc: false,
  broker: false, webAccess: false, gateway: false, licensingRole: false, sessionDirectory: false, lsActivated: null, lsCalPacks: null,
  cbs: false, wu: false, fileRename: true, termService: 'running', listenerUp: true, fwEnabled: true, fwAllowed: true, deny: 0,
  sessions: [], truncated: false,
};
const BASES: Flat[] = [
  FIXABLE_LOCKOUT,
  { ...FIXABLE_LOCKOUT, mode: 2, servers: ['ls1'], statuses: [6] },
  { ...FIXABLE_LOCKOUT, mode: 4, servers: ['ls1'], statuses: [8], partOfDomain: true, role: 3 },
  { ...FIXABLE_LOCKOUT, mode: 4, servers: ['ls1'], statuses: [11] },
  { ...FIXABLE_LOCKOUT, mode: 2, servers: ['ls1', 'ls2'], statuses: [5, -1] },
  { ...FIXABLE_LOCKOUT, licensingRole: true, lsActivated: false, lsCalPacks: 0 },
  { ...FIXABLE_LOCKOUT, sessions: [SESSION_ROWS[0]] },
  { ...FIXABLE_LOCKOUT, installed: false, tsMode: 0, graceDays: null, sessions: [SESSION_ROWS[0], SESSION_ROWS[1]] },
];

const factsArb: fc.Arbitrary<DiagnosisFacts> = fc
  .record({
    base: fc.constantFrom(...BASES),
    random: fc.record(FIELDS),
    perturb: fc.subarray(FIELD_KEYS, { maxLength: 3 }),
    nulls: fc.subarray(NULLABLE, { maxLength: 4 }),
    fullyRandom: fc.constantFrom(false, false, false, true),
    unknown: fc.subarray([...FACT_READS]),
  })
  .map(({ base, random, perturb, nulls, fullyRandom, unknown }) => {
    const r: Record<string, unknown> = fullyRandom ? { ...random } : { ...base };
    for (const k of perturb) r[k] = random[k];
    for (const k of nulls) r[k] = null;
    return toFacts(r as Flat, unknown);
  });

function toFacts(r: Flat, unknown: FactRead[]): DiagnosisFacts {
  return {
    os: { version: '10.0.17763', family: r.family, ps: '5.1', is64: true },
    bootTime: '2025-01-01T00:00:00Z',
    rdsh: { installed: r.installed, terminalServerMode: r.tsMode, removalPending: r.removalPending },
    graceDays: r.graceDays,
    licensing: { mode: r.mode, modeSource: r.modeSource, servers: r.servers, serversSource: r.serversSource, statuses: r.statuses },
    singleSession: { value: r.ssValue, source: r.ssSource },
    domain: { role: r.role, partOfDomain: r.partOfDomain, isDomainController: r.isDc },
    rds: {
      broker: r.broker,
      webAccess: r.webAccess,
      gateway: r.gateway,
      licensingRole: r.licensingRole,
      sessionDirectory: r.sessionDirectory,
      lsActivated: r.licensingRole ? r.lsActivated : null,
      lsCalPacks: r.licensingRole ? r.lsCalPacks : null,
    },
    pendingReboot: { cbs: r.cbs, wu: r.wu, fileRename: r.fileRename },
    termService: r.termService,
    listener: { up: r.listenerUp, port: 3389 },
    firewall: { enabled: r.fwEnabled, rdpAllowed: r.fwAllowed },
    denyConnections: { value: r.deny, source: 'local' },
    sessions: r.sessions,
    sessionsTruncated: r.sessions !== null && r.truncated,
    // The map only supplies messages; the decisions must follow the null fields alone.
    unknown: Object.fromEntries(unknown.map((k) => [k, 'Access denied'])),
    errors: [],
    errorsDropped: 0,
  };
}

const requestArb: fc.Arbitrary<PlanRequest> = fc.record({
  mode: fc.constantFrom<'fix' | 'diagnose'>('fix', 'diagnose'),
  strategy: fc.constantFrom<'remove-role' | 'configure-licensing'>('remove-role', 'remove-role', 'configure-licensing'),
  allowReboot: bool,
  licenseServer: fc.constantFrom<string | null>(null, 'ls9.corp.example'),
  licensingMode: fc.constantFrom<'per-user' | 'per-device' | null>(null, 'per-user', 'per-device'),
  symptom: fc.constantFrom<'another-user-logged-on' | null>(null, 'another-user-logged-on'),
  symptomAccount: fc.constantFrom<string | null>(null, 'administrator'),
  removeRoleDespiteLicensing: fc.constantFrom(false, false, true),
});

/** Every fact a role removal depends on, and whether it is known. */
function removalDependenciesKnown(f: DiagnosisFacts): string[] {
  const unknown: string[] = [];
  if (f.domain.isDomainController === null) unknown.push('isDomainController');
  if (f.graceDays === null) unknown.push('graceDays');
  if (f.licensing.mode === null) {
    // Unknown mode matters only if the server list could make licensing "configured".
    if (f.licensing.servers === null || f.licensing.servers.length > 0) unknown.push('licensing.mode');
  }
  if (f.licensing.servers === null && (f.licensing.mode === null || CONFIGURED_LICENSING_MODES.has(f.licensing.mode))) unknown.push('licensing.servers');
  for (const k of ['broker', 'webAccess', 'gateway', 'sessionDirectory', 'licensingRole'] as const) if (f.rds[k] === null) unknown.push(`rds.${k}`);
  if (f.rds.licensingRole === true && f.rds.lsActivated === null) unknown.push('rds.lsActivated');
  if (f.rds.licensingRole === true && f.rds.lsActivated === true && f.rds.lsCalPacks === null) unknown.push('rds.lsCalPacks');
  if (f.pendingReboot.cbs === null) unknown.push('pendingReboot.cbs');
  if (f.pendingReboot.wu === null) unknown.push('pendingReboot.wu');
  if (f.rdsh.installed !== true && f.rdsh.terminalServerMode !== 1) unknown.push('rdsh (not proven installed)');
  return unknown;
}

function licensingConfigured(f: DiagnosisFacts): boolean | null {
  const { mode, servers } = f.licensing;
  if (mode !== null && !CONFIGURED_LICENSING_MODES.has(mode)) return false;
  if (servers !== null && servers.length === 0) return false;
  if (mode === null || servers === null) return null;
  return true;
}

describe(`planner property test (${PROPERTY_RUNS} random diagnoses with unknown fields)`, () => {
  it('the generator reaches the interesting plans (else the properties below would prove little)', () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(factsArb, requestArb, (facts, req) => {
        const p = planRemediation(facts, req);
        const key = p.decision === 'act' ? `act:${p.actions.map((a) => a.kind).join('+')}` : p.decision === 'refuse' ? `refuse:${p.reason}` : p.decision;
        seen[key] = (seen[key] ?? 0) + 1;
      }),
      { numRuns: 4000 },
    );
    for (const k of ['act:remove-rdsh-role', 'act:allow-multiple-sessions', 'act:configure-licensing', 'refuse:facts_incomplete', 'refuse:license_server_unreachable', 'refuse:licensing_configured', 'healthy']) {
      expect({ k, hit: (seen[k] ?? 0) > 0 }).toEqual({ k, hit: true });
    }
  });

  it('never removes the role when a fact it depends on is unknown, or where licensing is configured', () => {
    fc.assert(
      fc.property(factsArb, requestArb, (facts, req) => {
        const p = planRemediation(facts, req);
        if (p.decision !== 'act' || !p.actions.some((a) => a.kind === 'remove-rdsh-role')) return true;
        const unknown = removalDependenciesKnown(facts);
        if (unknown.length > 0) throw new Error(`remove-rdsh-role planned with unknown ${unknown.join(', ')}`);
        const configured = licensingConfigured(facts);
        if (configured === null) throw new Error('remove-rdsh-role planned while it is unknown whether licensing is configured');
        if (configured && !req.removeRoleDespiteLicensing) throw new Error('remove-rdsh-role planned where licensing is configured');
        if (req.strategy !== 'remove-role') throw new Error('remove-rdsh-role without strategy remove-role');
        if (facts.domain.isDomainController !== false) throw new Error('remove-rdsh-role on a (possible) domain controller');
        return true;
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('no unknown fact ever becomes a cause, and every change rests on known facts', () => {
    fc.assert(
      fc.property(factsArb, requestArb, (facts, req) => {
        const p = planRemediation(facts, req);
        const a = assessSingleSession(facts, req);
        const lic = assessLicensing(facts);
        const causes = 'causes' in p ? p.causes : [];
        if (causes.includes('single_session') && facts.singleSession.value !== 1) throw new Error('cause A without a known fSingleSessionPerUser = 1');
        if (causes.includes('licensing_lockout') && !(lic.rdsh === true && facts.graceDays !== null && facts.graceDays <= 0)) {
          throw new Error('cause B without a known RDSH and a known grace period of 0');
        }
        if (p.decision === 'healthy' && (a.status === 'undetermined' || lic.lockout === null)) throw new Error('healthy while a cause could not be ruled out');
        if (p.decision !== 'act') return true;
        if (facts.domain.isDomainController !== false) throw new Error('a change on a (possible) domain controller');
        for (const act of p.actions) {
          if (act.kind === 'allow-multiple-sessions' && !(facts.singleSession.value === 1 && facts.singleSession.source === 'local')) {
            throw new Error('single-session changed without a known local value of 1');
          }
          if (act.kind === 'configure-licensing') {
            if (facts.licensing.modeSource !== 'local' || facts.licensing.serversSource !== 'local') throw new Error('licensing configured without known local sources');
            if (act.licensingMode === 'per-user' && facts.domain.partOfDomain !== true) throw new Error('per-user configured without a known domain membership');
            if (facts.rdsh.removalPending !== false) throw new Error('licensing configured while a removal may be pending');
          }
        }
        return true;
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });
});

describe('issue 11: the zh preview of any plan is Chinese', () => {
  it('no technical line of any plan falls back to its English original', () => {
    fc.assert(
      fc.property(factsArb, requestArb, (facts, req) => {
        const lines = describePlan(planRemediation(facts, req), 'zh');
        const english = lines.filter((l) => l.includes('英文原文'));
        if (english.length) throw new Error(`untranslated: ${english.join(' | ')}`);
        return true;
      }),
      { numRuns: 3000, seed: 20261202 },
    );
  });
});

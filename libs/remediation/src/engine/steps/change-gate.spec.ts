import type { RemediationEntity } from '@rdpfix/persistence';
import { changesDone, gateDecision, heldLookMs, isHeldAtGate } from './change-gate';

const FRESH_MS = 300_000;
const now = new Date('2026-12-04T12:00:00Z');
const row = (stepData: RemediationEntity['stepData'], extra: Partial<RemediationEntity> = {}) =>
  ({ state: 'running', step: 'plan', approvedAt: null, rebooted: false, stepData, ...extra }) as unknown as RemediationEntity;

describe('change gate', () => {
  it('lets a remediation without a gate (single fixes, targets started inside the ramp) go', () => {
    expect(gateDecision(row({}), now, FRESH_MS)).toBe('go');
    expect(gateDecision(row({ changeGate: 'open' }), now, FRESH_MS)).toBe('go');
  });

  it('holds a closed gate (first time: written), and keeps holding without writing', () => {
    expect(gateDecision(row({ changeGate: 'closed' }), now, FRESH_MS)).toBe('hold');
    expect(gateDecision(row({ changeGate: 'held', heldAt: now.toISOString() }), now, FRESH_MS)).toBe('still_held');
  });

  it('diagnoses again once before the first change when the gate opened after a long hold', () => {
    const longAgo = new Date(now.getTime() - FRESH_MS - 1).toISOString();
    const recent = new Date(now.getTime() - FRESH_MS + 1000).toISOString();
    expect(gateDecision(row({ changeGate: 'open', heldAt: longAgo }), now, FRESH_MS)).toBe('rediagnose');
    expect(gateDecision(row({ changeGate: 'open', heldAt: longAgo, gateRediagnosed: true }), now, FRESH_MS)).toBe('go');
    expect(gateDecision(row({ changeGate: 'open', heldAt: recent }), now, FRESH_MS)).toBe('go');
  });

  it('an approval passes the gate (the campaign approves only into a ramp slot; a person decides for one)', () => {
    expect(gateDecision(row({ changeGate: 'closed' }, { approvedAt: now }), now, FRESH_MS)).toBe('go');
  });

  it('knows a remediation held at the gate: running, at its plan, not approved, gate not open', () => {
    expect(isHeldAtGate(row({ changeGate: 'held' }))).toBe(true);
    expect(isHeldAtGate(row({ changeGate: 'closed' }))).toBe(true);
    expect(isHeldAtGate(row({ changeGate: 'open' }))).toBe(false);
    expect(isHeldAtGate(row({ changeGate: 'held' }, { step: 'apply' }))).toBe(false);
    expect(isHeldAtGate(row({ changeGate: 'held' }, { approvedAt: now }))).toBe(false);
    expect(isHeldAtGate(row({ changeGate: 'held' }, { state: 'finished' }))).toBe(false);
  });

  it('counts the changing commands that succeeded: actions applied, and the restart', () => {
    expect(changesDone(row({}))).toBe(0);
    expect(changesDone(row({ actionIndex: 2 }))).toBe(2);
    expect(changesDone(row({ actionIndex: 1 }, { rebooted: true }))).toBe(2);
  });

  it('looks at a held gate again after as long as it has been held, from the base up to ten times it', () => {
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    expect(heldLookMs(ago(0), now, 30_000)).toBe(30_000);
    expect(heldLookMs(ago(45_000), now, 30_000)).toBe(45_000);
    expect(heldLookMs(ago(3_600_000), now, 30_000)).toBe(300_000);
    expect(heldLookMs(undefined, now, 30_000)).toBe(30_000);
  });
});

import type { RemediationEntity } from '@rdpfix/persistence';

/**
 * A campaign's change gate (docs/campaigns.md "The ramp gates changes"). A fix campaign starts
 * targets ahead of its ramp with the gate `closed`: they are checked and diagnosed at once, which
 * changes nothing, but a plan that would change the server is held at the gate until the
 * campaign opens it (a ramp slot). Single fixes have no gate.
 */
export type GateDecision =
  /** No gate, or open and fresh: change the server. */
  | 'go'
  /** Closed: hold here (first time: write it and tell the campaign). */
  | 'hold'
  /** Already held and still closed: nothing to write, look again later. */
  | 'still_held'
  /** Opened after a long hold: look at the server again before the first change. */
  | 'rediagnose';

export function gateDecision(r: Pick<RemediationEntity, 'stepData' | 'approvedAt'>, now: Date, freshMs: number): GateDecision {
  const sd = r.stepData ?? {};
  // An approval is an operator's explicit go for this server (and a campaign approves only into a slot).
  if (r.approvedAt) return 'go';
  if (sd.changeGate === 'closed') return 'hold';
  if (sd.changeGate === 'held') return 'still_held';
  if (sd.changeGate === 'open' && sd.heldAt && !sd.gateRediagnosed && now.getTime() - Date.parse(sd.heldAt) > freshMs) return 'rediagnose';
  return 'go';
}

/** A held remediation's next look at its gate: as long as it has been held, from `baseMs` up to ten times that. */
export function heldLookMs(heldAt: string | undefined, now: Date, baseMs: number): number {
  const heldFor = heldAt ? now.getTime() - Date.parse(heldAt) : 0;
  return Math.min(10 * baseMs, Math.max(baseMs, Number.isFinite(heldFor) ? heldFor : 0));
}

/** Held (or about to be) at the gate: nothing has been changed, and nothing runs on the server. */
export function isHeldAtGate(r: Pick<RemediationEntity, 'step' | 'state' | 'stepData' | 'approvedAt'>): boolean {
  return r.state === 'running' && r.step === 'plan' && !r.approvedAt && (r.stepData?.changeGate === 'held' || r.stepData?.changeGate === 'closed');
}

/**
 * How many changing commands of this remediation have succeeded: the actions applied, and the
 * restart once its command succeeded. A campaign's ramp opens a slot for each (SSM's unit).
 */
export function changesDone(r: Pick<RemediationEntity, 'stepData' | 'rebooted'>): number {
  return (r.stepData?.actionIndex ?? 0) + (r.rebooted ? 1 : 0);
}

import type { CommandRunEntity } from '@rdpfix/persistence';

/** What one runner call decided: come back after `waitMs`, or the run is over. */
export type RunState = { done: false; waitMs: number } | { done: true; run: CommandRunEntity };

/** After losing a transition the runner stops; the next step re-reads the row shortly. */
export const LOST_TRANSITION_WAIT_MS = 100;

export function withJitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

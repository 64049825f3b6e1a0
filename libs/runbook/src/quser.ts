// The quser parser lives in @rdpfix/domain (the planner reads sessions); kept here for callers of the runbook.
export { parseQuserRow, parseQuserRows } from '@rdpfix/domain';
export type { Session, SessionState } from '@rdpfix/domain';

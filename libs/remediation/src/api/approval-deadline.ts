import type { AppConfig } from '@rdpfix/config';

type DeadlineConfig = Pick<AppConfig, 'REBOOT_DEADLINE_S' | 'DELIVERY_TIMEOUT_S' | 'COMMAND_TIMEOUT_S'>;

/**
 * What a remediation still needs once its reboot is approved: the restart command (delivery +
 * execution), the reboot window (the server goes and comes back; verify retries inside it), and
 * one last verify command (delivery + execution).
 */
export function timeNeededAfterApprovalMs(c: DeadlineConfig): number {
  return (c.REBOOT_DEADLINE_S + 2 * (c.DELIVERY_TIMEOUT_S + c.COMMAND_TIMEOUT_S)) * 1000;
}

/**
 * The deadline of a remediation approved at `approvedAt`. An approval may come long after the
 * remediation's own deadline (APPROVAL_TTL_S is a day, REMEDIATION_DEADLINE_S an hour by
 * default): approving moves the deadline to `approvedAt + timeNeededAfterApproval` when that is
 * later, so an accepted approval can always finish. It never shortens a deadline.
 */
export function deadlineAfterApproval(current: Date, approvedAt: Date, c: DeadlineConfig): Date {
  const needed = approvedAt.getTime() + timeNeededAfterApprovalMs(c);
  return new Date(Math.max(current.getTime(), needed));
}

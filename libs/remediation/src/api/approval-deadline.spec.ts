import { deadlineAfterApproval, timeNeededAfterApprovalMs } from './approval-deadline';

const config = { REBOOT_DEADLINE_S: 900, DELIVERY_TIMEOUT_S: 600, COMMAND_TIMEOUT_S: 300 };

describe('deadline after an approval', () => {
  it('needs the restart command, the reboot window and a last verify', () => {
    expect(timeNeededAfterApprovalMs(config)).toBe((900 + 2 * (600 + 300)) * 1000);
  });

  it('extends a deadline that has passed (approval a day later) or is too close', () => {
    const approvedAt = new Date('2026-11-26T10:00:00Z');
    const passed = new Date('2026-11-25T11:00:00Z');
    expect(deadlineAfterApproval(passed, approvedAt, config)).toEqual(new Date(approvedAt.getTime() + 2700_000));
    const close = new Date(approvedAt.getTime() + 60_000);
    expect(deadlineAfterApproval(close, approvedAt, config)).toEqual(new Date(approvedAt.getTime() + 2700_000));
  });

  it('never shortens a later deadline', () => {
    const approvedAt = new Date('2026-11-26T10:00:00Z');
    const later = new Date(approvedAt.getTime() + 10 * 3600_000);
    expect(deadlineAfterApproval(later, approvedAt, config)).toEqual(later);
  });
});

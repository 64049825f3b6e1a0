import { RESULT_CAPS } from '@rdpfix/runbook/caps';
import { formatIdle, formatLogonTime, renderQuserRow, renderSessions } from './quser';

describe('quser rows', () => {
  it('renders an active session with its session name and "." idle', () => {
    expect(
      renderQuserRow({ username: 'administrator', sessionName: 'rdp-tcp#0', id: 2, state: 'Active', idleMinutes: 0, logonTime: '2026-11-25T08:00:00Z' }),
    ).toBe('administrator rdp-tcp#0 2 Active . 11/25/2026 8:00 AM');
  });

  it('renders a disconnected session without a session name', () => {
    expect(
      renderQuserRow({ username: 'bob', sessionName: null, id: 3, state: 'Disc', idleMinutes: 62, logonTime: '2026-11-25T07:00:00Z' }),
    ).toBe('bob 3 Disc 1:02 11/25/2026 7:00 AM');
  });

  it('formats idle times and 12-hour logon times', () => {
    expect(formatIdle(0)).toBe('.');
    expect(formatIdle(45)).toBe('45');
    expect(formatIdle(60 * 26 + 5)).toBe('1+2:05');
    expect(formatLogonTime('2026-01-02T00:05:00Z')).toBe('1/2/2026 12:05 AM');
    expect(formatLogonTime('2026-01-02T13:30:00Z')).toBe('1/2/2026 1:30 PM');
  });

  it('keeps at most as many rows as diagnose.ps1 (8), ordered by id, and says when it cut', () => {
    const sessions = Array.from({ length: 12 }, (_, i) => ({
      username: `u${i}`,
      sessionName: `rdp-tcp#${i}`,
      id: 20 - i,
      state: 'Active' as const,
      idleMinutes: 0,
      logonTime: '2026-11-25T08:00:00Z',
    }));
    const { rows, truncated } = renderSessions(sessions);
    expect(rows).toHaveLength(RESULT_CAPS.sessionRows);
    expect(truncated).toBe(true);
    expect(rows[0]).toMatch(/^u11 rdp-tcp#11 9 Active/);
  });
});

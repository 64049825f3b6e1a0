import { PlanAction } from '../plan';
import { Lang } from './lang';
import { summarizeRemediation, RemediationSummaryInput } from './summary';

/**
 * Issue 11 §12: summaries people paste into tickets. Waiting for approval says what approving
 * does; a cancel says what is still pending on the server; no raw JSON, ever; no rollback claim
 * for the role removal.
 */
const ID = 'i-0abc123def4567890';
const REMOVE: PlanAction = { kind: 'remove-rdsh-role' } as PlanAction;
const SINGLE: PlanAction = { kind: 'allow-multiple-sessions' } as PlanAction;
const ROLE_PENDING = { setting: 'RDS-RD-Server role', before: { installed: true }, after: { installed: false, restartNeeded: true, exitCode: 0 }, reversible: false };
const ROLE_DONE = { setting: 'RDS-RD-Server role', before: { installed: true }, after: { installed: false, restartNeeded: false, exitCode: 0 }, reversible: false };
const SINGLE_CHANGE = { setting: 'fSingleSessionPerUser', before: { present: true, value: 1 }, after: { present: true, value: 0 }, reversible: true };
const MODE_PENDING = { setting: 'LicensingMode', before: 5, after: 4, reversible: true, restartNeeded: true };
const SERVERS = { setting: 'SpecifiedLicenseServers', before: [], after: ['ls01.corp.example.com', 'ls02.corp.example.com'], reversible: true };

const base = (over: Partial<RemediationSummaryInput>): RemediationSummaryInput => ({
  instanceId: ID,
  outcome: null,
  reason: null,
  causes: ['licensing_lockout'],
  actions: [REMOVE],
  rebooted: false,
  ...over,
});

/** JSON punctuation a person would not write: braces, brackets, quoted keys. */
const RAW_JSON = /[{}[\]]|"[A-Za-z]+":/;

describe.each<Lang>(['en', 'zh'])('ticket summaries (%s)', (lang) => {
  const zh = lang === 'zh';

  it('waiting for approval: nothing changed yet, what approving will do (change + restart), until when', () => {
    const text = summarizeRemediation(base({ state: 'awaiting_approval', needsReboot: true, approvalExpiresAt: '2026-12-03T10:00:00.000Z', changes: [] }), lang);
    if (zh) {
      expect(text).toContain('正在等待批准');
      expect(text).toContain('尚未修改服务器');
      expect(text).toMatch(/批准后.*删除远程桌面会话主机角色/);
      expect(text).toContain('重启会断开服务器上所有已登录的会话');
      expect(text).toContain('2026-12-03 10:00:00 UTC 之前批准');
    } else {
      expect(text).toMatch(/is waiting for approval; rdpfix has not changed the server yet\./);
      expect(text).toMatch(/Approving lets rdpfix diagnose the server again .* then remove the Remote Desktop Session Host role and restart the server/);
      expect(text).toMatch(/ends every open session/);
      expect(text).toMatch(/Approve before 2026-12-03 10:00:00 UTC/);
      expect(text).not.toMatch(/in progress/);
    }
    expect(text).not.toMatch(RAW_JSON);
  });

  it('waiting for approval of a restart only (earlier role removal): says approving restarts to finish it', () => {
    const text = summarizeRemediation(base({ state: 'awaiting_approval', actions: [], needsReboot: true, approvalExpiresAt: null }), lang);
    expect(text).toMatch(zh ? /批准后.*重启服务器，完成之前已执行的远程桌面会话主机角色删除/ : /then restart the server to complete an earlier removal of the Remote Desktop Session Host role/);
  });

  it('cancelled after the role removal, before the restart: says the removal is still pending on the server', () => {
    const text = summarizeRemediation(base({ outcome: 'cancelled', changes: [ROLE_PENDING] }), lang);
    if (zh) {
      expect(text).toContain('服务器上仍有待完成的操作');
      expect(text).toContain('重启后才会完成');
      expect(text).toContain('无法回滚的修改');
      expect(text).not.toContain('可以回滚');
    } else {
      expect(text).toMatch(/Still pending on the server: the removal of the Remote Desktop Session Host role completes only when the server restarts/);
      expect(text).toMatch(/Changed for good \(this cannot be rolled back\): Remote Desktop Session Host role: installed → removed/);
      expect(text).not.toMatch(/recorded for rollback/);
    }
    expect(text).not.toMatch(RAW_JSON);
  });

  it('cancelled with nothing changed: says nothing is pending', () => {
    const text = summarizeRemediation(base({ outcome: 'cancelled', changes: [] }), lang);
    expect(text).toContain(zh ? '服务器上没有待完成的操作' : 'Nothing is left pending on the server.');
  });

  it('cancelled after a licensing mode that waits for a service restart: says so', () => {
    const text = summarizeRemediation(base({ outcome: 'cancelled', actions: [], changes: [MODE_PENDING, SERVERS] }), lang);
    expect(text).toMatch(zh ? /授权模式已写入，但要在远程桌面服务（TermService）或服务器重启后才会生效/ : /the licensing mode is written but takes effect only when Remote Desktop Services \(TermService\) or the server restarts/);
    expect(text).toMatch(zh ? /每用户 \(4\)/ : /Per User \(4\)/);
    expect(text).toContain('ls01.corp.example.com');
    expect(text).not.toMatch(RAW_JSON);
  });

  it('fixed with a reversible and an irreversible change: rollback data is claimed for the reversible one only', () => {
    const text = summarizeRemediation(base({ outcome: 'fixed', causes: ['single_session', 'licensing_lockout'], actions: [SINGLE, REMOVE], rebooted: true, changes: [SINGLE_CHANGE, ROLE_DONE] }), lang);
    if (zh) {
      expect(text).toMatch(/已修改的设置（修改前的值已记录，可以回滚）：“限制每个用户只能进行一个会话”：是 → 否/);
      expect(text).toMatch(/无法回滚的修改：远程桌面会话主机角色：已安装 → 已删除/);
    } else {
      expect(text).toMatch(/Settings changed \(previous values recorded for rollback\): "Restrict each user to a single session": on → off \(fSingleSessionPerUser 1 → 0\)\./);
      expect(text).toMatch(/Changed for good \(this cannot be rolled back\): Remote Desktop Session Host role: installed → removed\./);
    }
    expect(text).not.toMatch(RAW_JSON);
    expect(text).not.toMatch(/Still pending|待完成/);
  });

  it('after the restart, a role removal that waited for it is not called pending', () => {
    const text = summarizeRemediation(base({ outcome: 'fixed', rebooted: true, changes: [ROLE_PENDING] }), lang);
    expect(text).toMatch(zh ? /远程桌面会话主机角色：已安装 → 已删除。/ : /Remote Desktop Session Host role: installed → removed\./);
    expect(text).not.toMatch(zh ? /重启后才会完成|待完成/ : /completes at the next restart|Still pending/);
  });

  it('never pastes raw JSON, whatever a change records', () => {
    const odd = { setting: 'SomethingNew', before: { a: 1, b: [1, 2] }, after: { nested: { x: true } }, reversible: true };
    for (const outcome of ['fixed', 'failed', 'cancelled', 'rolled_back'] as const) {
      const text = summarizeRemediation(base({ outcome, reason: outcome === 'failed' ? 'verification_failed' : null, changes: [odd, SINGLE_CHANGE, ROLE_PENDING, MODE_PENDING, SERVERS] }), lang);
      expect({ outcome, text }).toEqual({ outcome, text: expect.not.stringMatching(RAW_JSON) });
    }
  });
});

import { planRemediation } from '../planner';
import { combine, factsFixture, LICENSED_RDSH, LOCKED_OUT, SINGLE_SESSION } from '../planner/testing/facts-fixture';
import { PlanRequest } from '../request';
import { describePlan } from './summary';
import { technicalZh } from './technical-zh';
import { readdirSync, readFileSync, statSync } from 'fs';
import path from 'path';
import { approvalText, timelineMessage, TIMELINE_TYPES_IN_ZH } from './timeline-text';

/**
 * Issue 11 §13: zh throughout. The preview's technical lines and the timeline messages read in
 * Chinese, with the help-article vocabulary; an English sentence appears only for a line no rule
 * knows, and then labelled as the English original.
 */
const CJK = /[\u4e00-\u9fff]/;
const req = (over: Partial<PlanRequest> = {}): PlanRequest => ({ mode: 'diagnose', strategy: 'remove-role', allowReboot: false, ...over }) as PlanRequest;

describe('zh preview: technical lines in Chinese', () => {
  const plans: [string, ReturnType<typeof planRemediation>][] = [
    ['locked out, remove-role, sessions', planRemediation(factsFixture(combine(LOCKED_OUT, { sessions: ['alice rdp-tcp#1 3 Active . 1/1/2025 10:00 AM'] })), req())],
    ['both causes', planRemediation(factsFixture(combine(SINGLE_SESSION, LOCKED_OUT)), req())],
    ['configure-licensing', planRemediation(factsFixture(combine(LOCKED_OUT, { domain: { role: 3, partOfDomain: true, isDomainController: false } })), req({ strategy: 'configure-licensing', licenseServer: 'ls01.corp.example.com', licensingMode: 'per-user' }))],
    ['domain controller', planRemediation(factsFixture(combine(LOCKED_OUT, { domain: { role: 5, partOfDomain: true, isDomainController: true } })), req())],
    ['single session by policy', planRemediation(factsFixture(combine(SINGLE_SESSION, { singleSession: { value: 1, source: 'policy' } })), req())],
    ['single session, nobody complained', planRemediation(factsFixture({ singleSession: { value: 1, source: 'local' } }), req())],
    ['licensed RDSH', planRemediation(factsFixture(LICENSED_RDSH), req())],
    ['within grace', planRemediation(factsFixture(combine(LOCKED_OUT, { graceDays: 42 })), req())],
  ];

  it.each(plans)('%s: every line is Chinese, no English original left', (_name, plan) => {
    const lines = describePlan(plan, 'zh');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect({ line: l, cjk: CJK.test(l) }).toEqual({ line: l, cjk: true });
      expect(l).not.toContain('英文原文');
    }
  });

  it('uses the vocabulary of the help article', () => {
    const text = describePlan(plans[0][1], 'zh').join('');
    expect(text).toContain('远程桌面会话主机');
    expect(text).toContain('宽限期');
    expect(text).toContain('授权');
    const dc = describePlan(plans[3][1], 'zh').join('');
    expect(dc).toContain('域控制器');
  });

  it('an unknown English sentence stays, labelled as the English original; a bare value is just 技术说明', () => {
    expect(technicalZh('Some brand new planner note nobody translated yet.')).toBe('技术说明（英文原文）：Some brand new planner note nobody translated yet.');
    expect(technicalZh('PolicySourceSingleSession = 1')).toBe('技术说明：PolicySourceSingleSession = 1');
  });
});

describe('zh failure details (reasonDetail) in summaries', () => {
  it.each([
    ['No guest agent is registered for i-0abc123def4567890 in eu-west-1. Use the cloud console\'s VNC (remote console) to log in, then check that the SSM agent service is running.', /没有已注册的代理.*VNC/],
    ['i-0abc123def4567890 is in eu-central-1, not eu-west-1.', /位于地域 eu-central-1，不在 eu-west-1/],
    ['The cloud inventory has no instance i-0abc123def4567890.', /实例清单中没有实例/],
    ['The remediation did not finish before its deadline (2026-12-02T10:00:00.000Z) in step reboot.', /截止时间.*步骤 reboot/],
    ['remove-rdsh-role (command 1a2b) did not finish within its time limit and was stopped.', /未在时限内完成/],
  ])('%s', (detail, zh) => {
    const text = technicalZh(detail);
    expect(text).toMatch(zh);
    expect(text).not.toContain('英文原文');
  });
});

describe('zh timeline messages', () => {
  // The messages the engine and the API write (see libs/remediation), one per event type.
  const EVENTS: { type: string; message: string; data?: Record<string, unknown> }[] = [
    { type: 'created', message: 'fix requested by ticket' },
    { type: 'created', message: 'rollback requested by api (rollback of 6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e)' },
    { type: 'started', message: 'worker picked up the remediation' },
    { type: 'step_started', message: 'step diagnose started' },
    { type: 'agent_online', message: 'agent online (Windows Server 2019 Datacenter 10.0.17763)' },
    { type: 'command_requested', message: 'requested diagnose v3 (diagnose)' },
    { type: 'command_requested', message: 'requested verify v2 (verify attempt 2)' },
    { type: 'command_requested', message: 'requested set-single-session v2 (apply:0:allow-multiple-sessions)' },
    { type: 'command_requested', message: 'requested diagnose v3 (apply:1:remove-rdsh-role:check)' },
    { type: 'command_requested', message: 'requested diagnose v3 (diagnose; batched with identical requests)' },
    { type: 'command_sent', message: 'sent diagnose as command 1a2b3c' },
    { type: 'command_recovered', message: 'found remove-rdsh-role already sent as command 1a2b; not sending it again' },
    { type: 'command_not_found', message: 'diagnose never reached the channel; sending it now' },
    { type: 'command_finished', message: 'diagnose ended succeeded (Success, exit 0)' },
    { type: 'command_abandoned', message: 'diagnose: the remediation was cancelled; cancelled' },
    { type: 'diagnosed', message: 'diagnosis facts recorded' },
    { type: 'diagnosed', message: 'diagnosis facts recorded; could not be read: grace' },
    { type: 'planned', message: 'plan: allow-multiple-sessions, remove-rdsh-role + reboot' },
    { type: 'approval_required', message: 'the fix needs a restart: nothing is changed until it is approved (POST /v1/remediations/:id/approve); the approval covers remove-rdsh-role and the restart' },
    { type: 'approved', message: 'approved: removing the Remote Desktop Session Host role, then restarting the server', data: { approvedActions: [{ kind: 'remove-rdsh-role' }], restart: true } },
    { type: 'rediagnose', message: 'approved: diagnosing again before the first change' },
    { type: 'rediagnose', message: "held at the campaign's gate for over 300 s: diagnosing again before the first change" },
    { type: 'held_at_gate', message: "plan: remove-rdsh-role + reboot; held until the campaign's ramp has a slot for it (nothing changed yet)" },
    { type: 'held_at_gate', message: "plan: restart only; held until the campaign's ramp has a slot for it (nothing changed yet)" },
    { type: 'change_applied', message: 'remove-rdsh-role done' },
    { type: 'applied', message: 'all 2 change(s) applied' },
    { type: 'reboot_scheduled', message: 'restart scheduled in 10s; waiting for the agent to go and come back' },
    { type: 'agent_back', message: 'agent went offline and is back' },
    { type: 'verify_retry', message: 'verify did not complete after the reboot; trying again' },
    { type: 'cancel_requested', message: 'cancel requested; the worker stops at the next safe point' },
    { type: 'requeued', message: 'reconciler re-enqueued a remediation that had no job in Redis' },
    { type: 'rollback_requested', message: 'rollback started as 0b7e1f4a-9c55-4d0e-8f60-5a1d2c3b4e5f' },
    { type: 'finished', message: 'finished: fixed', data: { outcome: 'fixed', reason: null } },
    { type: 'owner_rechecked', message: 'after the approval, the inventory still shows the instance with its tenant' },
    { type: 'command_cancel_requested', message: 'diagnose (command 1a2b) had not started on the server; cancel asked of the cloud; waiting for its final status' },
    { type: 'command_resent', message: 'diagnose (read-only) was not found by its marker after 3 lookup(s) in 30 s; sending it again' },
    { type: 'command_send_fenced', message: 'diagnose was sent as command 1a2b, but the run had meanwhile moved to sent; this runner stopped' },
    { type: 'command_send_unknown', message: 'the answer to the send of remove-rdsh-role was lost (socket hang up); looking it up by its marker rdpfix:abc instead of sending it again' },
    { type: 'command_send_outcome_unknown', message: 'rdpfix cannot tell whether remove-rdsh-role reached the server: the answer to its send was lost, and the command did not appear' },
    { type: 'command_settled', message: 'diagnose ended succeeded before the remediation finished' },
    { type: 'command_withdrawn', message: 'verify was not sent: the remediation is ending' },
    { type: 'ending', message: 'ending (cancelled): nothing in flight' },
    { type: 'ending', message: 'ending (deadline_exceeded): waiting for the change in flight to end first; the instance stays reserved' },
    { type: 'finished', message: 'finished: failed (agent_offline) — No guest agent', data: { outcome: 'failed', reason: 'agent_offline' } },
  ];

  it.each(EVENTS)('$type: $message', (e) => {
    const zh = timelineMessage(e, 'zh');
    expect(zh).toMatch(CJK);
    expect(zh).not.toContain('英文原文');
    expect(timelineMessage(e, 'en')).toBe(e.message);
  });

  it('names what a command is for, on the single and the batched path', () => {
    expect(timelineMessage({ type: 'command_requested', message: 'requested remove-rdsh-role v2 (apply:1:remove-rdsh-role attempt 2)' }, 'zh')).toBe(
      '准备下发脚本 remove-rdsh-role（版本 2，用途：执行第 2 项修改（删除远程桌面会话主机角色），第 2 次）',
    );
    expect(timelineMessage({ type: 'command_requested', message: 'requested diagnose v3 (diagnose; batched with identical requests)' }, 'zh')).toBe(
      '准备下发脚本 diagnose（版本 3，用途：诊断，与相同的请求合并下发）',
    );
  });

  it("says why a campaign's target was diagnosed again: its gate, not an approval", () => {
    const zh = timelineMessage({ type: 'rediagnose', message: "held at the campaign's gate for over 300 s: diagnosing again before the first change" }, 'zh');
    expect(zh).toContain('300 秒');
    expect(zh).not.toContain('已批准');
  });

  it('keeps ids and names a support engineer searches for', () => {
    expect(timelineMessage({ type: 'command_sent', message: 'sent diagnose as command 1a2b3c' }, 'zh')).toBe('已通过命令通道下发脚本 diagnose（命令 ID：1a2b3c）');
    expect(timelineMessage({ type: 'finished', message: 'finished: failed (agent_offline)', data: { outcome: 'failed', reason: 'agent_offline' } }, 'zh')).toContain('VNC');
  });
});

describe('approvalText says what was approved (issue 7 leftover)', () => {
  it('role removal and the restart, not just "reboot"', () => {
    expect(approvalText([{ kind: 'remove-rdsh-role' }], true, 'en')).toBe('approved: removing the Remote Desktop Session Host role, then restarting the server');
    expect(approvalText([{ kind: 'remove-rdsh-role' }], true, 'zh')).toBe('已批准：删除远程桌面会话主机角色，然后重启服务器');
    expect(approvalText([{ kind: 'allow-multiple-sessions' }, { kind: 'remove-rdsh-role' }], true, 'en')).toMatch(/turning off "Restrict each user to a single session" .* and removing the Remote Desktop Session Host role, then restarting/);
    expect(approvalText([], true, 'en')).toMatch(/restarting the server to complete the earlier removal/);
  });
});

describe('every timeline event type the engine and the API write has a Chinese text', () => {
  const COLUMN_TYPES = new Set(['bigint', 'boolean', 'char', 'int', 'jsonb', 'postgres', 'text', 'timestamptz', 'uuid', 'varchar', 'integer', 'smallint', 'date']);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = path.join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
    });
  it('scans libs/remediation and libs/persistence for `type: \'…\'` events', () => {
    const root = path.resolve(__dirname, '../../..');
    const types = new Set<string>(['created']);
    for (const f of [...walk(path.join(root, 'remediation/src')), ...walk(path.join(root, 'persistence/src'))]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/type: '([a-z_]+)'/g)) if (!COLUMN_TYPES.has(m[1])) types.add(m[1]);
    }
    expect(types.size).toBeGreaterThan(20);
    expect([...types].filter((t) => !TIMELINE_TYPES_IN_ZH.includes(t)).sort()).toEqual([]);
  });
});

import { Plan, PlanAction, RefusalReason } from '../plan';
import { planRemediation } from '../planner';
import { FactsOverrides, combine, factsFixture, LOCKED_OUT, SINGLE_SESSION } from '../planner/testing/facts-fixture';
import { FailureReason, OUTCOMES } from '../remediation-state';
import { describePlan, summarizeRemediation, RemediationSummaryInput } from './summary';
import { FAILURE_TEXT, REFUSAL_TEXT } from './texts';

const DC_OVERRIDES_FOR_TEST: FactsOverrides = { domain: { role: 5, partOfDomain: true, isDomainController: true } };
const CJK = /[\u4e00-\u9fff]/;
const ID = 'i-0abc123def4567890';

const REFUSALS: RefusalReason[] = [
  'domain_controller',
  'rds_deployment',
  'group_policy',
  'missing_license_input',
  'per_user_on_workgroup',
  'pending_reboot',
  'not_a_licensing_problem',
  'license_server_unreachable',
  'licensing_configured',
  'facts_incomplete',
  'plan_changed',
];
// Every FailureReason, kept exhaustive by the compiler through this Record.
const FAILURE_MAP: Record<FailureReason, true> = {
  agent_offline: true,
  instance_not_found: true,
  command_failed: true,
  command_timed_out: true,
  role_removal_unfinished: true,
  command_undelivered: true,
  send_outcome_unknown: true,
  verification_failed: true,
  unsupported_os: true,
  channel_error: true,
  bad_output: true,
  reboot_not_observed: true,
  approval_expired: true,
  deadline_exceeded: true,
  internal_error: true,
};
const FAILURES = Object.keys(FAILURE_MAP) as FailureReason[];

const REMOVE_ROLE: PlanAction = { kind: 'remove-rdsh-role' };
const ALLOW: PlanAction = { kind: 'allow-multiple-sessions' };
const CONFIGURE: PlanAction = { kind: 'configure-licensing', licensingMode: 'per-user', licenseServer: 'ls1.corp.example' };

function input(over: Partial<RemediationSummaryInput>): RemediationSummaryInput {
  return { instanceId: ID, outcome: 'fixed', reason: null, causes: [], actions: [], rebooted: false, ...over };
}

/** One representative input per outcome / reason. */
const CASES: [string, RemediationSummaryInput][] = [
  ['fixed (A + B, remove-role)', input({ outcome: 'fixed', causes: ['single_session', 'licensing_lockout'], actions: [ALLOW, REMOVE_ROLE], rebooted: true, changes: [{ setting: 'fSingleSessionPerUser', before: 1, after: 0 }] })],
  ['fixed (configure-licensing)', input({ outcome: 'fixed', causes: ['licensing_lockout'], actions: [CONFIGURE], changes: [{ setting: 'LicensingMode', before: 5, after: 4 }, { setting: 'LicenseServers', before: [], after: ['ls1.corp.example'] }] })],
  ['fixed (restart only)', input({ outcome: 'fixed', causes: ['licensing_lockout'], actions: [], rebooted: true })],
  ['fixed with a cause left', input({ outcome: 'fixed', causes: ['single_session', 'licensing_lockout'], actions: [REMOVE_ROLE], rebooted: true, left: [{ cause: 'single_session', reason: 'group_policy', present: true, detail: 'GPO' }] })],
  ['already_healthy', input({ outcome: 'already_healthy' })],
  ['diagnosed with a would-be fix', input({ outcome: 'diagnosed', causes: ['licensing_lockout'], actions: [REMOVE_ROLE] })],
  ['diagnosed healthy', input({ outcome: 'diagnosed' })],
  ['diagnosed with a would-be refusal', input({ outcome: 'diagnosed', causes: ['licensing_lockout'], reason: 'domain_controller', refusalDetail: 'DomainRole = 5' })],
  ...REFUSALS.map((r): [string, RemediationSummaryInput] => [`refused: ${r}`, input({ outcome: 'refused', reason: r, causes: ['licensing_lockout'], refusalDetail: `detail for ${r}` })]),
  ['refused with an unknown reason', input({ outcome: 'refused', reason: 'something_new' })],
  ...FAILURES.map((r): [string, RemediationSummaryInput] => [`failed: ${r}`, input({ outcome: 'failed', reason: r, causes: ['single_session'], actions: [ALLOW] })]),
  ['failed with an unknown reason', input({ outcome: 'failed', reason: 'weird' })],
  ['failed after changes', input({ outcome: 'failed', reason: 'verification_failed', actions: [REMOVE_ROLE], rebooted: true, changes: [{ setting: 'RDS-RD-Server', before: 'Installed', after: 'Available' }] })],
  ['cancelled', input({ outcome: 'cancelled' })],
  ['cancelled after a change', input({ outcome: 'cancelled', changes: [{ setting: 'fSingleSessionPerUser', before: 1, after: 0 }] })],
  ['rolled back', input({ outcome: 'rolled_back', changes: [{ setting: 'fSingleSessionPerUser', before: 0, after: 1 }] })],
  ['in progress', input({ outcome: null })],
];

describe('summarizeRemediation', () => {
  it('has a case for every outcome', () => {
    const covered = new Set(CASES.map(([, i]) => i.outcome));
    for (const o of OUTCOMES) expect(covered.has(o)).toBe(true);
  });

  describe.each(['en', 'zh'] as const)('%s', (lang) => {
    it.each(CASES)('%s: non-empty and names the instance', (_n, i) => {
      const s = summarizeRemediation(i, lang);
      expect(s.length).toBeGreaterThan(30);
      expect(s).toContain(ID);
      if (lang === 'zh') expect(s).toMatch(CJK);
      expect(s).not.toMatch(/undefined|\[object Object\]/);
    });
  });

  it('agent_offline advises the VNC console in both languages', () => {
    const i = input({ outcome: 'failed', reason: 'agent_offline' });
    expect(summarizeRemediation(i, 'en')).toMatch(/VNC/);
    expect(summarizeRemediation(i, 'zh')).toContain('使用控制台远程连接 VNC 功能登录');
  });

  it('each failure reason and refusal reason has its own text', () => {
    for (const lang of ['en', 'zh'] as const) {
      const f = new Set(FAILURES.map((r) => summarizeRemediation(input({ outcome: 'failed', reason: r }), lang)));
      expect(f.size).toBe(FAILURES.length);
      const r = new Set(REFUSALS.map((x) => summarizeRemediation(input({ outcome: 'refused', reason: x }), lang)));
      expect(r.size).toBe(REFUSALS.length);
    }
    expect(Object.keys(FAILURE_TEXT).sort()).toEqual([...FAILURES].sort());
    expect(Object.keys(REFUSAL_TEXT).sort()).toEqual([...REFUSALS].sort());
  });

  it('fixed: says what was done, the restart, and the recorded changes', () => {
    const [, i] = CASES[0];
    const en = summarizeRemediation(i, 'en');
    expect(en).toMatch(/removed the Remote Desktop Session Host role/);
    expect(en).toMatch(/turned off "Restrict each user to a single session"/);
    expect(en).toMatch(/The server was restarted\./);
    expect(en).toMatch(/"Restrict each user to a single session": on → off \(fSingleSessionPerUser 1 → 0\)/);
    const zh = summarizeRemediation(i, 'zh');
    expect(zh).toContain('远程桌面会话主机');
    expect(zh).toContain('限制每个用户只能进行一个会话');
    expect(zh).toContain('服务器已重启');
  });

  it('fixed says what was left and why, and claims only a verified configuration', () => {
    const [, i] = CASES.find(([n]) => n === 'fixed with a cause left')!;
    const en = summarizeRemediation(i, 'en');
    expect(en).toMatch(/verified the configuration/);
    expect(en).toMatch(/not an actual logon/);
    expect(en).toMatch(/rdpfix leaves the single-session restriction unchanged: The setting that would have to change is enforced by Group Policy/);
    expect(summarizeRemediation(i, 'zh')).toMatch(/验证的是配置/);
  });

  it('approval_expired says nothing was changed (consent comes first)', () => {
    const t = summarizeRemediation(input({ outcome: 'failed', reason: 'approval_expired' }), 'en');
    expect(t).toMatch(/Nothing was changed on the server/);
    expect(t).not.toMatch(/stay in place/);
  });

  it('configure-licensing names the mode and server, lists are shown as words (issue 11: never JSON)', () => {
    const [, i] = CASES[1];
    expect(summarizeRemediation(i, 'en')).toMatch(/Per User with the license server ls1\.corp\.example/);
    expect(summarizeRemediation(i, 'en')).toContain('LicenseServers: none → ls1.corp.example');
    expect(summarizeRemediation(i, 'en')).not.toMatch(/[[\]{}"]{2}|\[\]/);
    expect(summarizeRemediation(i, 'zh')).toContain('每用户');
    expect(summarizeRemediation(i, 'zh')).toContain('授权服务器 ls1.corp.example');
  });

  it('refused includes the reason text and the engineer detail', () => {
    const i = input({ outcome: 'refused', reason: 'group_policy', refusalDetail: 'PolicySourceSingleSession = 1' });
    expect(summarizeRemediation(i, 'en')).toMatch(/Group Policy.*Details: PolicySourceSingleSession = 1/);
    expect(summarizeRemediation(i, 'zh')).toMatch(/组策略.*技术说明：PolicySourceSingleSession = 1/);
  });

  it('diagnosed says nothing was changed and what a fix would do', () => {
    const [, i] = CASES.find(([n]) => n === 'diagnosed with a would-be fix')!;
    expect(summarizeRemediation(i, 'en')).toMatch(/nothing was changed.*A fix would remove the Remote Desktop Session Host role/);
    expect(summarizeRemediation(i, 'zh')).toMatch(/未做任何修改.*修复时 rdpfix 将删除远程桌面会话主机角色/);
  });

  it('failed and cancelled say whether anything was changed', () => {
    expect(summarizeRemediation(input({ outcome: 'cancelled', changes: [] }), 'en')).toMatch(/No setting was changed/);
    expect(summarizeRemediation(input({ outcome: 'cancelled', changes: [] }), 'zh')).toMatch(/未修改任何设置/);
    // Unknown changes are not claimed either way.
    expect(summarizeRemediation(input({ outcome: 'failed', reason: 'command_failed' }), 'en')).not.toMatch(/changed/);
    expect(summarizeRemediation(input({ outcome: 'failed', reason: 'command_failed' }), 'zh')).not.toMatch(/修改/);
    const after = input({ outcome: 'failed', reason: 'verification_failed', changes: [{ setting: 'RDS-RD-Server', before: 'Installed', after: null }] });
    expect(summarizeRemediation(after, 'en')).toMatch(/RDS-RD-Server: Installed → not set/);
  });
});

describe('describePlan', () => {
  const plans: [string, Plan][] = [
    ['healthy', planRemediation(factsFixture(), { mode: 'diagnose', strategy: 'remove-role', allowReboot: false })],
    ['act remove-role', planRemediation(factsFixture(combine(SINGLE_SESSION, LOCKED_OUT, { sessions: ['a 2 Active'] })), { mode: 'diagnose', strategy: 'remove-role', allowReboot: false })],
    ['act with a left cause', planRemediation(factsFixture(combine(LOCKED_OUT, { singleSession: { value: 1, source: 'policy' }, sessions: ['a 2 Active'] })), { mode: 'diagnose', strategy: 'remove-role', allowReboot: false })],
    ['refuse facts_incomplete', planRemediation(factsFixture(combine(LOCKED_OUT, { graceDays: null, unknown: { grace: 'GetGracePeriodDays returned 5' } })), { mode: 'diagnose', strategy: 'remove-role', allowReboot: false })],
    ['act configure-licensing', planRemediation(factsFixture(LOCKED_OUT), { mode: 'diagnose', strategy: 'configure-licensing', allowReboot: false, licenseServer: 'ls1', licensingMode: 'per-device' })],
    ['act restart only', planRemediation(factsFixture(combine(LOCKED_OUT, { rdsh: { removalPending: true } })), { mode: 'diagnose', strategy: 'remove-role', allowReboot: false })],
    ['refuse DC', planRemediation(factsFixture(combine(LOCKED_OUT, DC_OVERRIDES_FOR_TEST)), { mode: 'diagnose', strategy: 'remove-role', allowReboot: false })],
    ['refuse out of scope', planRemediation(factsFixture({ termService: 'stopped' }), { mode: 'diagnose', strategy: 'remove-role', allowReboot: false })],
    ['unsupported', planRemediation(factsFixture({ os: { family: null, version: '5.2' } }), { mode: 'diagnose', strategy: 'remove-role', allowReboot: false })],
  ];

  it.each(plans)('%s: non-empty lines in both languages', (_n, p) => {
    const en = describePlan(p, 'en');
    const zh = describePlan(p, 'zh');
    expect(en.length).toBeGreaterThan(0);
    expect(zh.length).toBe(en.length);
    for (const l of [...en, ...zh]) expect(l.trim().length).toBeGreaterThan(0);
    expect(zh[0]).toMatch(CJK);
  });

  it('explains a role removal in plain words, with the restart and its consent', () => {
    const en = describePlan(plans[1][1], 'en');
    expect(en).toContain(
      'rdpfix would remove the Remote Desktop Session Host role and restart the server. This returns the server to the two free administrator sessions every Windows Server includes; more than two people at once would need Remote Desktop licensing again.',
    );
    expect(en.join('\n')).toMatch(/changes nothing before your consent.*covers the change and the restart together/);
    expect(en.join('\n')).toMatch(/cannot be rolled back by rdpfix/);
    expect(en.join('\n')).toMatch(/never resets the licensing grace period/);
    expect(en.join('\n')).toMatch(/1 user session\(s\)/);
    // single-session line comes before the role removal line
    expect(en.findIndex((l) => /single session/.test(l) && l.startsWith('rdpfix would'))).toBeLessThan(en.findIndex((l) => /remove the Remote Desktop/.test(l)));
    const zh = describePlan(plans[1][1], 'zh').join('\n');
    expect(zh).toContain('删除远程桌面会话主机角色并重启服务器');
    expect(zh).toContain('两个免费远程桌面管理连接');
  });

  it('a restart-only plan says an earlier removal is being completed', () => {
    expect(describePlan(plans[5][1], 'en').join('\n')).toMatch(/earlier removal .* waiting for a restart/);
  });

  it('says what is left alone and why', () => {
    const en = describePlan(plans[2][1], 'en').join('\n');
    expect(en).toMatch(/rdpfix leaves the single-session restriction unchanged: The setting that would have to change is enforced by Group Policy/);
    expect(describePlan(plans[2][1], 'zh').join('\n')).toMatch(/rdpfix 不会处理“限制每个用户只能进行一个会话”设置：.*组策略/);
  });

  it('shows the unknown facts in diagnose mode', () => {
    const en = describePlan(plans[3][1], 'en').join('\n');
    expect(en).toMatch(/Could not be read: the licensing grace period \(GetGracePeriodDays\): GetGracePeriodDays returned 5/);
    expect(en).toMatch(/could not rule out the licensing lockout/);
    expect(en).toContain(REFUSAL_TEXT.facts_incomplete.en);
  });

  it('a refusal says what is refused and why', () => {
    const en = describePlan(plans[6][1], 'en');
    expect(en[0]).toMatch(/will not change this server/);
    expect(en[1]).toBe(REFUSAL_TEXT.domain_controller.en);
    expect(en[2]).toMatch(/DomainRole = 5/);
    const zh = describePlan(plans[6][1], 'zh');
    expect(zh[1]).toContain('域控制器');
    expect(zh[2]).toMatch(/^技术说明：/);
  });

  it('configure-licensing names the mode and server and plans no restart', () => {
    const en = describePlan(plans[4][1], 'en').join('\n');
    expect(en).toMatch(/set Remote Desktop licensing to Per Device and use the license server ls1/);
    expect(en).not.toMatch(/consent/);
    expect(describePlan(plans[4][1], 'zh').join('\n')).toContain('每设备');
  });
});

import { Cause, LeftCause, Plan, PlanAction } from '../plan';
import { Outcome } from '../remediation-state';
import { Lang } from './lang';
import { FAILURE_TEXT, REFUSAL_TEXT, actionText, causesText, isFailureReason, isRefusalReason } from './texts';
import { ChangeForText, changesParagraph, pendingOnServer } from './change-text';
import { technicalZh } from './technical-zh';

/** Failures after which a change may have happened although none was recorded: never say "no setting was changed". */
const MAY_HAVE_CHANGED: ReadonlySet<string> = new Set(['role_removal_unfinished', 'send_outcome_unknown']);

/**
 * The diagnose preview for a console user: what a fix would change and why, or why rdpfix
 * refuses, one sentence per line. Planner notes and refusal details are English technical text
 * (exact setting names); in zh they are kept and labelled as technical details.
 */
export function describePlan(plan: Plan, lang: Lang): string[] {
  const zh = lang === 'zh';
  const lines: string[] = [];
  const tech = (s: string) => (zh ? technicalZh(s) : s);

  switch (plan.decision) {
    case 'healthy':
      lines.push(
        zh
          ? 'rdpfix 未发现需要修复的问题：没有单会话限制阻止登录，也没有因远程桌面授权问题而拒绝登录。如果仍然无法远程连接，请检查安全组、防火墙和网络。'
          : 'rdpfix found nothing to fix: no single-session restriction blocks a logon and the server is not locked out by Remote Desktop licensing. If Remote Desktop still fails, check the security group, firewall and network.',
      );
      break;
    case 'unsupported':
      lines.push(zh ? 'rdpfix 无法处理这台服务器：不支持该操作系统或所请求的修复方式。' : 'rdpfix cannot work on this server: the operating system, or the requested fix on it, is not supported.');
      lines.push(tech(plan.detail));
      break;
    case 'refuse':
      if (plan.causes.length > 0) {
        lines.push(
          zh
            ? `rdpfix 发现的问题：${causesText(plan.causes, 'zh')}。但 rdpfix 不会修改这台服务器。`
            : `rdpfix found that ${causesText(plan.causes, 'en')}. It will not change this server.`,
        );
      } else {
        lines.push(zh ? 'rdpfix 未发现远程桌面授权或单会话限制问题，不会修改这台服务器。' : 'rdpfix found no licensing or single-session problem and will not change this server.');
      }
      lines.push(REFUSAL_TEXT[plan.reason][lang]);
      lines.push(tech(plan.detail));
      for (const l of plan.left ?? []) if (!l.present) lines.push(leftLine(l, lang));
      break;
    case 'act': {
      lines.push(
        zh
          ? `rdpfix 发现的问题：${causesText(plan.causes, 'zh')}。`
          : `rdpfix found that ${causesText(plan.causes, 'en')}.`,
      );
      for (const a of plan.actions) {
        lines.push(zh ? `修复时 rdpfix ${actionText(a, 'zh', 'would')}。` : `rdpfix would ${actionText(a, 'en', 'would')}.`);
      }
      if (plan.needsReboot && !plan.actions.some((a) => a.kind === 'remove-rdsh-role')) {
        // Reboot-only plan: an earlier role removal only waits for its restart.
        lines.push(
          zh
            ? '之前已执行的远程桌面会话主机角色删除正在等待重启，rdpfix 将重启服务器以完成删除，恢复默认的两个免费远程桌面管理连接。'
            : 'An earlier removal of the Remote Desktop Session Host role is waiting for a restart; rdpfix would restart the server to complete it and return to the two free administrator sessions.',
        );
      }
      if (plan.actions.some((a) => a.kind === 'remove-rdsh-role')) {
        lines.push(
          zh
            ? '删除远程桌面会话主机角色无法由 rdpfix 回滚：重新安装该角色不会恢复授权宽限期，授权问题会立即重现。'
            : 'Removing the Remote Desktop Session Host role cannot be rolled back by rdpfix: reinstalling it would not restore the licensing grace period and would bring the lockout back.',
        );
      }
      if (plan.needsReboot) {
        lines.push(
          zh
            ? '修改之后服务器会重启。重启会断开服务器上所有已登录的会话，未保存的工作将丢失。在您同意（allowReboot 或批准）之前 rdpfix 不会做任何修改；一次同意同时涵盖修改和重启。'
            : 'The server restarts after the change. The restart ends every open session on the server and unsaved work is lost. rdpfix changes nothing before your consent (allowReboot or approval); one consent covers the change and the restart together.',
        );
      }
      for (const l of plan.left ?? []) lines.push(leftLine(l, lang));
      if (plan.causes.includes('licensing_lockout')) {
        // §10.5: say what we never do, so nobody expects a grace-period "reset".
        lines.push(
          zh
            ? 'rdpfix 不会重置授权宽限期，也不会提高连接数限制，这些做法违反微软授权条款。'
            : 'rdpfix never resets the licensing grace period or raises connection limits; both would break the licence terms.',
        );
      }
      break;
    }
  }
  for (const n of plan.notes) lines.push(tech(n));
  return lines;
}

/** One line for a cause the plan leaves alone: why, in plain words. */
function leftLine(l: LeftCause, lang: Lang): string {
  const zh = lang === 'zh';
  const what = CAUSE_NAME[l.cause][lang];
  if (!l.present) {
    return zh ? `无法确认是否存在${what}：部分信息无法读取，rdpfix 不会据此修改服务器。` : `rdpfix could not rule out ${what}: some facts could not be read, and rdpfix does not change a server on guesses.`;
  }
  const why = isRefusalReason(l.reason) ? REFUSAL_TEXT[l.reason][lang] : l.reason;
  return zh ? `rdpfix 不会处理${what}：${why}` : `rdpfix leaves ${what} unchanged: ${why}`;
}

const CAUSE_NAME: Record<Cause, Record<Lang, string>> = {
  single_session: { en: 'the single-session restriction', zh: '“限制每个用户只能进行一个会话”设置' },
  licensing_lockout: { en: 'the licensing lockout', zh: '远程桌面授权问题' },
};

export interface RemediationSummaryInput {
  instanceId: string;
  outcome: Outcome | null;
  /** RefusalReason when refused, FailureReason when failed; otherwise usually null. */
  reason: string | null;
  causes: Cause[];
  actions: PlanAction[];
  rebooted: boolean;
  refusalDetail?: string | null;
  /** Recorded changes; [] = known that nothing changed, undefined = not known (then not mentioned). */
  changes?: ChangeForText[];
  /** The remediation's state: `awaiting_approval` gets its own text (what approving will do). */
  state?: string;
  /** While awaiting approval: approve before this time (ISO 8601). */
  approvalExpiresAt?: string | null;
  /** The plan restarts the server (after its changes, or alone to finish an earlier role removal). */
  needsReboot?: boolean;
  /** Causes the plan left alone, and why (issue 7: say what was fixed and what was left). */
  left?: LeftCause[];
}

/** A paste-ready paragraph for a support ticket, in English or Simplified Chinese. */
export function summarizeRemediation(input: RemediationSummaryInput, lang: Lang): string {
  if (input.state === 'awaiting_approval' && input.outcome === null) return awaitingApproval(input, lang);
  return lang === 'zh' ? summarizeZh(input) : summarizeEn(input);
}

/** Waiting for consent: nothing has changed yet; say what approving will do, and until when. */
function awaitingApproval(i: RemediationSummaryInput, lang: Lang): string {
  const zh = lang === 'zh';
  const s: string[] = [];
  const until = i.approvalExpiresAt ? i.approvalExpiresAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : null;
  const done = changesText(i.changes, lang);
  // The role removal's own text already says the server restarts.
  const restartAfter = i.needsReboot && i.actions.length > 0 && !i.actions.some((a) => a.kind === 'remove-rdsh-role');
  if (zh) {
    s.push(`实例 ${i.instanceId} 的修复正在等待批准，${done ? '除下列已记录的修改外，' : ''}rdpfix 尚未修改服务器。`);
    if (i.causes.length) s.push(`原因：${causesText(i.causes, 'zh')}。`);
    if (done) s.push(done);
    const what = i.actions.length ? listActions(i.actions, 'zh', 'would') : '重启服务器，完成之前已执行的远程桌面会话主机角色删除';
    s.push(`批准后，rdpfix 会先重新诊断服务器（情况有变则不做修改），然后${what}${restartAfter ? '，修改完成后重启服务器' : ''}。`);
    if (i.needsReboot) s.push('重启会断开服务器上所有已登录的会话，未保存的工作将丢失。');
    s.push(until ? `请在 ${until} 之前批准，否则本次修复将过期结束，不做任何修改。` : '未批准则不会做任何修改。');
    return s.join('');
  }
  s.push(`The repair of instance ${i.instanceId} is waiting for approval; ${done ? 'apart from the changes recorded below, ' : ''}rdpfix has not changed the server yet.`);
  if (i.causes.length) s.push(`${i.causes.length > 1 ? 'Causes' : 'Cause'}: ${causesText(i.causes, 'en')}.`);
  if (done) s.push(done);
  const what = i.actions.length ? listActions(i.actions, 'en', 'would') : 'restart the server to complete an earlier removal of the Remote Desktop Session Host role';
  s.push(`Approving lets rdpfix diagnose the server again (it changes nothing if the server changed meanwhile), then ${what}${restartAfter ? ', and restart the server after the change' : ''}.`);
  if (i.needsReboot) s.push('The restart ends every open session on the server; unsaved work is lost.');
  s.push(until ? `Approve before ${until}; after that the remediation expires without changing anything.` : 'Nothing changes without the approval.');
  return s.join(' ');
}

function changesText(changes: RemediationSummaryInput['changes'], lang: Lang, rebooted = false): string | null {
  return changesParagraph(changes, lang, rebooted);
}

function listActions(actions: PlanAction[], lang: Lang, tense: 'would' | 'did'): string {
  return actions.map((a) => actionText(a, lang, tense)).join(lang === 'zh' ? '；' : '; ');
}

function summarizeEn(i: RemediationSummaryInput): string {
  const id = i.instanceId;
  const s: string[] = [];
  const found = i.causes.length > 0 ? `${i.causes.length > 1 ? 'Causes' : 'Cause'}: ${causesText(i.causes, 'en')}.` : null;
  const changes = changesText(i.changes, 'en', i.rebooted);
  const reboot = i.rebooted ? 'The server was restarted.' : 'The server was not restarted.';

  switch (i.outcome) {
    case 'fixed':
      s.push(`rdpfix repaired Remote Desktop on instance ${id}.`);
      if (found) s.push(found);
      if (i.actions.length > 0) s.push(`What was done: rdpfix ${listActions(i.actions, 'en', 'did')}.`);
      else if (i.rebooted) s.push('What was done: rdpfix restarted the server to complete an earlier removal of the Remote Desktop Session Host role.');
      s.push(reboot);
      s.push('A final check verified the configuration: the addressed cause is gone, the Remote Desktop Services service is running, the RDP listener is up and the Windows Firewall admits RDP. It checks the configuration, not an actual logon.');
      for (const l of i.left ?? []) s.push(leftLine(l, 'en'));
      break;
    case 'already_healthy':
      s.push(`rdpfix checked instance ${id} and found nothing to fix: no single-session restriction blocks a logon and the server is not locked out by Remote Desktop licensing. Nothing was changed.`);
      s.push('If Remote Desktop still fails, check the security group, firewall, network and the password.');
      break;
    case 'diagnosed':
      s.push(`rdpfix diagnosed instance ${id} (read-only; nothing was changed).`);
      if (found) s.push(found);
      else s.push('It found no licensing lockout and no single-session restriction.');
      if (isRefusalReason(i.reason)) {
        s.push(`A fix would be refused: ${REFUSAL_TEXT[i.reason].en}`);
        if (i.refusalDetail) s.push(`Details: ${i.refusalDetail}`);
      } else if (i.actions.length > 0) {
        s.push(`A fix would ${listActions(i.actions, 'en', 'would')}.`);
      }
      for (const l of i.left ?? []) s.push(leftLine(l, 'en'));
      break;
    case 'refused':
      s.push(`rdpfix did not change instance ${id}.`);
      if (found) s.push(found);
      s.push(isRefusalReason(i.reason) ? REFUSAL_TEXT[i.reason].en : `Reason: ${i.reason ?? 'not given'}.`);
      if (i.refusalDetail) s.push(`Details: ${i.refusalDetail}`);
      break;
    case 'failed':
      s.push(`rdpfix could not complete the repair of instance ${id}.`);
      s.push(isFailureReason(i.reason) ? FAILURE_TEXT[i.reason].en : `Reason: ${i.reason ?? 'not given'}.`);
      if (found) s.push(found);
      if (i.actions.length > 0) s.push(`The planned fix was to ${listActions(i.actions, 'en', 'would')}.`);
      if (i.refusalDetail) s.push(`Details: ${i.refusalDetail}`);
      if (changes) s.push(changes);
      else if (i.changes && !MAY_HAVE_CHANGED.has(i.reason ?? '')) s.push('No setting was changed.');
      if (i.rebooted) s.push(reboot);
      if (i.reason !== 'role_removal_unfinished') {
        const pending = pendingOnServer(i.changes, i.rebooted, 'en');
        if (pending) s.push(pending);
      }
      break;
    case 'cancelled': {
      s.push(`The repair of instance ${id} was cancelled before it finished; start it again to retry.`);
      if (found) s.push(found);
      if (changes) s.push(changes);
      else if (i.changes) s.push('No setting was changed.');
      if (i.rebooted) s.push(reboot);
      const pending = pendingOnServer(i.changes, i.rebooted, 'en');
      if (pending) s.push(pending);
      else if (i.changes) s.push('Nothing is left pending on the server.');
      break;
    }
    case 'rolled_back':
      s.push(`The earlier fix on instance ${id} was rolled back: the recorded settings were put back and read back as before.`);
      if (changes) s.push(changes);
      break;
    case null:
      s.push(`The repair of instance ${id} is still in progress.`);
      if (found) s.push(found);
      break;
  }
  if (changes && (i.outcome === 'fixed')) s.push(changes);
  return s.join(' ');
}

function summarizeZh(i: RemediationSummaryInput): string {
  const id = i.instanceId;
  const s: string[] = [];
  const found = i.causes.length > 0 ? `原因：${causesText(i.causes, 'zh')}。` : null;
  const changes = changesText(i.changes, 'zh', i.rebooted);
  const reboot = i.rebooted ? '服务器已重启。' : '服务器未重启。';

  switch (i.outcome) {
    case 'fixed':
      s.push(`rdpfix 已修复实例 ${id} 的远程桌面连接问题。`);
      if (found) s.push(found);
      if (i.actions.length > 0) s.push(`处理内容：${listActions(i.actions, 'zh', 'did')}。`);
      else if (i.rebooted) s.push('处理内容：重启服务器，完成之前已执行的远程桌面会话主机角色删除。');
      s.push(reboot);
      s.push('最终检查确认了服务器配置：已处理的问题原因已消除，远程桌面服务（TermService）正在运行，RDP 监听正常，Windows 防火墙允许 RDP 连接。该检查验证的是配置，并未实际登录。');
      for (const l of i.left ?? []) s.push(leftLine(l, 'zh'));
      break;
    case 'already_healthy':
      s.push(`rdpfix 检查了实例 ${id}，未发现需要修复的问题：没有单会话限制阻止登录，也没有因远程桌面授权问题而拒绝登录。未做任何修改。`);
      s.push('如果仍然无法远程连接，请检查安全组、防火墙、网络和登录密码。');
      break;
    case 'diagnosed':
      s.push(`rdpfix 已诊断实例 ${id}（只读检查，未做任何修改）。`);
      if (found) s.push(found);
      else s.push('未发现远程桌面授权问题或单会话限制。');
      if (isRefusalReason(i.reason)) {
        s.push(`如执行修复将被拒绝：${REFUSAL_TEXT[i.reason].zh}`);
        if (i.refusalDetail) s.push(technicalZh(i.refusalDetail));
      } else if (i.actions.length > 0) {
        s.push(`修复时 rdpfix ${listActions(i.actions, 'zh', 'would')}。`);
      }
      for (const l of i.left ?? []) s.push(leftLine(l, 'zh'));
      break;
    case 'refused':
      s.push(`rdpfix 未修改实例 ${id}。`);
      if (found) s.push(found);
      s.push(isRefusalReason(i.reason) ? REFUSAL_TEXT[i.reason].zh : `原因代码：${i.reason ?? '未提供'}。`);
      if (i.refusalDetail) s.push(technicalZh(i.refusalDetail));
      break;
    case 'failed':
      s.push(`rdpfix 未能完成实例 ${id} 的修复。`);
      s.push(isFailureReason(i.reason) ? FAILURE_TEXT[i.reason].zh : `失败原因代码：${i.reason ?? '未提供'}。`);
      if (found) s.push(found);
      if (i.actions.length > 0) s.push(`计划的处理：${listActions(i.actions, 'zh', 'would')}。`);
      if (i.refusalDetail) s.push(technicalZh(i.refusalDetail));
      if (changes) s.push(changes);
      else if (i.changes && !MAY_HAVE_CHANGED.has(i.reason ?? '')) s.push('未修改任何设置。');
      if (i.rebooted) s.push(reboot);
      if (i.reason !== 'role_removal_unfinished') {
        const pending = pendingOnServer(i.changes, i.rebooted, 'zh');
        if (pending) s.push(pending);
      }
      break;
    case 'cancelled': {
      s.push(`实例 ${id} 的修复在完成前已取消，如需修复请重新发起。`);
      if (found) s.push(found);
      if (changes) s.push(changes);
      else if (i.changes) s.push('未修改任何设置。');
      if (i.rebooted) s.push(reboot);
      const pending = pendingOnServer(i.changes, i.rebooted, 'zh');
      if (pending) s.push(pending);
      else if (i.changes) s.push('服务器上没有待完成的操作。');
      break;
    }
    case 'rolled_back':
      s.push(`实例 ${id} 上之前的修复已回滚：记录的设置已恢复，并已读回确认与修复前一致。`);
      if (changes) s.push(changes);
      break;
    case null:
      s.push(`实例 ${id} 的修复仍在进行中。`);
      if (found) s.push(found);
      break;
  }
  if (changes && i.outcome === 'fixed') s.push(changes);
  return s.join('');
}

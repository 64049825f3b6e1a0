import { PlanAction } from '../plan';
import { Lang } from './lang';
import { FAILURE_TEXT, REFUSAL_TEXT, isFailureReason, isRefusalReason } from './texts';
import { technicalZh } from './technical-zh';

/** What an approval covers, in a few words (the `approved` timeline event; issue 7 leftover). */
export function approvalText(actions: readonly PlanAction[], needsReboot: boolean, lang: Lang): string {
  const zh = lang === 'zh';
  const parts = actions.map((a) => shortAction(a, lang));
  if (parts.length === 0) {
    if (!needsReboot) return zh ? '已批准' : 'approved';
    return zh ? '已批准：重启服务器，完成之前已执行的远程桌面会话主机角色删除' : 'approved: restarting the server to complete the earlier removal of the Remote Desktop Session Host role';
  }
  if (zh) return `已批准：${parts.join('，并')}${needsReboot ? '，然后重启服务器' : ''}`;
  return `approved: ${parts.join(' and ')}${needsReboot ? ', then restarting the server' : ''}`;
}

function shortAction(a: PlanAction, lang: Lang): string {
  const zh = lang === 'zh';
  switch (a.kind) {
    case 'allow-multiple-sessions':
      return zh ? '关闭“限制每个用户只能进行一个会话”（fSingleSessionPerUser = 0）' : 'turning off "Restrict each user to a single session" (fSingleSessionPerUser = 0)';
    case 'remove-rdsh-role':
      return zh ? '删除远程桌面会话主机角色' : 'removing the Remote Desktop Session Host role';
    case 'configure-licensing':
      return zh
        ? `将远程桌面授权模式设置为${a.licensingMode === 'per-user' ? '每用户' : '每设备'}并指定授权服务器 ${a.licenseServer}`
        : `setting Remote Desktop licensing to ${a.licensingMode === 'per-user' ? 'Per User' : 'Per Device'} with license server ${a.licenseServer}`;
    default:
      return (a as { kind: string }).kind;
  }
}

/** A timeline event as the texts read it. */
export interface TimelineEventForText {
  type: string;
  message: string;
  step?: string | null;
  data?: Record<string, unknown> | null;
}

const STEP_ZH: Record<string, string> = { precheck: '预检查', diagnose: '诊断', plan: '制定方案', apply: '执行修复', reboot: '重启', verify: '验证', notify: '通知', done: '完成' };
const MODE_ZH: Record<string, string> = { diagnose: '诊断', fix: '修复', rollback: '回滚' };
const SOURCE_ZH: Record<string, string> = { ticket: '工单', console: '控制台', campaign: '批量任务', api: 'API' };
const STATUS_ZH: Record<string, string> = {
  succeeded: '成功',
  failed: '失败',
  timed_out: '超时',
  undelivered: '未送达',
  cancelled: '已取消',
  rejected: '被拒绝',
  running: '运行中',
  pending: '等待中',
};
const OUTCOME_ZH: Record<string, string> = { fixed: '已修复', already_healthy: '无需修复', diagnosed: '诊断完成', refused: '拒绝修复', failed: '修复失败', cancelled: '已取消', rolled_back: '已回滚' };
const ACTION_ZH: Record<string, string> = {
  'allow-multiple-sessions': '关闭“限制每个用户只能进行一个会话”',
  'remove-rdsh-role': '删除远程桌面会话主机角色',
  'configure-licensing': '配置远程桌面授权',
  'restore-single-session': '恢复“限制每个用户只能进行一个会话”的原值',
  'restore-licensing': '恢复远程桌面授权的原配置',
};
const actionsZh = (list: string) =>
  list
    .split(/,\s*/)
    .filter(Boolean)
    .map((k) => ACTION_ZH[k] ?? k)
    .join('，');

/** A command's purpose (`diagnose`, `apply:0:remove-rdsh-role`, `apply:1:configure-licensing:check`) in Chinese. */
function purposeZh(p: string): string {
  const apply = /^apply:(\d+):([\w-]+)(:check)?$/.exec(p);
  if (apply) return `${apply[3] ? '检查' : '执行'}第 ${Number(apply[1]) + 1} 项修改（${ACTION_ZH[apply[2]] ?? apply[2]}）`;
  return STEP_ZH[p] ?? p;
}

type Rule = [RegExp, (m: RegExpMatchArray, e: TimelineEventForText) => string];

/** English timeline messages (written by the engine) in Chinese, by event type. */
const RULES: Record<string, Rule[]> = {
  created: [[/^(\w+) requested by (\w+)(?: \(rollback of (\S+)\))?$/, (m) => `已提交${MODE_ZH[m[1]] ?? m[1]}请求（来源：${SOURCE_ZH[m[2]] ?? m[2]}）${m[3] ? `，回滚修复 ${m[3]}` : ''}`]],
  started: [[/.*/, () => '后台任务已开始处理']],
  step_started: [[/^step (\w+) started$/, (m) => `开始步骤：${STEP_ZH[m[1]] ?? m[1]}`]],
  agent_online: [[/^agent online \((.*)\)$|^agent online$/, (m) => `实例上的代理（云助手 / SSM Agent）在线${m[1] ? `（${m[1]}）` : ''}`]],
  command_requested: [
    [
      /^requested (\S+) v(\d+) \(([^;() ]+)(?: attempt (\d+))?(; batched with identical requests)?\)$/,
      (m) => `准备下发脚本 ${m[1]}（版本 ${m[2]}，用途：${purposeZh(m[3])}${m[4] ? `，第 ${m[4]} 次` : ''}${m[5] ? '，与相同的请求合并下发' : ''}）`,
    ],
  ],
  command_sent: [[/^sent (\S+) as command (\S+)$/, (m) => `已通过命令通道下发脚本 ${m[1]}（命令 ID：${m[2]}）`]],
  command_recovered: [[/^found (\S+) already sent as command (\S+);/, (m) => `脚本 ${m[1]} 之前已下发（命令 ID：${m[2]}），不会重复下发`]],
  command_not_found: [[/^(\S+) never reached the channel;/, (m) => `脚本 ${m[1]} 未送达命令通道，现在重新下发`]],
  command_finished: [[/^(\S+) ended (\w+) \((.*), exit (.*)\)$/, (m) => `脚本 ${m[1]} 执行结束：${STATUS_ZH[m[2]] ?? m[2]}（云端状态 ${m[3]}，退出码 ${m[4]}）`]],
  command_abandoned: [[/^(\S+): (.*); cancelled$/, (m) => `脚本 ${m[1]} 已取消（技术说明：${m[2]}）`]],
  diagnosed: [
    [/^diagnosis facts recorded; could not be read: (.*)$/, (m) => `诊断完成，已记录诊断信息；以下信息无法读取：${m[1]}`],
    [/^diagnosis facts recorded$/, () => '诊断完成，已记录诊断信息'],
  ],
  planned: [
    [/^plan: (.*?)( \+ reboot)?(?: \((.*)\))?$/, (m) => `修复方案：${actionsZh(m[1]) || '无需修改'}${m[2] ? '，然后重启服务器' : ''}${m[3] ? `（${m[3]}）` : ''}`],
    [/^rollback: (.*)$/, (m) => `回滚方案：${actionsZh(m[1])}`],
  ],
  approval_required: [
    [/the approval covers (.*) and the restart$/, (m) => `修复需要重启服务器：批准之前不会做任何修改（POST /v1/remediations/:id/approve）。批准同时涵盖${m[1] === 'completing an earlier role removal' ? '完成之前的角色删除' : actionsZh(m[1])}和重启`],
    [/.*/, () => '修复需要重启服务器，正在等待批准（POST /v1/remediations/:id/approve）'],
  ],
  approved: [
    [/; deadline moved to (\S+) /, (m, e) => `${approvedZh(e)}；为留出重启和验证的时间，截止时间已延至 ${m[1]}`],
    [/.*/, (_m, e) => approvedZh(e)],
  ],
  rediagnose: [
    [/^held at the campaign's gate for over (\d+) s/, (m) => `已在批量任务的放行闸口等待超过 ${m[1]} 秒：在第一次修改之前重新诊断服务器`],
    [/.*/, () => '已批准：在第一次修改之前重新诊断服务器'],
  ],
  held_at_gate: [
    [
      /^plan: (.*?)( \+ reboot)?; held until/,
      (m) => `修复方案：${m[1] === 'restart only' ? '仅重启服务器' : actionsZh(m[1])}${m[2] ? '，然后重启服务器' : ''}；在批量任务的逐步放量允许之前暂不修改（尚未做任何修改）`,
    ],
  ],
  change_applied: [
    [/^(\S+) done$/, (m) => `已完成：${ACTION_ZH[m[1]] ?? m[1]}`],
    [/Windows servicing completed it/, () => 'Windows 已在后台完成远程桌面会话主机角色的删除，继续执行已批准的重启'],
  ],
  applied: [[/^all (\d+) change\(s\) applied$/, (m) => `全部 ${m[1]} 项修改已完成`]],
  reboot_scheduled: [[/^restart scheduled in (\d+)s/, (m) => `已安排 ${m[1]} 秒后重启服务器，等待实例代理下线并重新上线`]],
  agent_back: [
    [/^agent went offline and is back$/, () => '服务器已重启，实例代理已重新上线'],
    [/^agent online after the restart delay$/, () => '重启等待时间已过，实例代理在线'],
    [/already restarted since the diagnosis \(boot time (.*)\)/, (m) => `诊断之后服务器已经重启过（启动时间 ${m[1]}），不再重复重启`],
  ],
  verify_retry: [
    [/^verify did not complete after the reboot; trying again$/, () => '重启后验证未完成，正在重试'],
    [/^(.*); looking again$/, (m) => `验证暂未通过，稍后再次检查（技术说明：${m[1]}）`],
  ],
  cancel_requested: [[/.*/, () => '已请求取消；后台任务会在下一个安全点停止（不会在修改进行中途停止）']],
  requeued: [[/.*/, () => '后台协调任务已将缺少队列任务的修复重新加入队列']],
  rollback_requested: [[/^rollback started as (\S+)$/, (m) => `已发起回滚，回滚记录为 ${m[1]}`]],
  finished: [[/.*/, (_m, e) => finishedZh(e)]],
  owner_rechecked: [[/.*/, () => '批准后已再次核对：云上的实例清单中该实例仍属于同一租户']],
  command_cancel_requested: [
    [/^(\S+) \(command (\S+)\) had not started on the server; (cancel asked of the cloud|the cloud could not be asked to cancel it);/, (m) => `脚本 ${m[1]}（命令 ID：${m[2]}）尚未在服务器上开始执行；${m[3] === 'cancel asked of the cloud' ? '已请求云端取消' : '无法请求云端取消'}，正在等待其最终状态`],
  ],
  command_resent: [[/^(\S+) \(read-only\) was not found by its marker after (\d+) lookup\(s\) in (\d+) s;/, (m) => `只读脚本 ${m[1]} 在 ${m[3]} 秒内 ${m[2]} 次按标记查找都没有找到，重新下发`]],
  command_send_fenced: [[/^(\S+) was sent as command (\S+), but the run had meanwhile moved to (\S+);/, (m) => `脚本 ${m[1]} 已下发（命令 ID：${m[2]}），但该执行记录已变为 ${m[3]}；本次执行停止`]],
  command_send_unknown: [[/^the answer to the send of (\S+) was lost \((.*)\); looking it up by its marker (\S+) instead of sending it again$/, (m) => `下发脚本 ${m[1]} 的响应丢失（${m[2]}）；按标记 ${m[3]} 查找，而不是重复下发`]],
  command_send_outcome_unknown: [[/^rdpfix cannot tell whether (\S+) reached the server:/, (m) => `无法确认脚本 ${m[1]} 是否已送达服务器：下发的响应丢失，且在限定时间内也没有在命令通道的列表中找到它。rdpfix 不会在结果未知时重复执行会修改服务器的操作`]],
  command_settled: [[/^(\S+) ended (\w+) before the remediation finished$/, (m) => `脚本 ${m[1]} 在修复结束前已执行结束：${STATUS_ZH[m[2]] ?? m[2]}`]],
  command_batched: [[/^(\S+) goes out in batch (\S+) with (\d+) other instance\(s\)$/, (m) => `脚本 ${m[1]} 与另外 ${m[3]} 台实例合并为一次下发（批次 ${m[2]}）`]],
  command_rejected: [[/^(.*)$/, (m) => `命令通道拒绝了发往该实例的脚本，其余实例照常下发（技术说明：${m[1]}）`]],
  command_withdrawn: [[/^(\S+) was not sent: the remediation is ending$/, (m) => `脚本 ${m[1]} 未下发：本次修复正在结束`]],
  ending: [
    [/^ending \((\w+)\): waiting for the change in flight to end first;/, (m) => `正在结束（${m[1]}）：先等待进行中的修改完成，期间该实例保持占用`],
    [/^ending \((\w+)\): nothing in flight$/, (m) => `正在结束（${m[1]}）：没有进行中的操作`],
    [/^ending \((\w+)\): (.*)$/, (m) => `正在结束（${m[1]}）（技术说明：${m[2]}）`],
  ],
};

/** The event types that have a Chinese text (a test keeps this in step with the engine's events). */
export const TIMELINE_TYPES_IN_ZH: readonly string[] = Object.keys(RULES);

function approvedZh(e: TimelineEventForText): string {
  const d = e.data ?? {};
  if (Array.isArray(d.approvedActions)) return approvalText(d.approvedActions as PlanAction[], d.restart === true, 'zh');
  return '已批准重启';
}

function finishedZh(e: TimelineEventForText): string {
  const outcome = String(e.data?.outcome ?? /^finished: (\w+)/.exec(e.message)?.[1] ?? '');
  const reason = (e.data?.reason as string | null | undefined) ?? /^finished: \w+ \((\w+)\)/.exec(e.message)?.[1] ?? null;
  const why = isRefusalReason(reason) ? REFUSAL_TEXT[reason].zh : isFailureReason(reason) ? FAILURE_TEXT[reason].zh : reason ? `原因代码：${reason}` : '';
  return `已结束：${OUTCOME_ZH[outcome] ?? outcome}${why ? `。${why}` : ''}`;
}

/**
 * A timeline event's message in the reader's language. Stored messages are English (the audit
 * record); zh readers get them in Chinese, with a technical fallback for anything not known.
 */
export function timelineMessage(e: TimelineEventForText, lang: Lang): string {
  if (lang !== 'zh') return e.message;
  for (const [re, render] of RULES[e.type] ?? []) {
    const m = e.message.match(re);
    if (m) return render(m, e);
  }
  return technicalZh(e.message);
}

import { describePlan, Lang, Plan, RollbackPlan, summarizeRemediation } from '@rdpfix/domain';
import type { RemediationEntity } from '@rdpfix/persistence';

/** The paste-ready text for a ticket, and for diagnose runs the plain-words preview. */
export function remediationTexts(r: RemediationEntity, lang: Lang): { summary: string; preview: string[] | null } {
  if (r.mode === 'rollback') return { summary: rollbackSummary(r, lang), preview: null };
  const plan = r.plan as Plan | null;
  const act = plan && plan.decision === 'act' ? plan : null;
  const summary = summarizeRemediation(
    {
      instanceId: r.instanceId,
      outcome: r.outcome,
      reason: r.reason ?? (plan && plan.decision === 'refuse' ? plan.reason : null),
      causes: plan && 'causes' in plan ? plan.causes : [],
      actions: act ? act.actions : [],
      rebooted: r.rebooted,
      refusalDetail: r.reasonDetail ?? (plan && plan.decision === 'refuse' ? plan.detail : null),
      changes: r.state === 'finished' || r.state === 'awaiting_approval' ? r.changes : undefined,
      state: r.state,
      approvalExpiresAt: r.approvalExpiresAt ? new Date(r.approvalExpiresAt).toISOString() : null,
      needsReboot: !!(act && act.needsReboot),
      left: plan && 'left' in plan ? plan.left : undefined,
    },
    lang,
  );
  return { summary, preview: plan ? describePlan(plan, lang) : null };
}

/** Rollbacks have their own short text: what was put back, or why not. */
function rollbackSummary(r: RemediationEntity, lang: Lang): string {
  const plan = r.plan as RollbackPlan | null;
  const notes = plan?.notes.length ? ` ${plan.notes.join(' ')}` : '';
  const pendingRestart = r.changes.some((c) => c.restartNeeded === true);
  if (lang === 'zh') {
    if (r.outcome === 'rolled_back' && pendingRestart) return `实例 ${r.instanceId} 上之前的修复已回滚：记录的设置已写回，但授权模式需要重启 TermService 或服务器后才会在 WMI 中生效（rdpfix 未重启）。${notes}`;
    if (r.outcome === 'rolled_back') return `实例 ${r.instanceId} 上之前的修复已回滚，记录的设置已恢复并读回确认。${notes}`;
    if (r.outcome === 'refused') return `实例 ${r.instanceId} 的回滚未执行：${r.reasonDetail ?? r.reason}`;
    if (r.outcome) return `实例 ${r.instanceId} 的回滚结果：${r.outcome}（${r.reason ?? ''}）${r.reasonDetail ?? ''}`;
    return `实例 ${r.instanceId} 的回滚正在进行中。`;
  }
  if (r.outcome === 'rolled_back' && pendingRestart) return `The earlier fix on instance ${r.instanceId} was rolled back: the recorded settings were written back, but the licensing mode takes effect in WMI only after TermService or the server restarts (rdpfix did not restart anything).${notes}`;
  if (r.outcome === 'rolled_back') return `The earlier fix on instance ${r.instanceId} was rolled back: the recorded settings were put back and read back.${notes}`;
  if (r.outcome === 'refused') return `The rollback on instance ${r.instanceId} was not carried out: ${r.reasonDetail ?? r.reason}`;
  if (r.outcome) return `The rollback on instance ${r.instanceId} ended ${r.outcome}${r.reason ? ` (${r.reason})` : ''}. ${r.reasonDetail ?? ''}`.trim();
  return `The rollback on instance ${r.instanceId} is in progress.`;
}

import { describePlan, Lang, Plan, summarizeRemediation } from '@rdpfix/domain';
import type { RemediationEntity } from '@rdpfix/persistence';

/** The paste-ready text for a ticket, and for diagnose runs the plain-words preview. */
export function remediationTexts(r: RemediationEntity, lang: Lang): { summary: string; preview: string[] | null } {
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
      changes: r.state === 'finished' ? r.changes : undefined,
    },
    lang,
  );
  return { summary, preview: plan ? describePlan(plan, lang) : null };
}

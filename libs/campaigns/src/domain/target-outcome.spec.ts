import { budgetOf, notStartedReason, TARGET_OUTCOMES, targetOutcomeOf } from './target-outcome';
import { harvestDecision } from './harvest';

describe('targetOutcomeOf: one mapping from a remediation to a campaign outcome', () => {
  it.each([
    [{ outcome: 'fixed', reason: null }, 'fixed', 'fixed', 'none'],
    [{ outcome: 'already_healthy', reason: null }, 'already_healthy', 'no_cause_found', 'none'],
    [{ outcome: 'refused', reason: 'domain_controller' }, 'refused', 'domain_controller', 'none'],
    [{ outcome: 'failed', reason: 'agent_offline' }, 'unreachable', 'agent_offline', 'unreachable'],
    [{ outcome: 'failed', reason: 'command_undelivered' }, 'unreachable', 'command_undelivered', 'unreachable'],
    [{ outcome: 'failed', reason: 'instance_not_found' }, 'unreachable', 'instance_not_found', 'unreachable'],
    [{ outcome: 'failed', reason: 'command_timed_out' }, 'timed_out', 'command_timed_out', 'error'],
    [{ outcome: 'failed', reason: 'deadline_exceeded' }, 'timed_out', 'deadline_exceeded', 'error'],
    [{ outcome: 'failed', reason: 'command_failed' }, 'failed', 'command_failed', 'error'],
    [{ outcome: 'failed', reason: 'verification_failed' }, 'failed', 'verification_failed', 'error'],
    [{ outcome: 'failed', reason: 'send_outcome_unknown' }, 'failed', 'send_outcome_unknown', 'error'],
    [{ outcome: 'failed', reason: null }, 'failed', 'unknown_failure', 'error'],
    [{ outcome: 'failed', reason: 'approval_expired' }, 'skipped', 'approval_expired', 'none'],
    [{ outcome: 'failed', reason: 'unsupported_os' }, 'skipped', 'unsupported_os', 'none'],
    [{ outcome: 'rolled_back', reason: null }, 'failed', 'unexpected_outcome_rolled_back', 'error'],
  ])('%j -> %s (%s), budget %s', (rem, outcome, reason, budget) => {
    expect(targetOutcomeOf(rem)).toEqual({ outcome, reason, budget });
  });

  it('a cancel is the campaign\'s when the campaign is cancelling, else the remediation\'s', () => {
    expect(targetOutcomeOf({ outcome: 'cancelled', reason: null }, { campaignCancelling: true })).toEqual({ outcome: 'cancelled', reason: 'campaign_cancelled', budget: 'none' });
    expect(targetOutcomeOf({ outcome: 'cancelled', reason: null })).toEqual({ outcome: 'cancelled', reason: 'remediation_cancelled', budget: 'none' });
  });

  it('diagnosed carries what a fix would do as its reason', () => {
    expect(targetOutcomeOf({ outcome: 'diagnosed', reason: null }, { planDecision: 'needs_fix' }).reason).toBe('needs_fix');
    expect(targetOutcomeOf({ outcome: 'diagnosed', reason: null }).reason).toBe('diagnosed');
  });

  it('only failed and timed_out consume maxErrors; only unreachable consumes maxUnreachable', () => {
    expect(TARGET_OUTCOMES.filter((o) => budgetOf(o) === 'error')).toEqual(['failed', 'timed_out']);
    expect(TARGET_OUTCOMES.filter((o) => budgetOf(o) === 'unreachable')).toEqual(['unreachable']);
  });

  it('names why targets never started', () => {
    expect(notStartedReason('cancelled', null)).toBe('campaign_cancelled');
    expect(notStartedReason('stopped', 'errors')).toBe('stopped_on_errors');
    expect(notStartedReason('stopped', 'unreachable')).toBe('stopped_on_unreachable');
  });
});

describe('harvestDecision', () => {
  const base = { approvalRequested: false, remOutcome: null, remReason: null };
  it('finishes a target whose remediation finished', () => {
    expect(harvestDecision({ ...base, targetState: 'running', remState: 'finished', remOutcome: 'fixed' }, { campaignCancelling: false })).toEqual({ kind: 'finish', mapped: { outcome: 'fixed', reason: 'fixed', budget: 'none' } });
  });
  it('parks a running target whose remediation waits for approval, unless the campaign approved it', () => {
    expect(harvestDecision({ ...base, targetState: 'running', remState: 'awaiting_approval' }, { campaignCancelling: false })).toEqual({ kind: 'move', to: 'parked' });
    expect(harvestDecision({ ...base, targetState: 'running', remState: 'awaiting_approval', approvalRequested: true }, { campaignCancelling: false })).toEqual({ kind: 'keep', reapprove: true });
    expect(harvestDecision({ ...base, targetState: 'parked', remState: 'awaiting_approval' }, { campaignCancelling: false })).toEqual({ kind: 'keep', reapprove: false });
  });
  it('a parked target approved elsewhere takes a slot again', () => {
    expect(harvestDecision({ ...base, targetState: 'parked', remState: 'running' }, { campaignCancelling: false })).toEqual({ kind: 'move', to: 'running' });
  });
  it('a missing remediation is a failure (never silently fine)', () => {
    expect(harvestDecision({ ...base, targetState: 'running', remState: null }, { campaignCancelling: false })).toEqual({ kind: 'finish', mapped: { outcome: 'failed', reason: 'remediation_missing', budget: 'error' } });
  });
});

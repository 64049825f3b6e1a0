import { Injectable } from '@nestjs/common';
import { unknownReads } from '@rdpfix/domain';
import { RemediationEntity } from '@rdpfix/persistence';
import type { DiagnoseResult } from '@rdpfix/runbook';
import { CommandRunner } from '../command-runner';
import { describeCommandFailure } from '../command-failure';
import { StepHandler, StepOutcome } from '../step-outcome';

/**
 * Step 2: the read-only diagnose script; its facts are stored before anything is decided.
 * Attempt 2 is the fresh look after an approval (consent first: the plan is checked again).
 */
@Injectable()
export class DiagnoseStep implements StepHandler {
  readonly step = 'diagnose' as const;

  constructor(private readonly runner: CommandRunner) {}

  async run(r: RemediationEntity): Promise<StepOutcome> {
    const attempt = r.stepData.diagnoseAttempt ?? 1;
    const st = await this.runner.run(r, { step: 'diagnose', purpose: 'diagnose', attempt, script: 'diagnose' });
    if (!st.done) return { kind: 'wait', ms: st.waitMs };
    const result = st.run.result as DiagnoseResult | null;
    if (st.run.status !== 'succeeded' || !result) {
      const f = describeCommandFailure(st.run);
      return { kind: 'finish', outcome: 'failed', reason: f.reason, detail: f.detail };
    }
    if (!result.ok) {
      return { kind: 'finish', outcome: 'failed', reason: 'command_failed', detail: `diagnose could not run: ${result.error ?? 'no reason given'}` };
    }
    const unknown = unknownReads(result.facts);
    return {
      kind: 'advance',
      patch: { step: 'plan', facts: result.facts, bootTimeBefore: new Date(result.facts.bootTime) },
      event: {
        type: 'diagnosed',
        message: unknown.length ? `diagnosis facts recorded; could not be read: ${unknown.join(', ')}` : 'diagnosis facts recorded',
        data: { os: result.facts.os, rdsh: result.facts.rdsh, graceDays: result.facts.graceDays, unknown: result.facts.unknown ?? {} },
      },
    };
  }
}

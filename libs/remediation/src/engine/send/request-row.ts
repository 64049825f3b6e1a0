import type { CommandRunEntity, RemediationEntity } from '@rdpfix/persistence';
import type { RenderedScript } from '@rdpfix/runbook';
import type { CommandSpec } from '../command-runner';

/** The `requested` command_runs row of one command, the same on the single and the batched path. */
export function requestRow(r: RemediationEntity, spec: CommandSpec, script: RenderedScript, parameters: Record<string, string | number>, channel: string): Partial<CommandRunEntity> {
  return {
    remediationId: r.id,
    step: spec.step,
    purpose: spec.purpose,
    attempt: spec.attempt,
    scriptName: script.name,
    scriptVersion: script.version,
    scriptSha256: script.sha256,
    parameters,
    channel,
    instanceId: r.instanceId,
    region: r.region,
    status: 'requested',
  };
}

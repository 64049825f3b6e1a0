import { randomUUID } from 'crypto';
import type { CommandRunEntity, RemediationEntity } from '@rdpfix/persistence';

let seq = 0;

/** A running campaign remediation's row for a repository-level test (a new instance id each call). */
export function runningRemediationRow(patch: Partial<RemediationEntity> = {}): Partial<RemediationEntity> {
  return {
    instanceId: `i-${(++seq).toString(16).padStart(17, '0')}`,
    region: 'eu-west-1',
    mode: 'fix',
    strategy: 'remove-role',
    source: 'campaign',
    state: 'running',
    step: 'diagnose',
    deadlineAt: new Date(Date.now() + 3_600_000),
    ...patch,
  };
}

/** A requested, batched diagnose run of `r` (the request a step makes). */
export function requestedRunRow(r: RemediationEntity, patch: Partial<CommandRunEntity> = {}): Partial<CommandRunEntity> {
  return {
    id: randomUUID(),
    remediationId: r.id,
    step: 'diagnose',
    purpose: 'diagnose',
    attempt: 1,
    scriptName: 'diagnose',
    scriptVersion: 1,
    scriptSha256: '0'.repeat(64),
    parameters: { a: 1 },
    channel: 'ssm',
    instanceId: r.instanceId,
    region: r.region,
    status: 'requested',
    batchKey: 'diagnose@1:x',
    ...patch,
  };
}

import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';

export interface FieldCommandResult {
  status: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling']);

/** Sends one PowerShell text to one test VM with AWS-RunPowerShellScript and waits for its end. */
export class FieldSsm {
  constructor(
    private readonly client: SSMClient,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async run(instanceId: string, scriptText: string, opts: { comment: string; executionTimeoutS?: number; waitS?: number }): Promise<FieldCommandResult> {
    const sent = await this.client.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunPowerShellScript',
        InstanceIds: [instanceId],
        Comment: opts.comment.slice(0, 100),
        Parameters: { commands: [scriptText], executionTimeout: [String(opts.executionTimeoutS ?? 600)] },
        TimeoutSeconds: 600,
      }),
    );
    const commandId = sent.Command?.CommandId;
    if (!commandId) throw new Error('SendCommand returned no CommandId');
    const until = Date.now() + (opts.waitS ?? 900) * 1000;
    for (let delay = 1000; Date.now() < until; delay = Math.min(delay * 2, 10_000)) {
      await this.sleep(delay);
      try {
        const r = await this.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
        if (r.Status && TERMINAL.has(r.Status)) {
          return { status: r.Status, stdout: r.StandardOutputContent ?? '', stderr: r.StandardErrorContent ?? '', exitCode: r.ResponseCode ?? null };
        }
      } catch (err) {
        // Right after a send the invocation is not visible yet.
        if ((err as Error).name !== 'InvocationDoesNotExist') throw err;
      }
    }
    return { status: 'RunnerGaveUp', stdout: '', stderr: `no result within ${opts.waitS ?? 900} s`, exitCode: null };
  }
}

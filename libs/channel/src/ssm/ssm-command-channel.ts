import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AwsStaticCredentials, boundedHttpHandler } from '../aws/aws-client-options';
import { ChannelBudget } from '../channel-budget';
import { ChannelError, ChannelThrottledError } from '../channel-errors';
import { CommandChannel, InstanceInfo, InvocationResult, MarkerWindow, SendRequest } from '../command-channel.port';
import { hasTruncationMarker, mapSsmStatus } from './ssm-status';

export interface SsmChannelOptions {
  /** undefined: the SDK's regional endpoint (ssm.<region>.amazonaws.com). */
  endpointFor: (region: string) => string | undefined;
  /** undefined: the SDK's default credential provider chain. */
  credentials?: AwsStaticCredentials;
  /** Connect and whole-request limits of every call (no slot waits on a dead endpoint). */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** SDK attempts for read calls; throttling is retried with the SDK's backoff + jitter. */
  maxAttempts: number;
  budget?: ChannelBudget;
}

/** SSM Agent's separator between stdout and stderr in a listing's combined Output. */
const ERROR_SEPARATOR = '\n----------ERROR-------\n';

const THROTTLE_NAMES = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'Throttling']);

function isThrottle(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return !!e && (THROTTLE_NAMES.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429);
}

/** AWS Systems Manager Run Command through the official SDK; any endpoint (the simulator too). */
export class SsmCommandChannel implements CommandChannel {
  readonly name = 'ssm';
  readonly maxInstancesPerSend = 50;
  private readonly readers = new Map<string, SSMClient>();
  private readonly senders = new Map<string, SSMClient>();

  constructor(private readonly opts: SsmChannelOptions) {}

  private client(region: string, forSend: boolean): SSMClient {
    const cache = forSend ? this.senders : this.readers;
    let c = cache.get(region);
    if (!c) {
      c = new SSMClient({
        region,
        endpoint: this.opts.endpointFor(region),
        credentials: this.opts.credentials,
        requestHandler: boundedHttpHandler(this.opts.connectTimeoutMs, this.opts.requestTimeoutMs),
        // A send is never retried by the SDK: a retry after a lost response could run a fix twice.
        // Our step machine retries it, after looking up whether the first one arrived.
        maxAttempts: forSend ? 1 : this.opts.maxAttempts,
      });
      this.observeThrottling(c, region);
      cache.set(region, c);
    }
    return c;
  }

  private async budget(region: string): Promise<void> {
    if (this.opts.budget) await this.opts.budget.take(this.name, region);
  }

  async reserveSend(region: string): Promise<void> {
    await this.budget(region);
  }

  async send(req: SendRequest): Promise<{ commandId: string }> {
    if (req.instanceIds.length < 1 || req.instanceIds.length > this.maxInstancesPerSend) {
      throw new ChannelError('SendCommand takes 1 to 50 instances', 'TooManyInstances', false);
    }
    if (!req.budgetReserved) await this.budget(req.region);
    try {
      const out = await this.client(req.region, true).send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunPowerShellScript',
          InstanceIds: req.instanceIds,
          Comment: req.marker.slice(0, 100),
          TimeoutSeconds: req.deliveryTimeoutS,
          // A batch of up to 50 instances: one instance's failure must not stop the others
          // (SSM's default MaxErrors 0 would cancel the rest after the first error).
          MaxErrors: '100%',
          MaxConcurrency: '100%',
          Parameters: { commands: [req.scriptText], executionTimeout: [String(req.executionTimeoutS)] },
        }),
      );
      const id = out.Command?.CommandId;
      if (!id) throw new ChannelError('SendCommand returned no CommandId', 'NoCommandId', true, 'unknown');
      return { commandId: id };
    } catch (err) {
      throw this.translate(err, true, req.region);
    }
  }

  async result(region: string, commandId: string, instanceId: string): Promise<InvocationResult | null> {
    await this.budget(region);
    try {
      const out = await this.client(region, false).send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      const stdout = out.StandardOutputContent ?? '';
      const stderr = out.StandardErrorContent ?? '';
      const exit = out.ResponseCode;
      return {
        status: mapSsmStatus(out.Status, out.StatusDetails),
        providerStatus: out.Status ?? 'Unknown',
        providerStatusDetails: out.StatusDetails ?? null,
        exitCode: exit === undefined || exit === -1 ? null : exit,
        stdout,
        stderr,
        truncated: hasTruncationMarker(stdout) || stdout.length >= 24000,
        startedAt: out.ExecutionStartDateTime ? new Date(out.ExecutionStartDateTime) : null,
        finishedAt: out.ExecutionEndDateTime ? new Date(out.ExecutionEndDateTime) : null,
      };
    } catch (err) {
      // Right after a send the invocation may not exist yet: "not yet", not an error.
      if ((err as Error).name === 'InvocationDoesNotExist') return null;
      throw this.translate(err, false, region);
    }
  }

  async results(region: string, commandId: string): Promise<Map<string, InvocationResult>> {
    const found = new Map<string, InvocationResult>();
    let nextToken: string | undefined;
    do {
      await this.budget(region);
      try {
        const out = await this.client(region, false).send(
          new ListCommandInvocationsCommand({ CommandId: commandId, Details: true, MaxResults: 50, NextToken: nextToken }),
        );
        for (const inv of out.CommandInvocations ?? []) {
          if (!inv.InstanceId) continue;
          const plugin = inv.CommandPlugins?.[0];
          // The listing carries one combined Output (≤ 2,500 chars): stdout, then SSM Agent's error separator and stderr.
          const output = plugin?.Output ?? '';
          const sep = output.indexOf(ERROR_SEPARATOR);
          const stdout = sep < 0 ? output : output.slice(0, sep);
          const stderr = sep < 0 ? '' : output.slice(sep + ERROR_SEPARATOR.length);
          const exit = plugin?.ResponseCode;
          found.set(inv.InstanceId, {
            status: mapSsmStatus(inv.Status, inv.StatusDetails),
            providerStatus: inv.Status ?? 'Unknown',
            providerStatusDetails: inv.StatusDetails ?? null,
            exitCode: exit === undefined || exit === -1 ? null : exit,
            stdout,
            stderr,
            truncated: hasTruncationMarker(output) || output.length >= 2500,
            startedAt: plugin?.ResponseStartDateTime ?? null,
            finishedAt: plugin?.ResponseFinishDateTime ?? null,
          });
        }
        nextToken = out.NextToken;
      } catch (err) {
        if ((err as Error).name === 'InvalidCommandId') return found; // not visible yet
        throw this.translate(err, false, region);
      }
    } while (nextToken);
    return found;
  }

  async findByMarker(region: string, marker: string, window: MarkerWindow): Promise<string | null> {
    const comment = marker.slice(0, 100);
    // First that instance's commands only: the region's listing over the window (two minutes and
    // more, for the clock skew) holds every batch sent meanwhile, past 20 pages in a campaign.
    // AWS refuses InstanceId with Status=Pending because such a command "hasn't reached the managed
    // node yet", so one not delivered may be missing there: a miss looks region-wide, as before.
    if (window.instanceId) {
      const hit = await this.listForMarker(region, comment, window, window.instanceId);
      if (hit) return hit;
    }
    return this.listForMarker(region, comment, window);
  }

  private async listForMarker(region: string, comment: string, window: MarkerWindow, instanceId?: string): Promise<string | null> {
    let nextToken: string | undefined;
    for (let page = 0; page < 20; page++) {
      await this.budget(region);
      try {
        const out = await this.client(region, false).send(
          new ListCommandsCommand({
            ...(instanceId ? { InstanceId: instanceId } : {}),
            Filters: [
              { key: 'InvokedAfter', value: window.after.toISOString() },
              { key: 'InvokedBefore', value: window.before.toISOString() },
            ],
            MaxResults: 50,
            NextToken: nextToken,
          }),
        );
        const hit = (out.Commands ?? []).find((c) => c.Comment === comment);
        if (hit?.CommandId) return hit.CommandId;
        nextToken = out.NextToken;
        if (!nextToken) return null;
      } catch (err) {
        throw this.translate(err, false, region);
      }
    }
    return null;
  }

  async cancel(region: string, commandId: string, instanceIds: string[]): Promise<void> {
    await this.budget(region);
    try {
      await this.client(region, false).send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: instanceIds }));
    } catch (err) {
      throw this.translate(err, false, region);
    }
  }

  async instanceInfo(region: string, instanceIds: string[]): Promise<Map<string, InstanceInfo>> {
    const found = new Map<string, InstanceInfo>();
    for (let i = 0; i < instanceIds.length; i += 50) {
      const chunk = instanceIds.slice(i, i + 50);
      let nextToken: string | undefined;
      do {
        await this.budget(region);
        try {
          const out = await this.client(region, false).send(
            new DescribeInstanceInformationCommand({
              Filters: [{ Key: 'InstanceIds', Values: chunk }],
              MaxResults: 50,
              NextToken: nextToken,
            }),
          );
          for (const info of out.InstanceInformationList ?? []) {
            if (!info.InstanceId) continue;
            found.set(info.InstanceId, {
              instanceId: info.InstanceId,
              online: info.PingStatus === 'Online',
              pingStatus: info.PingStatus ?? 'Unknown',
              lastPing: info.LastPingDateTime ?? null,
              platformName: info.PlatformName ?? null,
              platformVersion: info.PlatformVersion ?? null,
            });
          }
          nextToken = out.NextToken;
        } catch (err) {
          throw this.translate(err, false, region);
        }
      } while (nextToken);
    }
    return found;
  }

  /**
   * Every attempt the provider throttles backs the shared budget off, those the SDK retries by
   * itself included: seen only in the final error, a throttled read the SDK's retries absorbed
   * left the budget at full rate while the provider kept refusing. The hook sits inside the
   * retry middleware, so it runs once per attempt.
   */
  private observeThrottling(c: SSMClient, region: string): void {
    const budget = this.opts.budget;
    if (!budget) return;
    const observer = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (err) {
        if (isThrottle(err)) void budget.throttled(this.name, region);
        throw err;
      }
    };
    type Middleware = Parameters<SSMClient['middlewareStack']['addRelativeTo']>[0];
    c.middlewareStack.addRelativeTo(observer as unknown as Middleware, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'rdpfixThrottleObserver', override: true });
  }

  /** Turns SDK errors into the channel's error types. */
  private translate(err: unknown, isSend: boolean, region: string): Error {
    if (err instanceof ChannelThrottledError || err instanceof ChannelError) return err;
    const e = err as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string; code?: string };
    if (isThrottle(e)) {
      // The provider throttled us (the budget was told per attempt, observeThrottling).
      return new ChannelThrottledError(`${e.name}: ${e.message}`, 2000);
    }
    const status = e.$metadata?.httpStatusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // The provider answered and refused: nothing ran.
      return new ChannelError(`${e.name}: ${e.message}`, e.name, false, 'no');
    }
    // No connection was ever made: the request cannot have reached the provider.
    if (neverConnected(e)) return new ChannelError(`${e.name}: ${e.message}`, e.code ?? 'ConnectFailed', true, 'no');
    // Network failures and 5xx: the request may or may not have been acted on.
    return new ChannelError(`${e.name}: ${e.message}`, e.code ?? e.name ?? 'NetworkError', true, isSend ? 'unknown' : 'no');
  }

  destroy(): void {
    for (const c of [...this.readers.values(), ...this.senders.values()]) c.destroy();
  }
}

const CONNECT_FAILURE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True when the error says no connection was established (smithy's connection timeout, refused, no route). */
export function neverConnected(e: { code?: string; message?: string }): boolean {
  if (e.code && CONNECT_FAILURE_CODES.has(e.code)) return true;
  return /did not establish a connection/.test(e.message ?? '');
}

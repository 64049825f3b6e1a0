import { ChannelThrottledError } from '../channel-errors';
import { CommandChannel } from '../command-channel.port';

/** Where channel call counts go (the worker's Prometheus metrics); a port, so this lib needs no metrics library. */
export interface ChannelMetricsSink {
  call(channel: string, region: string, operation: string): void;
  throttled(channel: string, region: string): void;
  failed(channel: string, region: string): void;
}

export const CHANNEL_METRICS = Symbol('CHANNEL_METRICS');

/** The port's calls that reach the provider (everything else — names, id rules, destroy — is local). */
const CALLS = new Set(['send', 'result', 'results', 'findByMarker', 'findByComment', 'cancel', 'instanceInfo', 'rebootInstance']);

/**
 * The same channel, counting every call by channel, region and operation, and its throttles and
 * failures. A Proxy, so adapter-specific members (routing's nameFor, JD's flushDeletions, ...)
 * pass through untouched and `instanceof` still holds.
 */
export function instrumentChannel<T extends CommandChannel>(channel: T, sink: ChannelMetricsSink): T {
  const nameFor = (region: string): string => {
    const routed = (channel as unknown as { nameFor?: (r: string) => string }).nameFor;
    return typeof routed === 'function' ? routed.call(channel, region) : channel.name;
  };
  return new Proxy(channel, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !CALLS.has(prop) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const first = args[0];
        const region = typeof first === 'string' ? first : String((first as { region?: string } | undefined)?.region ?? 'unknown');
        const name = nameFor(region);
        sink.call(name, region, prop);
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          if (err instanceof ChannelThrottledError) sink.throttled(name, region);
          else sink.failed(name, region);
          throw err;
        }
      };
    },
  });
}

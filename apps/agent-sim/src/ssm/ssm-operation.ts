import { SsmInput } from './ssm-input';

/** Per-request facts every operation may need. */
export interface SsmCallContext {
  /** Region from the SigV4 credential scope; null when unsigned or not enforced. */
  region: string | null;
  now: number;
}

/** One AmazonSSM.<Op> handler. */
export interface SsmOperation {
  readonly name: string;
  /** Instance ids the call names (for per-instance throttling faults). */
  instanceIdsOf(input: SsmInput): string[];
  execute(input: SsmInput, ctx: SsmCallContext): Record<string, unknown>;
}

export function inRegion(itemRegion: string | null, ctx: SsmCallContext): boolean {
  return ctx.region === null || itemRegion === null || itemRegion === ctx.region;
}

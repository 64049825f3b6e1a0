import { ScriptName } from '@rdpfix/runbook/contract';
import { GlobalFaultConfig } from '../faults/fault-config';

export const SIM_OPTIONS = Symbol('SIM_OPTIONS');

export interface SimulatorOptions {
  /** 0 = pick a free port. */
  port: number;
  host: string;
  /** After SendCommand, invocations are invisible this long (InvocationDoesNotExist). */
  invisibleMs: number;
  /** Pending → InProgress once the agent is reachable. */
  pendingMs: number;
  /** InProgress → terminal: the modelled run time of a script. */
  runMs: number;
  /** Per-script run time overrides (e.g. a slower remove-rdsh-role). */
  scriptRunMs: Partial<Record<ScriptName, number>>;
  /** Cancelling → Cancelled. */
  cancelMs: number;
  /** How long a restarting machine's agent stays offline. */
  rebootDownMs: number;
  /** restart-computer waits delaySeconds × 1000 × this before the machine goes down. */
  rebootDelayScale: number;
  /** TimeoutSeconds and executionTimeout are seconds × 1000 × this (tests shrink them). */
  timeoutScale: number;
  /** SSM API calls per second (token bucket); null = unlimited. Overrides faults.apiRateLimit. */
  apiRateLimit: number | null;
  /** Only serve instances of the region in the request's SigV4 credential scope. */
  enforceRegions: boolean;
  /** Seed for fault dice and generated ids; null = random. */
  seed: number | null;
  /** Nest logging. */
  logger: boolean;
  /** Request body cap. */
  maxBodyBytes: number;
  /** Initial global faults. */
  faults: Partial<GlobalFaultConfig>;
}

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  invisibleMs: 100,
  pendingMs: 100,
  runMs: 250,
  scriptRunMs: {},
  cancelMs: 50,
  rebootDownMs: 1500,
  rebootDelayScale: 1,
  timeoutScale: 1,
  apiRateLimit: null,
  enforceRegions: true,
  seed: null,
  logger: false,
  maxBodyBytes: 1024 * 1024,
  faults: {},
};

export function resolveOptions(partial: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const out: SimulatorOptions = { ...DEFAULT_SIMULATOR_OPTIONS };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

function num(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got '${raw}'`);
  return n;
}

/** Options from SIM_* environment variables (see docs/simulator.md). */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<SimulatorOptions> {
  const rate = num(env, 'SIM_API_RATE_LIMIT');
  const enforce = env.SIM_ENFORCE_REGIONS;
  return {
    port: num(env, 'SIM_PORT') ?? 4566,
    host: env.SIM_HOST ?? '0.0.0.0',
    invisibleMs: num(env, 'SIM_INVISIBLE_MS'),
    pendingMs: num(env, 'SIM_PENDING_MS'),
    runMs: num(env, 'SIM_RUN_MS'),
    cancelMs: num(env, 'SIM_CANCEL_MS'),
    rebootDownMs: num(env, 'SIM_REBOOT_DOWN_MS'),
    rebootDelayScale: num(env, 'SIM_REBOOT_DELAY_SCALE'),
    timeoutScale: num(env, 'SIM_TIMEOUT_SCALE'),
    apiRateLimit: rate === undefined || rate === 0 ? null : rate,
    enforceRegions: enforce === undefined ? undefined : !['0', 'false', 'no'].includes(enforce.toLowerCase()),
    seed: num(env, 'SIM_SEED') ?? null,
    logger: env.SIM_LOG !== '0',
  };
}

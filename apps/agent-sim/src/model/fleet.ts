import { OsFamily } from '@rdpfix/domain';
import { Rng } from '../common/rng';
import { InstanceOverrides, SimInstance } from './instance';
import { buildInstance } from './instance-factory';
import { PresetName } from './presets';

export interface FleetSpec {
  count: number;
  tenantId: string;
  region: string;
  /** Relative weights per preset, e.g. { healthy: 3, 'cause-b': 1 }. */
  mix: Partial<Record<PresetName, number>>;
  /** Relative weights per OS; default is a modern-heavy mix without 2008/2008 R2. */
  osMix?: Partial<Record<OsFamily, number>>;
  overrides?: InstanceOverrides;
}

export const DEFAULT_OS_MIX: Partial<Record<OsFamily, number>> = {
  '2012R2': 1,
  '2016': 2,
  '2019': 3,
  '2022': 3,
  '2025': 1,
};

/**
 * Splits `count` by weight with the largest-remainder method, so a 1:1 mix of 100 gives
 * exactly 50/50 (random draws would make fleet tests assert on noise).
 */
export function allocate<K extends string>(count: number, weights: Partial<Record<K, number>>): Array<[K, number]> {
  const entries = (Object.entries(weights) as Array<[K, number]>).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  if (total <= 0) throw new Error('mix weights must add up to more than 0');
  const exact = entries.map(([k, w]) => [k, (count * w) / total] as [K, number]);
  const result = exact.map(([k, x]) => [k, Math.floor(x)] as [K, number]);
  let left = count - result.reduce((s, [, n]) => s + n, 0);
  const order = exact
    .map(([, x], i) => ({ i, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    result[i][1] += 1;
    left -= 1;
  }
  return result;
}

/** Builds the instances of a fleet; presets and OS releases are interleaved by a seeded shuffle. */
export function generateFleet(spec: FleetSpec, rng: Rng, now: number = Date.now()): SimInstance[] {
  const presets: PresetName[] = [];
  for (const [preset, n] of allocate(spec.count, spec.mix)) for (let i = 0; i < n; i++) presets.push(preset);
  const oses: OsFamily[] = [];
  for (const [os, n] of allocate(spec.count, spec.osMix ?? DEFAULT_OS_MIX)) for (let i = 0; i < n; i++) oses.push(os);
  rng.shuffle(presets);
  rng.shuffle(oses);
  const fleet = presets.map((preset, i) =>
    buildInstance({ tenantId: spec.tenantId, region: spec.region, os: oses[i], preset, overrides: spec.overrides }, rng, now),
  );
  // Real servers were not all booted at one instant: equal boot times would let per-instance
  // boot-time parameters batch in the simulator when they cannot on a real fleet. Drawn after
  // the instances, so a seed still yields the same ids and computer names as before.
  if (spec.overrides?.bootTime === undefined) for (const inst of fleet) inst.bootTime = fleetBootTime(rng, now);
  return fleet;
}

/** Booted 1 to 60 days before `now`, whole seconds (what Windows reports). */
export function fleetBootTime(rng: Rng, now: number): string {
  const ageMs = FLEET_MIN_UPTIME_MS + rng.next() * (FLEET_MAX_UPTIME_MS - FLEET_MIN_UPTIME_MS);
  return new Date(Math.floor((now - ageMs) / 1000) * 1000).toISOString();
}

const DAY_MS = 24 * 3600_000;
export const FLEET_MIN_UPTIME_MS = DAY_MS;
export const FLEET_MAX_UPTIME_MS = 60 * DAY_MS;

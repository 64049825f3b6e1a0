import { OsFamily } from '@rdpfix/domain';
import { IdStyle, newComputerName, newInstanceId } from '../common/ids';
import { Rng } from '../common/rng';
import { InstanceOverrides, PolicySetting, SimInstance, SimSession } from './instance';
import { deepMerge } from './merge';
import { PresetName, presetState } from './presets';

export interface InstanceSpec {
  instanceId?: string;
  tenantId: string;
  region: string;
  os: OsFamily;
  preset?: PresetName;
  overrides?: InstanceOverrides;
  /** Form of a generated instanceId (default aws). */
  idStyle?: IdStyle;
}

/** Builds an instance from a preset (default `healthy`) plus overrides, then normalises it. */
export function buildInstance(spec: InstanceSpec, rng: Rng, now: number = Date.now()): SimInstance {
  const preset = spec.preset ?? 'healthy';
  const base: SimInstance = {
    instanceId: spec.instanceId ?? newInstanceId(rng, spec.idStyle),
    tenantId: spec.tenantId,
    region: spec.region,
    computerName: newComputerName(rng),
    preset: spec.preset ?? (spec.overrides ? 'custom' : 'healthy'),
    createdAt: new Date(now).toISOString(),
    ...presetState(preset, spec.os, now),
  };
  return normalizeInstance(applyOverrides(base, spec.overrides));
}

export function applyOverrides(inst: SimInstance, overrides: InstanceOverrides | undefined): SimInstance {
  if (!overrides) return inst;
  // Identity fields are not overridable, whatever the patch carries.
  const { instanceId, tenantId, region, os, preset, createdAt } = inst;
  const merged = deepMerge(inst, overrides);
  return { ...merged, instanceId, tenantId, region, os, preset, createdAt };
}

/**
 * Makes a merged instance self-consistent: a policy-sourced setting without a policy value
 * takes the given value as the policy's (so `{value: 1, source: 'policy'}` means "GPO says 1"),
 * disconnected sessions have no session name, sessions are ordered by id.
 */
export function normalizeInstance(inst: SimInstance): SimInstance {
  const out = { ...inst };
  out.singleSession = normalizeSetting(inst.singleSession);
  out.denyConnections = normalizeSetting(inst.denyConnections);
  const l = { ...inst.licensing, reachability: { ...inst.licensing.reachability } };
  if (l.modeSource === 'policy' && l.policyMode == null) l.policyMode = l.mode;
  if (l.serversSource === 'policy' && l.policyServers == null) l.policyServers = [...l.servers];
  out.licensing = l;
  out.sessions = inst.sessions
    .map((s) => normalizeSession(s, Date.now()))
    .sort((a, b) => a.id - b.id);
  return out;
}

function normalizeSetting<T>(s: PolicySetting<T>): PolicySetting<T> {
  const policyValue = s.source === 'policy' && s.policyValue == null ? s.value : (s.policyValue ?? null);
  return { value: s.value, source: s.source, policyValue };
}

function normalizeSession(s: Partial<SimSession> & { username: string; id: number }, now: number): SimSession {
  const state = s.state ?? 'Active';
  return {
    username: s.username,
    sessionName: state === 'Disc' ? null : (s.sessionName ?? `rdp-tcp#${Math.max(0, s.id - 2)}`),
    id: s.id,
    state,
    idleMinutes: s.idleMinutes ?? 0,
    logonTime: s.logonTime ?? new Date(now - 3600_000).toISOString(),
  };
}

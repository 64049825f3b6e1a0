import { CampaignInputError } from '../domain/field-error';
import { REGION_SYNTAX } from './known-regions';

/** Same rule as the remediations API: i- + 8 or 17 hex digits, or mi- + 17. */
export const INSTANCE_ID_PATTERN = /^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$/;

/** One target as given, before the inventory is asked; `line` is its 1-based position. */
export interface TargetInput {
  line: number;
  instanceId: string;
  /** null: not given on this line (a file's rows may take the campaign's `region`). */
  region: string | null;
}

/** How rows are named in errors: `targets[16]` in a JSON list, `line 17` in a file. */
export type RowNaming = 'json' | 'file';

export function rowLabel(naming: RowNaming, line: number): string {
  return naming === 'json' ? `targets[${line - 1}]` : `line ${line}`;
}

/** Validates one row's instance id and region (syntax and known region); throws naming it. */
export function checkTarget(naming: RowNaming, line: number, instanceId: unknown, region: unknown, regions: ReadonlySet<string>): TargetInput {
  const at = rowLabel(naming, line);
  const f = (name: string) => (naming === 'json' ? `${at}.${name}` : at);
  if (typeof instanceId !== 'string' || !INSTANCE_ID_PATTERN.test(instanceId)) {
    const shown = typeof instanceId === 'string' ? JSON.stringify(instanceId.slice(0, 40)) : typeof instanceId;
    throw CampaignInputError.of(f('instanceId'), `${at}: instanceId ${shown} is not an instance id (i- + 8 or 17 hex digits, or mi- + 17)`);
  }
  if (region === undefined || region === null || region === '') return { line, instanceId, region: null };
  if (typeof region !== 'string' || !REGION_SYNTAX.test(region)) {
    throw CampaignInputError.of(f('region'), `${at}: region ${JSON.stringify(String(region).slice(0, 40))} is not a region name like eu-west-1`);
  }
  if (!regions.has(region)) throw CampaignInputError.of(f('region'), `${at}: unknown region ${JSON.stringify(region)}`);
  return { line, instanceId, region };
}

/** Object keys that would swap a prototype if assigned; refused anywhere in a campaign body. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function findForbiddenKey(v: unknown, path: string, depth = 0): string | null {
  if (depth > 10 || v === null || typeof v !== 'object') return null;
  for (const k of Object.keys(v)) {
    const here = path ? `${path}.${k}` : k;
    if (FORBIDDEN_KEYS.has(k)) return here;
    const inner = findForbiddenKey((v as Record<string, unknown>)[k], here, depth + 1);
    if (inner) return inner;
  }
  return null;
}

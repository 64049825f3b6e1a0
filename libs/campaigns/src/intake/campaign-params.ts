import { isValidLicenseServerName, LICENSING_MODES, LicensingMode, Mode, MODES, Strategy, STRATEGIES } from '@rdpfix/domain';
import { Amount, parseAmount } from '../domain/amount';
import { CampaignInputError } from '../domain/field-error';
import { parseWaves } from '../domain/waves';
import { REGION_SYNTAX } from './known-regions';
import { findForbiddenKey, INSTANCE_ID_PATTERN } from './target-row';

/** Instances matching all given fields (tags: every key has that value). */
export interface TargetFilter {
  tenantId?: string;
  region?: string;
  tags?: Record<string, string>;
}

/** A campaign's parameters, validated (the targets themselves are streamed separately). */
export interface CampaignParams {
  name: string | null;
  mode: Mode;
  strategy: Strategy;
  allowReboot: boolean;
  licenseServer: string | null;
  licensingMode: LicensingMode | null;
  maxConcurrency: Amount;
  maxErrors: Amount;
  maxUnreachable: Amount;
  waves: Amount[];
  waveBakeS: number;
  callbackUrl: string | null;
  /** For file rows without a region column. */
  region: string | null;
  filter: TargetFilter | null;
  exclude: { instanceIds: string[]; filters: TargetFilter[] };
}

/** Defaults: diagnose; 10 at a time; stop at the first failure (SSM's MaxErrors 0); unreachable never stops it. */
export const PARAM_DEFAULTS = { maxConcurrency: 10, maxErrors: 0, maxUnreachable: '100%' } as const;

export const MAX_EXCLUDED_IDS = 10_000;
export const MAX_EXCLUDE_FILTERS = 20;
export const MAX_BAKE_S = 7 * 24 * 3600;

const KNOWN = new Set([
  'name', 'mode', 'strategy', 'allowReboot', 'licenseServer', 'licensingMode', 'maxConcurrency', 'maxErrors',
  'maxUnreachable', 'waves', 'waveBakeSeconds', 'callbackUrl', 'region', 'filter', 'exclude', 'targets',
]);

const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function bad(field: string, message: string): never {
  throw CampaignInputError.of(field, message);
}

function oneOf<T extends string>(raw: unknown, field: string, allowed: readonly T[], dflt: T): T {
  if (raw === undefined) return dflt;
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) bad(field, `${field} must be one of: ${allowed.join(', ')}`);
  return raw as T;
}

export function parseFilter(raw: unknown, field: string, regions: ReadonlySet<string>): TargetFilter {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad(field, `${field} must be an object with tenantId, region and/or tags`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['tenantId', 'region', 'tags'].includes(k)) bad(`${field}.${k}`, `unknown field "${field}.${k}"`);
  const out: TargetFilter = {};
  if (o.tenantId !== undefined) {
    if (typeof o.tenantId !== 'string' || !TENANT_PATTERN.test(o.tenantId)) bad(`${field}.tenantId`, `${field}.tenantId must be 1-64 letters, digits, dots, underscores or dashes`);
    out.tenantId = o.tenantId;
  }
  if (o.region !== undefined) {
    if (typeof o.region !== 'string' || !REGION_SYNTAX.test(o.region)) bad(`${field}.region`, `${field}.region must be a region name like eu-west-1`);
    if (!regions.has(o.region)) bad(`${field}.region`, `${field}.region: unknown region ${JSON.stringify(o.region)}`);
    out.region = o.region;
  }
  if (o.tags !== undefined) {
    const t = o.tags;
    if (t === null || typeof t !== 'object' || Array.isArray(t)) bad(`${field}.tags`, `${field}.tags must be an object of tag key -> value`);
    const entries = Object.entries(t as object);
    if (entries.length > 10) bad(`${field}.tags`, `${field}.tags: at most 10 tags`);
    for (const [k, v] of entries) {
      if (k.length < 1 || k.length > 128 || typeof v !== 'string' || v.length > 256) bad(`${field}.tags.${k}`, `${field}.tags: keys are 1-128 characters and values strings of at most 256`);
    }
    if (entries.length) out.tags = Object.fromEntries(entries) as Record<string, string>;
  }
  if (Object.keys(out).length === 0) bad(field, `${field} must name at least one of tenantId, region, tags`);
  return out;
}

/**
 * Validates every parameter of a campaign body (not `targets`). `checkCallbackUrl` applies the
 * webhook URL policy. Unknown fields and prototype keys are refused.
 */
export function parseCampaignParams(raw: Record<string, unknown>, opts: { regions: ReadonlySet<string>; checkCallbackUrl: (url: string) => string | null }): CampaignParams {
  const forbidden = findForbiddenKey(raw, '');
  if (forbidden) bad(forbidden, `forbidden key "${forbidden}"`);
  for (const k of Object.keys(raw)) if (!KNOWN.has(k)) bad(k, `unknown field "${k}"`);

  let name: string | null = null;
  if (raw.name !== undefined && raw.name !== null) {
    if (typeof raw.name !== 'string' || raw.name.length > 200 || /[\u0000-\u001f]/.test(raw.name)) bad('name', 'name must be a string of at most 200 printable characters');
    name = raw.name;
  }
  const mode = oneOf(raw.mode, 'mode', MODES, 'diagnose');
  const strategy = oneOf(raw.strategy, 'strategy', STRATEGIES, 'remove-role');
  if (raw.allowReboot !== undefined && typeof raw.allowReboot !== 'boolean') bad('allowReboot', 'allowReboot must be true or false');
  const allowReboot = raw.allowReboot === true;

  let licenseServer: string | null = null;
  let licensingMode: LicensingMode | null = null;
  if (strategy === 'configure-licensing' || raw.licenseServer !== undefined) {
    if (typeof raw.licenseServer !== 'string' || raw.licenseServer.length > 64 || !isValidLicenseServerName(raw.licenseServer)) {
      bad('licenseServer', 'licenseServer (required with strategy configure-licensing) must be a hostname, FQDN or IPv4 address of at most 64 characters');
    }
    licenseServer = raw.licenseServer;
  }
  if (strategy === 'configure-licensing' || raw.licensingMode !== undefined) {
    licensingMode = oneOf(raw.licensingMode ?? '', 'licensingMode', LICENSING_MODES, 'per-user');
  }

  const maxConcurrency = parseAmount(raw.maxConcurrency ?? PARAM_DEFAULTS.maxConcurrency, 'maxConcurrency', { allowZero: false });
  const maxErrors = parseAmount(raw.maxErrors ?? PARAM_DEFAULTS.maxErrors, 'maxErrors', { allowZero: true });
  const maxUnreachable = parseAmount(raw.maxUnreachable ?? PARAM_DEFAULTS.maxUnreachable, 'maxUnreachable', { allowZero: true });
  const waves = parseWaves(raw.waves);
  let waveBakeS = 0;
  if (raw.waveBakeSeconds !== undefined) {
    if (typeof raw.waveBakeSeconds !== 'number' || !Number.isInteger(raw.waveBakeSeconds) || raw.waveBakeSeconds < 0 || raw.waveBakeSeconds > MAX_BAKE_S) {
      bad('waveBakeSeconds', `waveBakeSeconds must be a whole number of seconds from 0 to ${MAX_BAKE_S}`);
    }
    waveBakeS = raw.waveBakeSeconds;
  }

  let callbackUrl: string | null = null;
  if (raw.callbackUrl !== undefined && raw.callbackUrl !== null) {
    if (typeof raw.callbackUrl !== 'string') bad('callbackUrl', 'callbackUrl must be a string');
    const why = opts.checkCallbackUrl(raw.callbackUrl);
    if (why) bad('callbackUrl', `callbackUrl: ${why}`);
    callbackUrl = raw.callbackUrl;
  }

  let region: string | null = null;
  if (raw.region !== undefined) {
    if (typeof raw.region !== 'string' || !REGION_SYNTAX.test(raw.region)) bad('region', 'region must be a region name like eu-west-1');
    if (!opts.regions.has(raw.region)) bad('region', `unknown region ${JSON.stringify(raw.region)}`);
    region = raw.region;
  }

  const filter = raw.filter === undefined || raw.filter === null ? null : parseFilter(raw.filter, 'filter', opts.regions);

  const exclude: CampaignParams['exclude'] = { instanceIds: [], filters: [] };
  if (raw.exclude !== undefined && raw.exclude !== null) {
    const e = raw.exclude;
    if (typeof e !== 'object' || Array.isArray(e)) bad('exclude', 'exclude must be an object with instanceIds and/or filters');
    const eo = e as Record<string, unknown>;
    for (const k of Object.keys(eo)) if (!['instanceIds', 'filters'].includes(k)) bad(`exclude.${k}`, `unknown field "exclude.${k}"`);
    if (eo.instanceIds !== undefined) {
      if (!Array.isArray(eo.instanceIds)) bad('exclude.instanceIds', 'exclude.instanceIds must be a list of instance ids');
      if (eo.instanceIds.length > MAX_EXCLUDED_IDS) bad('exclude.instanceIds', `exclude.instanceIds: at most ${MAX_EXCLUDED_IDS} ids (use exclude.filters for more)`);
      eo.instanceIds.forEach((id, i) => {
        if (typeof id !== 'string' || !INSTANCE_ID_PATTERN.test(id)) bad(`exclude.instanceIds[${i}]`, `exclude.instanceIds[${i}] is not an instance id`);
      });
      exclude.instanceIds = eo.instanceIds as string[];
    }
    if (eo.filters !== undefined) {
      if (!Array.isArray(eo.filters) || eo.filters.length > MAX_EXCLUDE_FILTERS) bad('exclude.filters', `exclude.filters must be a list of at most ${MAX_EXCLUDE_FILTERS} filters`);
      exclude.filters = eo.filters.map((f, i) => parseFilter(f, `exclude.filters[${i}]`, opts.regions));
    }
  }
  return { name, mode, strategy, allowReboot, licenseServer, licensingMode, maxConcurrency, maxErrors, maxUnreachable, waves, waveBakeS, callbackUrl, region, filter, exclude };
}

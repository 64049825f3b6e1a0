import { ScriptName } from './contract';
import { RESULT_CAPS } from './caps';
import { ISO_SECONDS } from './contract/restart-check';

/**
 * What each script accepts, mirroring the checks the scripts make again on the server. The
 * renderer only enforces the generic rules (key pattern, no CR/LF/NUL, length); callers can use
 * checkScriptParams() to catch a wrong value before anything is sent.
 */
export interface ParamSpec {
  required: boolean;
  /** Returns true when the value is acceptable. */
  valid: (value: string) => boolean;
  description: string;
  /** Longest valid value, when shorter than the renderer's limit (sizes the worst case of a script). */
  maxChars?: number;
  /** Parameters with the same group name are alternatives: exactly one of them must be given. */
  oneOf?: string;
}

const HOST_LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOSTNAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const IPV4 = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;

/** Host name, FQDN or IPv4 address, at most RESULT_CAPS.serverChars (Test-RdpfixServerName). */
export function isValidServerName(name: string): boolean {
  if (name.length < 1 || name.length > RESULT_CAPS.serverChars) return false;
  if (IPV4.test(name)) return name.split('.').every((o) => Number(o) <= 255);
  return HOSTNAME.test(name);
}

/** `servers=` value: comma-separated valid names, at most RESULT_CAPS.servers. */
export function isValidServerList(value: string, allowEmpty: boolean): boolean {
  if (value === '') return allowEmpty;
  const names = value.split(',').map((s) => s.trim());
  return names.length <= RESULT_CAPS.servers && names.every(isValidServerName);
}

/** runId of a changing script: the command run's uuid (the run-id guard, docs/at-most-once.md). */
export const RUN_ID_PARAM: ParamSpec = {
  required: true,
  valid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
  description: 'the command run id (lower-case uuid); the script refuses to act twice for one run id',
  maxChars: 36,
};

const isIsoSeconds = (v: string) => ISO_SECONDS.test(v) && Number.isFinite(Date.parse(v));

const oneOf =
  (...allowed: string[]) =>
  (v: string) =>
    allowed.includes(v);

export const SCRIPT_PARAM_SPECS: Record<ScriptName, Record<string, ParamSpec>> = {
  diagnose: {},
  verify: {},
  'set-single-session': {
    runId: RUN_ID_PARAM,
    value: { required: true, valid: oneOf('0', '1'), description: '0 = allow several sessions per user, 1 = one' },
  },
  'configure-licensing': {
    runId: RUN_ID_PARAM,
    mode: { required: true, valid: oneOf('2', '4'), description: '2 = per device, 4 = per user' },
    servers: {
      required: true,
      valid: (v) => isValidServerList(v, false),
      description: `1..${RESULT_CAPS.servers} comma-separated license server names`,
    },
  },
  'restore-licensing': {
    runId: RUN_ID_PARAM,
    mode: { required: true, valid: oneOf('1', '2', '4', '5'), description: 'recorded LicensingType' },
    servers: {
      required: true,
      valid: (v) => isValidServerList(v, true),
      description: 'recorded license servers, comma-separated, may be empty',
    },
  },
  'remove-rdsh-role': {
    runId: RUN_ID_PARAM,
    despiteLicensing: {
      required: true,
      valid: oneOf('0', '1'),
      description: '1 = the caller explicitly asked to remove the role although licensing is configured',
    },
  },
  'restart-computer': {
    runId: RUN_ID_PARAM,
    delaySeconds: {
      required: true,
      valid: (v) => /^[0-9]{1,3}$/.test(v) && Number(v) >= 5 && Number(v) <= 600,
      description: 'integer 5..600',
    },
    // Exactly one of the two (restart-check.ts): a single fix's own boot time, or a batch's threshold.
    expectedBootTime: {
      required: false,
      oneOf: 'bootCheck',
      valid: isIsoSeconds,
      description: 'the boot time before the change, ISO-8601 UTC without fractions (yyyy-MM-ddTHH:mm:ssZ)',
      maxChars: 20,
    },
    bootedBefore: {
      required: false,
      oneOf: 'bootCheck',
      valid: isIsoSeconds,
      description: 'the latest boot time that still means "not restarted yet" for every server of a batch, ISO-8601 UTC without fractions',
      maxChars: 20,
    },
  },
};

/** Problems with `params` for `name` (empty when the script will accept them). */
export function checkScriptParams(name: ScriptName, params: Record<string, string | number>): string[] {
  const spec = SCRIPT_PARAM_SPECS[name];
  const problems: string[] = [];
  for (const key of Object.keys(params)) {
    if (!(key in spec)) problems.push(`${key}: not a parameter of ${name}`);
  }
  for (const [key, s] of Object.entries(spec)) {
    const v = params[key];
    if (v === undefined) {
      if (s.required) problems.push(`${key}: required (${s.description})`);
      continue;
    }
    if (!s.valid(String(v))) problems.push(`${key}: invalid (${s.description})`);
  }
  const groups = new Map<string, string[]>();
  for (const [key, s] of Object.entries(spec)) if (s.oneOf) groups.set(s.oneOf, [...(groups.get(s.oneOf) ?? []), key]);
  for (const keys of groups.values()) {
    const given = keys.filter((k) => params[k] !== undefined);
    if (given.length !== 1) problems.push(`${keys.join(' | ')}: exactly one is required (${given.length} given)`);
  }
  return problems;
}

/** A valid parameter set per script (documentation, tests, simulator fixtures). */
export const SCRIPT_PARAM_EXAMPLES: Record<ScriptName, Record<string, string | number>> = {
  diagnose: {},
  verify: {},
  'set-single-session': { value: 0, runId: '00000000-0000-4000-8000-000000000001' },
  'configure-licensing': { mode: 4, servers: 'rdls01.corp.example.com', runId: '00000000-0000-4000-8000-000000000001' },
  'restore-licensing': { mode: 5, servers: '', runId: '00000000-0000-4000-8000-000000000001' },
  'remove-rdsh-role': { despiteLicensing: 0, runId: '00000000-0000-4000-8000-000000000001' },
  'restart-computer': { delaySeconds: 30, expectedBootTime: '2025-11-25T08:00:00Z', runId: '00000000-0000-4000-8000-000000000001' },
};

import { FACT_READS, OS_FAMILIES } from '@rdpfix/domain';
import { SCRIPT_NAMES } from './contract';

/**
 * Hand-written shape checks for result lines. Each returns null when the value is acceptable,
 * otherwise the path of the first problem ("facts.licensing.mode"). Unknown extra fields are
 * allowed (a newer script may add some); missing or mistyped known fields are not.
 */
type Problem = string | null;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z$/;
const isIsoUtc = (v: unknown): v is string => isStr(v) && ISO_UTC.test(v) && Number.isFinite(Date.parse(v));
const isModeCode = (v: unknown) => v === 1 || v === 2 || v === 4 || v === 5;
const isSource = (v: unknown) => v === 'local' || v === 'policy';
const is01 = (v: unknown) => v === 0 || v === 1;

function fields(obj: unknown, path: string, checks: Record<string, (v: unknown) => boolean | Problem>): Problem {
  if (!isObj(obj)) return path;
  for (const [key, check] of Object.entries(checks)) {
    const r = check(obj[key]);
    if (r === false) return `${path}.${key}`;
    if (typeof r === 'string') return `${path}.${key}.${r}`;
  }
  return null;
}

/** Wraps a nested `fields` check so that its problem path is relative to the parent key. */
const nested =
  (checks: Record<string, (v: unknown) => boolean | Problem>) =>
  (v: unknown): boolean | Problem => {
    const p = fields(v, '$', checks);
    if (p === null) return true;
    return p === '$' ? false : p.slice(2);
  };

const orNull =
  (check: (v: unknown) => boolean) =>
  (v: unknown): boolean =>
    v === null || check(v);
const isReadMap = (v: unknown) =>
  isObj(v) && Object.entries(v).every(([k, msg]) => (FACT_READS as readonly string[]).includes(k) && isStr(msg));

export function checkDiagnosisFacts(v: unknown): Problem {
  return fields(v, 'facts', {
    os: nested({
      version: (x) => isStr(x) && /^\d+\.\d+(\.\d+)?$/.test(x),
      family: (x) => x === null || (OS_FAMILIES as readonly unknown[]).includes(x),
      ps: isStr,
      is64: isBool,
    }),
    bootTime: isIsoUtc,
    rdsh: nested({ installed: orNull(isBool), terminalServerMode: orNull(is01), removalPending: orNull(isBool) }),
    graceDays: (x) => x === null || (isInt(x) && x >= 0),
    licensing: nested({
      mode: orNull(isModeCode),
      modeSource: orNull(isSource),
      servers: orNull(isStrArray),
      serversSource: orNull(isSource),
      statuses: (x) => Array.isArray(x) && x.every(isInt),
    }),
    singleSession: nested({ value: orNull(is01), source: orNull(isSource) }),
    domain: nested({
      role: orNull((x) => isInt(x) && x >= 0 && x <= 5),
      partOfDomain: orNull(isBool),
      isDomainController: orNull(isBool),
    }),
    rds: nested({
      broker: orNull(isBool),
      webAccess: orNull(isBool),
      gateway: orNull(isBool),
      licensingRole: orNull(isBool),
      sessionDirectory: orNull(isBool),
      lsActivated: orNull(isBool),
      lsCalPacks: orNull((x) => isInt(x) && x >= 0),
    }),
    pendingReboot: nested({ cbs: orNull(isBool), wu: orNull(isBool), fileRename: orNull(isBool) }),
    termService: (x) => x === 'running' || x === 'stopped' || x === 'unknown',
    listener: nested({ up: orNull(isBool), port: (x) => isInt(x) && x >= 1 && x <= 65535 }),
    firewall: nested({ enabled: orNull(isBool), rdpAllowed: orNull(isBool) }),
    denyConnections: nested({ value: orNull(is01), source: orNull(isSource) }),
    sessions: orNull(isStrArray),
    sessionsTruncated: isBool,
    unknown: isReadMap,
    errors: isStrArray,
    errorsDropped: (x) => isInt(x) && x >= 0,
  });
}

const recorded01 = nested({ present: isBool, value: (x) => x === null || is01(x) });
const licensingRecord = nested({ mode: isModeCode, servers: isStrArray });

/** Checks script-specific fields of a result whose `ok` is true. */
function checkOkBody(r: Obj): Problem {
  switch (r.script) {
    case 'diagnose':
    case 'verify':
      return checkDiagnosisFacts(r.facts);
    case 'set-single-session':
      return fields(r, 'result', { before: recorded01, after: recorded01, changed: isBool });
    case 'configure-licensing':
      return fields(r, 'result', { before: licensingRecord, after: licensingRecord, changed: isBool });
    case 'restore-licensing':
      return fields(r, 'result', { before: licensingRecord, after: licensingRecord, registryMode: orNull(isModeCode), restartNeeded: isBool, changed: isBool });
    case 'remove-rdsh-role':
      return fields(r, 'result', {
        before: nested({ installed: isBool }),
        exitCode: (x) => x === 'Success' || x === 'SuccessRestartRequired' || x === 'NoChangeNeeded' || x === 'Failed',
        restartNeeded: isBool,
        method: isStr,
      });
    case 'restart-computer':
      return fields(r, 'result', {
        scheduled: isBool,
        alreadyRestarted: isBool,
        delaySeconds: (x) => isInt(x) && x >= 0,
        bootTime: isIsoUtc,
        bootedBefore: (x) => x === undefined || isIsoUtc(x),
      });
    default:
      return 'result.script';
  }
}

/** Whole result line: common fields, then the script's own fields when ok is true. */
export function checkScriptResult(v: unknown): Problem {
  if (!isObj(v)) return 'result';
  if (!isStr(v.script) || !(SCRIPT_NAMES as readonly string[]).includes(v.script)) return 'result.script';
  if (!isInt(v.version) || v.version < 1) return 'result.version';
  if (!isBool(v.ok)) return 'result.ok';
  if (v.error !== undefined && !isStr(v.error)) return 'result.error';
  // A failed run may stop before its own fields exist; it must say why.
  if (!v.ok) return isStr(v.error) && v.error.length > 0 ? null : 'result.error';
  return checkOkBody(v);
}

import { PARAMS_LINE_PATTERN, PARAM_KEY_PATTERN } from './contract';
import { RunbookParamError } from './errors';

/** Longest accepted parameter value, in UTF-16 code units. */
export const MAX_PARAM_VALUE_CHARS = 512;

export type ScriptParamsInput = Record<string, string | number>;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks keys and values and returns the string form, keys sorted so that equal parameters
 * always give the same script text (and hash; campaigns batch identical commands).
 */
export function normalizeParams(params: ScriptParamsInput | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (params === undefined || params === null) return out;
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new RunbookParamError('*', 'parameters must be an object');
  }
  for (const key of Object.keys(params).sort()) {
    if (!PARAM_KEY_PATTERN.test(key)) throw new RunbookParamError(key, 'key must match PARAM_KEY_PATTERN');
    const raw: unknown = params[key];
    let value: string;
    if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' && Number.isFinite(raw)) value = String(raw);
    else throw new RunbookParamError(key, 'value must be a string or a finite number');
    if (/[\r\n\0]/.test(value)) throw new RunbookParamError(key, 'value must not contain CR, LF or NUL');
    if (value.length > MAX_PARAM_VALUE_CHARS) {
      throw new RunbookParamError(key, `value longer than ${MAX_PARAM_VALUE_CHARS} characters`);
    }
    // UTF-8 cannot carry a lone surrogate: it would not decode to the same text on Windows.
    if (LONE_SURROGATE.test(value)) throw new RunbookParamError(key, 'value contains a lone surrogate');
    out[key] = value;
  }
  return out;
}

/** base64 of the UTF-8 `key=value` lines joined by LF (the format _common.ps1 decodes). */
export function encodeParams(params: Record<string, string>): string {
  const lines = Object.keys(params).map((k) => `${k}=${params[k]}`);
  return Buffer.from(lines.join('\n'), 'utf8').toString('base64');
}

/** The line-2 data line of a rendered script. */
export function paramsLine(params: Record<string, string>): string {
  return `$RdpfixParams = '${encodeParams(params)}'`;
}

/** Inverse of encodeParams, as the script does it: split on LF, then on the first '='. */
export function decodeParams(base64: string): Record<string, string> {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw new RunbookParamError('*', 'not base64');
  }
  const text = Buffer.from(base64, 'base64').toString('utf8');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const i = line.indexOf('=');
    if (i < 1) throw new RunbookParamError('*', 'a line without key=value');
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Reads the parameters back from a rendered script's line 2 (simulator, audit). */
export function extractParams(scriptText: string): Record<string, string> {
  const line = scriptText.split('\n', 3)[1] ?? '';
  const m = PARAMS_LINE_PATTERN.exec(line);
  if (!m) throw new RunbookParamError('*', 'line 2 is not the $RdpfixParams data line');
  return decodeParams(m[1]);
}
